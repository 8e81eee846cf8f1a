import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useRef, useState } from "react";

import { Figure, Pill, Section } from "../components/layout";
import { MoneyList, TicketRow } from "../components/records";
import { EmptyState, ErrorState, Loading, NoPermission } from "../components/states";
import { nodes, useQuery } from "../core/api";
import { boot } from "../core/boot";
import { dashboardHandlesActions, markDataShown, openCrmPage, openPopup, useWidgetResize } from "../core/dashboard";
import { formatDate, formatNumber } from "../core/format";
import { graphql } from "../gql";
import { TicketForm } from "../popups/TicketForm";

const OrderWidgetQuery = graphql(`
  query OrderWidget($orderId: ID!) {
    crmOrder(id: $orderId) {
      number
      attribution {
        source
        medium
        campaign
      }
      loyaltyPoints {
        points
        reversed
        remaining
        tierBonus
        status
        releaseAt
        releasedAt
      }
      customer {
        id
      }
    }
    crmTickets(first: 5, filter: { order: $orderId }) {
      totalCount
      edges {
        node {
          ...TicketRowFields
        }
      }
    }
  }
`);

/** The customer's headline figures need MANAGE_USERS; asked apart so support staff still see the order's part. */
const OrderCustomerQuery = graphql(`
  query OrderWidgetCustomer($customerId: ID!) {
    crmCustomerLookup(id: $customerId) {
      id
      name
      email
      ordersCount
      lastOrderAt
      spend {
        ...MoneyFields
      }
      rfm {
        name
      }
    }
  }
`);

interface OrderPoints {
  points: number;
  reversed: number;
  remaining: number;
  tierBonus: number;
  status: "PENDING" | "RELEASED" | "CANCELLED";
  releaseAt?: string | null;
  releasedAt?: string | null;
}

/** Gross points: pending until released, earned once released (with the tier bonus); refunds' take-back apart. */
function PointsFigures({ points }: { points: OrderPoints }) {
  const pending = points.status === "PENDING" ? points.points : 0;
  const earned = points.status === "RELEASED" ? points.points + points.tierBonus : 0;
  const note =
    points.status === "PENDING"
      ? points.releaseAt
        ? `Released on ${formatDate(points.releaseAt)}`
        : "Released once the order is paid"
      : points.status === "RELEASED"
        ? `Released on ${formatDate(points.releasedAt)}`
        : "Cancelled with the order";
  return (
    <>
      <Box display="grid" __gridTemplateColumns="1fr 1fr 1fr" gap={3}>
        <Figure label="Pending" testId="crm-order-pending">
          {formatNumber(pending)}
        </Figure>
        <Figure label="Earned" testId="crm-order-earned">
          {formatNumber(earned)}
        </Figure>
        <Figure label="Reversed" testId="crm-order-reversed">
          {formatNumber(points.reversed)}
        </Figure>
      </Box>
      <Text size={1} color="default2">
        {note}
      </Text>
    </>
  );
}

