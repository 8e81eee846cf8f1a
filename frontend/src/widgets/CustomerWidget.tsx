import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useRef } from "react";

import { Figure, Pill, Section } from "../components/layout";
import { Predictions } from "../components/predictions";
import { MoneyList, TicketRow } from "../components/records";
import { EmptyState, ErrorState, Loading, NoPermission } from "../components/states";
import { nodes, useQuery } from "../core/api";
import { boot } from "../core/boot";
import { dashboardHandlesActions, markDataShown, openCrmPage, useWidgetResize } from "../core/dashboard";
import { formatDate, formatNumber, formatRelative, humanize } from "../core/format";
import { graphql } from "../gql";

const CustomerWidgetQuery = graphql(`
  query CustomerWidget($customerId: ID!) {
    crmCustomerLookup(id: $customerId) {
      id
      name
      ordersCount
      lastOrderAt
      spend {
        ...MoneyFields
      }
      averageOrderValue {
        ...MoneyFields
      }
      rfm {
        group
        name
      }
      predictions {
        ...CustomerPredictionFields
      }
      segments {
        slug
        name
      }
      tags
      timeline(first: 5) {
        edges {
          node {
            id
            kind
            occurredAt
            summary
          }
        }
      }
    }
    loyaltyAccount(customerId: $customerId) {
      available
      pending
      tier {
        current {
          name
        }
      }
    }
  }
`);

/** Tickets and messages are filtered by the CRM's own customer ID, known after the first query. */
const CustomerWidgetActivityQuery = graphql(`
  query CustomerWidgetActivity($crmCustomerId: ID!) {
    crmTickets(first: 3, filter: { customer: $crmCustomerId, status: [NEW, OPEN, PENDING, ON_HOLD] }) {
      totalCount
      edges {
        node {
          ...TicketRowFields
        }
      }
    }
    crmMessages(first: 3, filter: { customer: $crmCustomerId }) {
      edges {
        node {
          id
          subject
          status
          sentAt
          sendAt
        }
      }
    }
  }
`);

/** Saleor's customer page, right column: the CRM's picture of this customer at a glance. */
export default function CustomerWidget() {
  const root = useRef<HTMLDivElement>(null);
  useWidgetResize(root);
  const customerId = boot.customerId ?? "";
  const main = useQuery(CustomerWidgetQuery, { customerId }, { skip: !customerId });
  const customer = main.data?.crmCustomerLookup;
  const activity = useQuery(CustomerWidgetActivityQuery, { crmCustomerId: customer?.id ?? "" }, { skip: !customer });
  const settled = !main.loading && !activity.loading;
  useEffect(() => {
    if (settled && main.data) markDataShown();
  }, [settled, main.data]);

  let body;
  if (!customerId) body = <EmptyState title="No customer">The dashboard did not say which customer this is.</EmptyState>;
  else if (main.loading) body = <Loading />;
  else if (main.error) body = <ErrorState error={main.error} onRetry={main.refetch} />;
  else if (!customer) body = <EmptyState title="No CRM activity yet">The CRM starts a profile at the first order or sign-up.</EmptyState>;
  else {
    const account = main.data?.loyaltyAccount;
    const tickets = activity.data?.crmTickets;
    const messages = nodes(activity.data?.crmMessages);
    const timeline = nodes(customer.timeline);
    const openTickets = nodes(tickets);
    body = (
      <>
        <Box display="flex" gap={1.5} flexWrap="wrap" data-test-id="crm-badges">
          {customer.rfm && <Pill tone="info">{customer.rfm.name}</Pill>}
          {account?.tier.current && <Pill tone="success">{account.tier.current.name} tier</Pill>}
        </Box>
        <Box display="grid" __gridTemplateColumns="1fr 1fr" gap={3}>
          <Figure label="Lifetime spend" testId="crm-spend">
            <MoneyList money={customer.spend} />
          </Figure>
          <Figure label="Average order" testId="crm-aov">
            <MoneyList money={customer.averageOrderValue} />
          </Figure>
          <Figure label="Orders" testId="crm-orders">
            {formatNumber(customer.ordersCount)}
          </Figure>
          <Figure label="Last order" testId="crm-last-order">
            {formatDate(customer.lastOrderAt)}
          </Figure>
        </Box>
        {account && (
          <Section title="Loyalty" testId="crm-loyalty">
            <Box display="grid" __gridTemplateColumns="1fr 1fr" gap={3}>
              <Figure label="Points" testId="crm-points">
                {formatNumber(account.available)}
              </Figure>
              <Figure label="Pending" testId="crm-pending">
                {formatNumber(account.pending)}
              </Figure>
            </Box>
          </Section>
        )}
        <Section title="Outlook" testId="crm-outlook">
          <Predictions predictions={customer.predictions} />
        </Section>
        {(customer.segments?.length || customer.tags?.length) ? (
          <Section title="Segments and tags" testId="crm-segments">
            <Box display="flex" gap={1.5} flexWrap="wrap">
              {customer.segments?.map((segment) => <Pill key={segment.slug}>{segment.name}</Pill>)}
              {customer.tags?.map((tag) => (
                <Pill key={tag} tone="warning">
                  #{tag}
                </Pill>
              ))}
            </Box>
          </Section>
        ) : null}
        <Section title={`Open tickets${tickets ? ` (${tickets.totalCount ?? 0})` : ""}`} testId="crm-tickets">
          {activity.error && <ActivityError error={activity.error} />}
          {tickets && openTickets.length === 0 && (
            <Text size={2} color="default2">
              No open tickets.
            </Text>
          )}
          {openTickets.map((ticket) => <TicketRow key={ticket.id} ticket={ticket} />)}
        </Section>
        {messages.length > 0 && (
          <Section title="Last messages" testId="crm-messages">
            {messages.map((message) => (
              <Box key={message.id} display="flex" justifyContent="space-between" gap={2}>
                <Text size={2} ellipsis __minWidth="0">
                  {message.subject}
                </Text>
                <Text size={1} color="default2" whiteSpace="nowrap">
                  {humanize(message.status)} · {formatRelative(message.sentAt ?? message.sendAt)}
                </Text>
              </Box>
            ))}
          </Section>
        )}
        <Section title="Recent activity" testId="crm-timeline">
          {timeline.length === 0 && (
            <Text size={2} color="default2">
              Nothing yet.
            </Text>
          )}
          {timeline.map((entry) => (
            <Box key={entry.id} display="flex" flexDirection="column">
              <Text size={2}>{entry.summary}</Text>
              <Text size={1} color="default2">
                {formatRelative(entry.occurredAt)}
              </Text>
            </Box>
          ))}
        </Section>
        {dashboardHandlesActions && (
          <Button variant="secondary" size="small" onClick={() => openCrmPage(`/customers/${customer.id}`)} data-test-id="crm-open-customer">
            Open in CRM
          </Button>
        )}
      </>
    );
  }
  return (
    <Box ref={root} paddingX={6} paddingY={4} display="flex" flexDirection="column" gap={4} data-test-id="crm-customer-widget">
      {body}
    </Box>
  );
}

function ActivityError({ error }: { error: Error }) {
  return error instanceof Error && "kind" in error && error.kind === "permission" ? (
    <NoPermission permissions={["Manage orders", "Manage customers"]} />
  ) : (
    <ErrorState error={error} />
  );
}
