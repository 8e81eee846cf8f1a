import { actions, reportWidgetHeightFromElement } from "@saleor/app-sdk/app-bridge";
import { type RefObject, useLayoutEffect } from "react";

import { boot } from "./boot";
import { bridge } from "./session";

/**
 * Actions the app asks of Saleor Dashboard (App Bridge). Each is a no-op outside a dashboard frame;
 * failures (an older dashboard without the action) are logged, never shown as errors of the page.
 */
function dispatch(action: Parameters<NonNullable<typeof bridge>["dispatch"]>[0]): Promise<boolean> {
  if (!bridge) return Promise.resolve(false);
  return bridge.dispatch(action).then(
    () => true,
    (error: unknown) => {
      console.warn(`Dashboard did not handle ${action.type}`, error);
      return false;
    },
  );
}

/** A toast in the dashboard (the app's own frame may be a small widget or a closing popup). */
export function notify(status: "success" | "error" | "info" | "warning", title: string, text?: string) {
  return dispatch(actions.Notification({ status, title, text }));
}

/**
 * Whether the dashboard answers this frame's actions. It doesn't for POST-mounted widgets (Saleor
 * Dashboard 3.23 handles only `widgetResize` from those), so they hide links that need `redirect`.
 */
export const dashboardHandlesActions = bridge !== null && !boot.token;

/** Marks the moment a screen first shows its data (`performance.getEntriesByName("crm:data-shown")`). */
export function markDataShown() {
  if (performance.getEntriesByName("crm:data-shown").length === 0) performance.mark("crm:data-shown");
}

/** Open a page of this app inside the dashboard, e.g. `crmPage("/customers/<id>")`. */
export function openCrmPage(subpath: string) {
  const appId = boot.appId ?? bridge?.getState().id ?? "";
  return dispatch(actions.Redirect({ to: `/extensions/app/${encodeURIComponent(appId)}${subpath}` }));
}

/** Open a page of the dashboard itself, e.g. `/orders/<id>`. */
export function openDashboardPage(path: string) {
  return dispatch(actions.Redirect({ to: path }));
}

/** Tell the dashboard the app's own route changed (keeps the dashboard URL shareable). */
export function updateRouting(newRoute: string) {
  return dispatch(actions.UpdateRouting({ newRoute }));
}

/** Ask the dashboard to reload what its page shows (our widgets on it re-render with fresh data). */
export function refreshEntity() {
  return dispatch(actions.RefreshEntity());
}

/** Open one of this app's POPUP extensions from a widget (dashboard ≥ 3.23, GET widgets). */
export function openPopup(extensionIdentifier: string) {
  return dispatch(actions.OpenPopup({ extensionIdentifier }));
}

export function closePopup() {
  return dispatch(actions.PopupClose());
}

/**
 * Keep a widget's iframe as tall as its content (`widgetResize`, dashboard ≥ 3.23.7). Measures the
 * root element, not body/html, which stretch with the iframe.
 */
export function useWidgetResize(root: RefObject<HTMLElement | null>) {
  useLayoutEffect(() => {
    const element = root.current;
    const dashboard = bridge;
    if (!dashboard || !element) return;
    const report = () => reportWidgetHeightFromElement(dashboard, element);
    const observer = new ResizeObserver(report);
    observer.observe(element);
    report();
    return () => observer.disconnect();
  }, [root]);
}
