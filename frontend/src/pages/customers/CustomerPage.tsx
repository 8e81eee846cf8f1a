import { Box, Button, Text } from "@saleor/macaw-ui";
import { ArrowLeft, ExternalLink } from "lucide-react";
import { useParams } from "wouter";

import { Figure, Pill } from "../../components/layout";
import { EmptyState, ErrorState, Loading, NoPermission } from "../../components/states";
import { useQuery } from "../../core/api";
import { openDashboardPage } from "../../core/dashboard";
import { formatDate, formatMoney, formatNumber, formatRelative } from "../../core/format";
import type { CustomerPageQuery as CustomerPageData } from "../../gql/graphql";
import { LoyaltyCard } from "./cards/LoyaltyCard";
import { NotesCard, TagsCard } from "./cards/NotesAndTags";
import { OutlookCard } from "./cards/OutlookCard";
import { PrivacyCard } from "./cards/PrivacyCard";
import { AttributionCard, FavouritesCard, SegmentsCard } from "./cards/ProfileCards";
import { SupportCard } from "./cards/SupportCard";
import { TimelineCard } from "./cards/TimelineCard";
import { DetailLayout, TopBar } from "./parts";
import { CustomerPageQuery } from "./queries";
import { useRouteState } from "./routing";

export type Customer = NonNullable<CustomerPageData["crmCustomerLookup"]>;
export type Account = NonNullable<CustomerPageData["loyaltyAccount"]>;

/** True for a CrmCustomer global ID (base64 of `CrmCustomer:<pk>`), false for Saleor's `User:…`. */
function isCrmCustomerId(id: string): boolean {
  try {
    return atob(id).startsWith("CrmCustomer:");
  } catch {
    return false;
  }
}

/**
 * The customer 360 page (`/customers/:id`, id = CrmCustomer or Saleor User ID). One request reads
 * the whole page; for a Saleor User ID the support card asks a second time, by the CRM ID it learnt.
 */
export default function CustomerPage() {
  const { id: rawId } = useParams<{ id: string }>();
  const id = decodeURIComponent(rawId);
  const { go } = useRouteState();
  const withSupport = isCrmCustomerId(id);
  const { data, error, loading, refetch } = useQuery(CustomerPageQuery, { id, customer: id, withSupport });
  const back = (
    <Button
      variant="tertiary"
      size="small"
      icon={<ArrowLeft size={18} />}
      onClick={() => go("/customers")}
      aria-label="All customers"
      title="All customers"
      data-test-id="crm-back"
    />
  );

  if (!data) {
    return (
      <Shell title="Customer" back={back}>
        {error ? (
          <Box padding={6}>
            <ErrorState error={error} onRetry={refetch} />
          </Box>
        ) : (
          <Loading lines={10} />
        )}
      </Shell>
    );
  }
  const customer = data.crmCustomerLookup;
  if (!customer) {
    const canManage = data.crmViewerPermissions.includes("MANAGE_USERS");
    return (
      <Shell title="Customer" back={back}>
        <Box padding={6}>
          {canManage ? (
            <EmptyState title="Customer not found">
              The CRM has no customer with this ID. It may have been deleted in Saleor (the CRM then anonymises it), or
              the link is mistyped.
            </EmptyState>
          ) : (
            <NoPermission permissions={["Manage customers"]} />
          )}
        </Box>
      </Shell>
    );
  }

  const account = data.loyaltyAccount ?? null;
  const support = withSupport ? { crmTickets: data.crmTickets ?? null, crmMessages: data.crmMessages ?? null } : null;
  return (
    <Shell
      title={customer.name || customer.email || "Anonymised customer"}
      subtitle={customer.name ? customer.email : undefined}
      back={back}
      actions={
        customer.user && (
          <Button
            variant="secondary"
            size="small"
            onClick={() => openDashboardPage(`/customers/${customer.user?.id}`)}
            data-test-id="crm-open-in-saleor"
          >
            <ExternalLink size={16} /> Saleor customer
          </Button>
        )
      }
    >
      <Box aria-busy={loading}>
        <Headline customer={customer} account={account} />
        <DetailLayout
          main={
            <>
              <TimelineCard customerId={customer.id} first={data.crmCustomerTimeline} />
              <LoyaltyCard customerId={customer.id} account={account} onChanged={refetch} />
              <SupportCard customerId={customer.id} preloaded={support} />
            </>
          }
          side={
            <>
              <OutlookCard customer={customer} />
              <TagsCard customer={customer} onChanged={refetch} />
              <NotesCard customer={customer} onChanged={refetch} />
              <SegmentsCard customer={customer} />
              <FavouritesCard customer={customer} />
              <AttributionCard customer={customer} />
              <PrivacyCard customer={customer} onChanged={refetch} />
            </>
          }
        />
      </Box>
    </Shell>
  );
}

function Shell({
  title,
  subtitle,
  back,
  actions,
  children,
}: {
  title: string;
  subtitle?: string;
  back: React.ReactNode;
  actions?: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <Box display="flex" flexDirection="column" __minHeight="100vh" backgroundColor="default1">
      <TopBar title={title} subtitle={subtitle} back={back}>
        {actions}
      </TopBar>
      {children}
    </Box>
  );
}

/** The figures a merchant looks at first, in one row under the title. */
function Headline({ customer, account }: { customer: Customer; account: Account | null }) {
  return (
    <Box
      display="grid"
      __gridTemplateColumns="repeat(auto-fit, minmax(118px, 1fr))"
      gap={4}
      paddingX={6}
      paddingY={5}
      borderBottomStyle="solid"
      borderBottomWidth={1}
      borderColor="default1"
      data-test-id="crm-headline"
    >
      <Figure label="Orders">{formatNumber(customer.ordersCount)}</Figure>
      <Figure label="Lifetime spend" testId="crm-kpi-spend">
        {customer.spend.length ? customer.spend.map(formatMoney).join(" · ") : "—"}
      </Figure>
      <Figure label="Average order">
        {customer.averageOrderValue.length ? customer.averageOrderValue.map(formatMoney).join(" · ") : "—"}
      </Figure>
      <Figure label="Last order">{customer.lastOrderAt ? formatRelative(customer.lastOrderAt) : "Never"}</Figure>
      <Figure label="Points" testId="crm-kpi-points">
        {account ? formatNumber(account.available) : "—"}
      </Figure>
      <Figure label="Tier">{account?.tier.current?.name ?? "—"}</Figure>
      <Box display="flex" flexDirection="column" gap={1}>
        <Text size={1} color="default2">
          Customer
        </Text>
        <Box display="flex" gap={1} flexWrap="wrap">
          <Pill tone={customer.user ? "info" : "default"}>{customer.user ? "Account" : "Guest"}</Pill>
          {!customer.isActive && <Pill tone="warning">Inactive</Pill>}
        </Box>
        <Text size={1} color="default2">
          {customer.joinedAt ? `Joined ${formatDate(customer.joinedAt)}` : `First order ${formatDate(customer.firstOrderAt)}`}
        </Text>
      </Box>
    </Box>
  );
}