/** Saleor's order page, right column: the order's points and tickets, and who the customer is to the CRM. */
export default function OrderWidget() {
  const root = useRef<HTMLDivElement>(null);
  useWidgetResize(root);
  const orderId = boot.orderId ?? "";
  const main = useQuery(OrderWidgetQuery, { orderId }, { skip: !orderId });
  const order = main.data?.crmOrder;
  const customerQuery = useQuery(OrderCustomerQuery, { customerId: order?.customer.id ?? "" }, { skip: !order });
  const customer = customerQuery.data?.crmCustomerLookup;
  const settled = !main.loading && !customerQuery.loading;
  useEffect(() => {
    if (settled && main.data) markDataShown();
  }, [settled, main.data]);
  const [writing, setWriting] = useState(false);
  const [opened, setOpened] = useState<string | null>(null);

  const startTicket = async () => {
    // A GET widget asks the dashboard to open the ticket popup; a POST widget can't (the dashboard
    // answers only widgetResize from those), so it opens the same form inline.
    if (!dashboardHandlesActions || !(await openPopup("order-open-ticket"))) setWriting(true);
  };

  let body;
  if (!orderId) body = <EmptyState title="No order">The dashboard did not say which order this is.</EmptyState>;
  else if (main.loading) body = <Loading />;
  else if (main.error) body = <ErrorState error={main.error} onRetry={main.refetch} />;
  else if (!order) body = <EmptyState title="Not in the CRM yet">The CRM records an order a moment after it is placed.</EmptyState>;
  else {
    const tickets = nodes(main.data?.crmTickets);
    const touch = order.attribution;
    body = (
      <>
        <Section title="Loyalty points" testId="crm-order-points">
          {order.loyaltyPoints ? <PointsFigures points={order.loyaltyPoints} /> : <Text size={2} color="default2">This order earned no points.</Text>}
        </Section>
        <Section
          title={`Tickets (${main.data?.crmTickets?.totalCount ?? 0})`}
          testId="crm-order-tickets"
          action={
            !writing && (
              <Button size="small" variant="secondary" onClick={startTicket} data-test-id="crm-order-open-ticket">
                Open a ticket
              </Button>
            )
          }
        >
          {opened && (
            <Text size={2} color="success1" data-test-id="crm-ticket-opened">
              Ticket {opened} opened.
            </Text>
          )}
          {writing && (
            <TicketForm
              target={{ order: orderId, label: `Order #${order.number}` }}
              onCancel={() => setWriting(false)}
              onOpened={(reference) => {
                setWriting(false);
                setOpened(reference);
                main.refetch();
              }}
            />
          )}
          {tickets.length === 0 && !writing && (
            <Text size={2} color="default2">
              No tickets about this order.
            </Text>
          )}
          {tickets.map((ticket) => (
            <TicketRow key={ticket.id} ticket={ticket} />
          ))}
        </Section>
        <Section title="Attribution" testId="crm-order-attribution">
          {touch && (touch.source || touch.campaign) ? (
            <Box display="flex" gap={1.5} flexWrap="wrap">
              {touch.source && <Pill>{touch.source}</Pill>}
              {touch.medium && <Pill>{touch.medium}</Pill>}
              {touch.campaign && <Pill tone="info">{touch.campaign}</Pill>}
            </Box>
          ) : (
            <Text size={2} color="default2">
              Direct (no campaign tags).
            </Text>
          )}
        </Section>
        <Section title="Customer" testId="crm-order-customer">
          {customerQuery.loading && <Loading lines={2} />}
          {customerQuery.error?.kind === "permission" && <NoPermission permissions={customerQuery.error.permissionNames} />}
          {customerQuery.error && customerQuery.error.kind !== "permission" && <ErrorState error={customerQuery.error} />}
          {customer && (
            <>
              <Box display="flex" justifyContent="space-between" alignItems="center" gap={2}>
                <Text size={3} fontWeight="medium" ellipsis>
                  {customer.name || customer.email}
                </Text>
                {customer.rfm && <Pill tone="info">{customer.rfm.name}</Pill>}
              </Box>
              <Box display="grid" __gridTemplateColumns="1fr 1fr" gap={3}>
                <Figure label="Lifetime spend" testId="crm-order-customer-spend">
                  <MoneyList money={customer.spend} />
                </Figure>
                <Figure label="Orders">{formatNumber(customer.ordersCount)}</Figure>
              </Box>
              {dashboardHandlesActions && (
                <Button variant="tertiary" size="small" onClick={() => openCrmPage(`/customers/${customer.id}`)}>
                  Open customer in CRM
                </Button>
              )}
            </>
          )}
        </Section>
      </>
    );
  }
  return (
    <Box ref={root} paddingX={6} paddingY={4} display="flex" flexDirection="column" gap={4} data-test-id="crm-order-widget">
      {body}
    </Box>
  );
}
