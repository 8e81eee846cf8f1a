import { EmptyState, ErrorState, Loading } from "../components/states";
import { useQuery } from "../core/api";
import { boot } from "../core/boot";
import { closePopup, notify, refreshEntity } from "../core/dashboard";
import { graphql } from "../gql";
import { TicketForm, type TicketTarget } from "./TicketForm";

const TicketCustomerQuery = graphql(`
  query TicketCustomer($customerId: ID!) {
    crmCustomerLookup(id: $customerId) {
      id
      name
      email
    }
  }
`);

const TicketOrderQuery = graphql(`
  query TicketOrder($orderId: ID!) {
    crmOrder(id: $orderId) {
      number
      customer {
        name
        email
      }
    }
  }
`);

/** More actions → Open a support ticket, on a customer's page or an order's. */
export default function OpenTicketPopup() {
  const orderId = boot.orderId ?? "";
  const customerId = orderId ? "" : (boot.customerId ?? "");
  const byCustomer = useQuery(TicketCustomerQuery, { customerId }, { skip: !customerId });
  const byOrder = useQuery(TicketOrderQuery, { orderId }, { skip: !orderId });
  const state = orderId ? byOrder : byCustomer;

  if (!orderId && !customerId) return <EmptyState title="Nothing selected">Open this from a customer's or an order's page.</EmptyState>;
  if (state.loading) return <Loading />;
  if (state.error) return <ErrorState error={state.error} onRetry={state.refetch} />;

  let target: TicketTarget | null = null;
  const order = byOrder.data?.crmOrder;
  const customer = byCustomer.data?.crmCustomerLookup;
  if (order) target = { order: orderId, label: `Order #${order.number} · ${order.customer.name || order.customer.email}` };
  else if (customer) target = { customer: customer.id, label: customer.name ? `${customer.name} · ${customer.email}` : customer.email };
  if (!target) return <EmptyState title="Unknown to the CRM">The CRM has no record of this yet; try again in a moment.</EmptyState>;

  const opened = async (reference: string) => {
    await notify("success", `Ticket ${reference} opened`, target.label);
    await refreshEntity();
    await closePopup();
  };
  return <TicketForm target={target} onOpened={opened} />;
}
