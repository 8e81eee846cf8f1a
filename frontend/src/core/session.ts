import { AppBridge } from "@saleor/app-sdk/app-bridge";
import { useSyncExternalStore } from "react";

import { boot, type ThemeName } from "./boot";

/**
 * The staff session inside the dashboard: the extension token (a 5-minute JWT for this app and the
 * staff user) and the theme. Kept in memory only: third-party iframes lose cookies, and a token in
 * localStorage would outlive the dashboard session that issued it.
 *
 * Sources, in order: `#crm-boot` (POST widgets get the token in the form the dashboard posts), then the
 * App Bridge `handshake`; `tokenRefresh` replaces the token, `theme` switches light/dark.
 */
export interface Session {
  token: string | null;
  theme: ThemeName;
  /** "waiting" until a token arrives; "outside" when the page is not framed by a dashboard. */
  status: "waiting" | "ready" | "outside";
}

const framed = window.parent !== window;

let session: Session = {
  token: boot.token,
  theme: boot.theme ?? "light",
  status: boot.token ? "ready" : framed ? "waiting" : "outside",
};
const listeners = new Set<() => void>();

function update(change: Partial<Session>) {
  session = { ...session, ...change };
  listeners.forEach((listener) => listener());
}

/**
 * The App Bridge to the dashboard, or null outside an iframe. POST widgets are not sent a handshake
 * by Saleor Dashboard (only tokenRefresh and widgetResize), so they don't announce themselves.
 */
export const bridge: AppBridge | null = framed
  ? new AppBridge({
      autoNotifyReady: !boot.token,
      initialTheme: session.theme,
      saleorApiUrl: boot.saleorApiUrl ?? undefined,
    })
  : null;

/**
 * The dashboard's events that change the session, read here rather than through the SDK's
 * subscriptions: the SDK decodes the handshake token as a JWT before notifying anyone, so a token of
 * another shape (the sandbox's) would never reach the page. Same origin rule as the SDK: the
 * dashboard that framed us (document.referrer).
 */
const dashboardOrigin = document.referrer ? new URL(document.referrer).origin : null;

if (framed) {
  window.addEventListener("message", (event: MessageEvent) => {
    if (event.source !== window.parent || event.origin !== dashboardOrigin) return;
    const { type, payload } = (event.data ?? {}) as { type?: string; payload?: { token?: unknown; theme?: unknown } };
    if ((type === "handshake" || type === "tokenRefresh") && typeof payload?.token === "string") {
      update({ token: payload.token, status: "ready" });
    } else if (type === "theme") {
      update({ theme: payload?.theme === "dark" ? "dark" : "light" });
    }
  });
}

export function currentToken(): string | null {
  return session.token;
}

/** Resolves with the next token the dashboard sends (after a 401), or null after `timeoutMs`. */
export function nextToken(timeoutMs: number): Promise<string | null> {
  const before = session.token;
  return new Promise((resolve) => {
    const done = (token: string | null) => {
      listeners.delete(check);
      clearTimeout(timer);
      resolve(token);
    };
    const check = () => {
      if (session.token && session.token !== before) done(session.token);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    listeners.add(check);
  });
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session {
  return useSyncExternalStore(subscribe, () => session);
}
