/** What the sandbox's shell view (saleor_crm_plugin/sandbox/shell.py) puts in `#shell-data`. */
export interface ManifestExtension {
  identifier: string;
  label: string;
  mount: string;
  target: "WIDGET" | "POPUP" | "APP_PAGE" | "NEW_TAB";
  url: string;
  permissions: string[];
  options?: { widgetTarget?: { method?: "GET" | "POST" } };
}

export interface CustomerRow {
  id: string;
  email: string;
  name: string;
  ordersCount: number;
  lastOrderAt: string | null;
}

export interface OrderRow {
  id: string;
  number: string;
  email: string;
  customerId: string | null;
  status: string;
  chargeStatus: string;
  total: string;
  currency: string;
  placedAt: string;
  channel: string;
}

export interface OrderDetails extends OrderRow {
  lines: { productName: string; variantName: string; sku: string; quantity: number; unitPrice: string }[];
  shipping: string;
  totalRefunded: string;
}

export interface CustomerDetails {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  isActive: boolean;
  dateJoined: string;
  lastLogin: string | null;
}

export type ShellPage =
  | { kind: "customers"; query: string; customers: CustomerRow[] }
  | { kind: "customer"; customer: CustomerDetails; orders: OrderRow[] }
  | { kind: "orders"; query: string; orders: OrderRow[] }
  | { kind: "order"; order: OrderDetails }
  | { kind: "app"; subpath: string };

export interface ShellData {
  staff: { email: string; name: string };
  appId: string;
  appUrl: string;
  saleorApiUrl: string;
  versions: { core: string; dashboard: string };
  extensions: ManifestExtension[];
  csrfToken: string;
  page: ShellPage;
}

export const shellData: ShellData = JSON.parse(document.getElementById("shell-data")?.textContent ?? "null");

export function extensionsAt(mount: string): ManifestExtension[] {
  return shellData.extensions.filter((extension) => extension.mount === mount);
}
