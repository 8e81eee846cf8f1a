/**
 * What the page knows before any message from the dashboard: the `#crm-boot` JSON the plugin injects
 * into POST-mounted widgets (token, ids, theme), and the query parameters the dashboard adds to GET
 * iframes (`?id=<app id>&theme=…&customerId=…`).
 */
export type ThemeName = "light" | "dark";

export interface BootData {
  token: string | null;
  appId: string | null;
  saleorApiUrl: string | null;
  customerId: string | null;
  orderId: string | null;
  theme: ThemeName | null;
}

function readInjected(): Record<string, unknown> {
  const node = document.getElementById("crm-boot");
  if (!node?.textContent) return {};
  try {
    const parsed: unknown = JSON.parse(node.textContent);
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function theme(value: unknown): ThemeName | null {
  return value === "dark" || value === "light" ? value : null;
}

function readBoot(): BootData {
  const injected = readInjected();
  const query = new URLSearchParams(window.location.search);
  return {
    token: text(injected.token),
    appId: text(injected.appId) ?? text(query.get("id")),
    saleorApiUrl: text(injected.saleorApiUrl) ?? text(query.get("saleorApiUrl")),
    customerId: text(injected.customerId) ?? text(query.get("customerId")),
    orderId: text(injected.orderId) ?? text(query.get("orderId")),
    theme: theme(injected.theme) ?? theme(query.get("theme")),
  };
}

export const boot: BootData = readBoot();
