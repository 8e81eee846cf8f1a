import { Box, Button, Input, Text } from "@saleor/macaw-ui";
import { MoreHorizontal } from "lucide-react";
import { type ReactNode, useState } from "react";

import {
  type CustomerDetails,
  type CustomerRow,
  extensionsAt,
  type ManifestExtension,
  type OrderDetails,
  type OrderRow,
} from "./data";
import { AppFrame, useHost } from "./host";
import { Card, ShellLayout } from "./layout";

function money(amount: string, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(Number(amount));
}

function date(iso: string | null): string {
  return iso ? new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(iso)) : "—";
}

function Table({ head, children }: { head: string[]; children: ReactNode }) {
  return (
    <Box as="table" width="100%" borderCollapse="collapse">
      <thead>
        <tr>
          {head.map((cell) => (
            <Box as="th" key={cell} textAlign="left" paddingX={6} paddingY={3} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1">
              <Text size={2} color="default2" fontWeight="medium">
                {cell}
              </Text>
            </Box>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </Box>
  );
}

function Cell({ children }: { children: ReactNode }) {
  return (
    <Box as="td" paddingX={6} paddingY={3} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1">
      <Text size={3}>{children}</Text>
    </Box>
  );
}

function RowLink({ href, children, testId }: { href: string; children: ReactNode; testId?: string }) {
  return (
    <Box as="tr" cursor="pointer" backgroundColor={{ default: "default1", hover: "default1Hovered" }} onClick={() => window.location.assign(href)} data-test-id={testId}>
      {children}
    </Box>
  );
}

function SearchForm({ query, placeholder }: { query: string; placeholder: string }) {
  return (
    <Box as="form" method="get" paddingX={6} paddingY={4} __maxWidth="480px">
      <Input name="query" defaultValue={query} placeholder={placeholder} size="small" />
    </Box>
  );
}

export function CustomersScreen({ query, customers }: { query: string; customers: CustomerRow[] }) {
  return (
    <ShellLayout section="customers" title="Customers">
      <SearchForm query={query} placeholder="Search customers…" />
      <Table head={["Customer name", "Customer email", "No. of orders", "Last order"]}>
        {customers.map((customer) => (
          <RowLink key={customer.id} href={`/dashboard/customers/${customer.id}/`} testId="shell-customer-row">
            <Cell>{customer.name || "—"}</Cell>
            <Cell>{customer.email}</Cell>
            <Cell>{customer.ordersCount}</Cell>
            <Cell>{date(customer.lastOrderAt)}</Cell>
          </RowLink>
        ))}
      </Table>
    </ShellLayout>
  );
}

export function OrdersScreen({ query, orders }: { query: string; orders: OrderRow[] }) {
  return (
    <ShellLayout section="orders" title="Orders">
      <SearchForm query={query} placeholder="Search orders by number or email…" />
      <Table head={["Number", "Date", "Customer", "Payment", "Status", "Total"]}>
        {orders.map((order) => (
          <RowLink key={order.id} href={`/dashboard/orders/${order.id}/`} testId="shell-order-row">
            <Cell>#{order.number}</Cell>
            <Cell>{date(order.placedAt)}</Cell>
            <Cell>{order.email}</Cell>
            <Cell>{order.chargeStatus}</Cell>
            <Cell>{order.status}</Cell>
            <Cell>{money(order.total, order.currency)}</Cell>
          </RowLink>
        ))}
      </Table>
    </ShellLayout>
  );
}

/** The "…" menu of a details page: the POPUP extensions mounted there (Saleor's *_MORE_ACTIONS). */
function MoreActions({ mount, params }: { mount: string; params: Record<string, string> }) {
  const [open, setOpen] = useState(false);
  const { openPopup } = useHost();
  const popups = extensionsAt(mount).filter((extension) => extension.target === "POPUP");
  if (popups.length === 0) return null;
  return (
    <Box position="relative">
      <Button variant="secondary" icon={<MoreHorizontal size={18} />} onClick={() => setOpen(!open)} data-test-id="shell-more-actions" />
      {open && (
        <Box position="absolute" __right="0" __top="44px" backgroundColor="default1" borderStyle="solid" borderWidth={1} borderColor="default1" borderRadius={4} boxShadow="defaultOverlay" padding={1} __minWidth="240px" __zIndex="10">
          {popups.map((extension: ManifestExtension) => (
            <Box
              key={extension.identifier}
              paddingX={3}
              paddingY={2}
              borderRadius={3}
              cursor="pointer"
              backgroundColor={{ default: "default1", hover: "default1Hovered" }}
              onClick={() => {
                setOpen(false);
                openPopup(extension, params);
              }}
              data-test-id={`shell-action-${extension.identifier}`}
            >
              <Text size={3}>{extension.label}</Text>
            </Box>
          ))}
        </Box>
      )}
    </Box>
  );
}

/** The right column's app widgets for a mount, each in a card titled with the extension's label. */
function Widgets({ mount, params }: { mount: string; params: Record<string, string> }) {
  const { entityVersion } = useHost();
  return (
    <>
      {extensionsAt(mount)
        .filter((extension) => extension.target === "WIDGET")
        .map((extension) => (
          <Card key={`${extension.identifier}-${entityVersion}`} title={extension.label} padding={false} testId={`shell-widget-${extension.identifier}`}>
            <AppFrame extension={extension} params={params} target="WIDGET" testId="app-widget-frame" />
          </Card>
        ))}
    </>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box display="flex" flexDirection="column" gap={1}>
      <Text size={2} color="default2">
        {label}
      </Text>
      <Text size={3}>{children}</Text>
    </Box>
  );
}

function DetailsColumns({ main, side }: { main: ReactNode; side: ReactNode }) {
  return (
    <Box display="grid" __gridTemplateColumns="minmax(0, 1fr) 384px" gap={6} padding={6} alignItems="start">
      <Box display="flex" flexDirection="column" gap={6}>
        {main}
      </Box>
      <Box display="flex" flexDirection="column" gap={6}>
        {side}
      </Box>
    </Box>
  );
}

export function CustomerScreen({ customer, orders }: { customer: CustomerDetails; orders: OrderRow[] }) {
  const params = { customerId: customer.id };
  const name = `${customer.firstName} ${customer.lastName}`.trim() || customer.email;
  return (
    <ShellLayout section="customers" title={name} actions={<MoreActions mount="CUSTOMER_DETAILS_MORE_ACTIONS" params={params} />}>
      <DetailsColumns
        main={
          <>
            <Card title="Customer overview" testId="shell-customer-overview">
              <Box display="grid" __gridTemplateColumns="1fr 1fr" gap={4}>
                <Field label="First name">{customer.firstName || "—"}</Field>
                <Field label="Last name">{customer.lastName || "—"}</Field>
                <Field label="Email">{customer.email}</Field>
                <Field label="Active">{customer.isActive ? "Yes" : "No"}</Field>
                <Field label="Customer since">{date(customer.dateJoined)}</Field>
                <Field label="Last login">{date(customer.lastLogin)}</Field>
              </Box>
            </Card>
            <Card title="Recent orders" padding={false}>
              <Table head={["Number", "Date", "Status", "Total"]}>
                {orders.map((order) => (
                  <RowLink key={order.id} href={`/dashboard/orders/${order.id}/`}>
                    <Cell>#{order.number}</Cell>
                    <Cell>{date(order.placedAt)}</Cell>
                    <Cell>{order.status}</Cell>
                    <Cell>{money(order.total, order.currency)}</Cell>
                  </RowLink>
                ))}
              </Table>
            </Card>
          </>
        }
        side={
          <>
            <Card title="Address information">
              <Text size={2} color="default2">
                The sandbox store keeps no addresses.
              </Text>
            </Card>
            <Card title="Gift cards">
              <Text size={2} color="default2">
                No gift cards assigned.
              </Text>
            </Card>
            <Widgets mount="CUSTOMER_DETAILS_WIDGETS" params={params} />
          </>
        }
      />
    </ShellLayout>
  );
}

export function OrderScreen({ order }: { order: OrderDetails }) {
  const params = { orderId: order.id };
  return (
    <ShellLayout section="orders" title={`Order #${order.number}`} actions={<MoreActions mount="ORDER_DETAILS_MORE_ACTIONS" params={params} />}>
      <DetailsColumns
        main={
          <>
            <Card title={`${order.status} · ${order.chargeStatus}`} padding={false} testId="shell-order-lines">
              <Table head={["Product", "SKU", "Quantity", "Price", "Total"]}>
                {order.lines.map((line, index) => (
                  <tr key={index}>
                    <Cell>
                      {line.productName}
                      {line.variantName ? ` · ${line.variantName}` : ""}
                    </Cell>
                    <Cell>{line.sku || "—"}</Cell>
                    <Cell>{line.quantity}</Cell>
                    <Cell>{money(line.unitPrice, order.currency)}</Cell>
                    <Cell>{money(String(Number(line.unitPrice) * line.quantity), order.currency)}</Cell>
                  </tr>
                ))}
              </Table>
            </Card>
            <Card title="Payment summary">
              <Box display="grid" __gridTemplateColumns="1fr auto" gap={2}>
                <Text size={3}>Shipping</Text>
                <Text size={3}>{money(order.shipping, order.currency)}</Text>
                <Text size={3} fontWeight="bold">
                  Total
                </Text>
                <Text size={3} fontWeight="bold">
                  {money(order.total, order.currency)}
                </Text>
                <Text size={3}>Refunded</Text>
                <Text size={3}>{money(order.totalRefunded, order.currency)}</Text>
              </Box>
            </Card>
          </>
        }
        side={
          <>
            <Card title="Customer">
              {order.customerId ? (
                <Text as="a" size={3} color="accent1" href={`/dashboard/customers/${order.customerId}/`}>
                  {order.email}
                </Text>
              ) : (
                <Text size={3}>{order.email} (guest)</Text>
              )}
            </Card>
            <Card title="Sales channel">
              <Text size={3}>{order.channel}</Text>
            </Card>
            <Widgets mount="ORDER_DETAILS_WIDGETS" params={params} />
          </>
        }
      />
    </ShellLayout>
  );
}

export function AppPageScreen({ subpath }: { subpath: string }) {
  // The app page whose url the subpath is under names the screen (several share the one app frame).
  const pages = [...extensionsAt("NAVIGATION_CUSTOMERS"), ...extensionsAt("NAVIGATION_ORDERS")].filter(
    (extension) => extension.target === "APP_PAGE",
  );
  const page = pages.find((extension) => subpath.startsWith(extension.url)) ?? pages[0];
  return (
    <ShellLayout section="crm" title={page?.label ?? "CRM"}>
      {page ? (
        <Box flexGrow="1" display="flex" __minHeight="calc(100vh - 80px)">
          <AppFrame extension={{ ...page, url: subpath === "/" ? page.url : subpath }} params={{}} target="APP_PAGE" testId="app-page-frame" />
        </Box>
      ) : (
        <Text>No app page is installed.</Text>
      )}
    </ShellLayout>
  );
}
