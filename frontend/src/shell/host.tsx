import { Box, Text } from "@saleor/macaw-ui";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";

import { type ManifestExtension, shellData } from "./data";

/**
 * The dashboard side of App Bridge, as Saleor Dashboard 3.23.27 speaks it (src/extensions/views/
 * ViewManifestExtension/components/AppFrame): handshake on load and on `notifyReady`, `theme` and
 * `tokenRefresh` events, `{type: "response", payload: {actionId, ok}}` for every action.
 */
export type ThemeName = "light" | "dark";

interface Toast {
  id: number;
  status: string;
  title?: string;
  text?: string;
}

interface HostState {
  token: string | null;
  theme: ThemeName;
  setTheme: (theme: ThemeName) => void;
  toast: (toast: Omit<Toast, "id">) => void;
  openPopup: (extension: ManifestExtension, params: Record<string, string>) => void;
  /** Incremented when an app asks to refresh the entity: widgets remount. */
  entityVersion: number;
  refreshEntity: () => void;
}

const HostContext = createContext<HostState | null>(null);

export function useHost(): HostState {
  const host = useContext(HostContext);
  if (!host) throw new Error("useHost outside <HostProvider>");
  return host;
}

const REFRESH_BEFORE_MS = 30_000; // like the dashboard's useTokenRefresh

/** Fetches the staff user's extension token from the sandbox and renews it before it expires. */
function useExtensionToken(): string | null {
  const [token, setToken] = useState<string | null>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    let stopped = false;
    const fetchToken = async () => {
      try {
        const response = await fetch("/dashboard/token", {
          method: "POST",
          headers: { "X-CSRFToken": shellData.csrfToken },
          credentials: "same-origin",
        });
        if (response.status === 401) {
          window.location.href = `/dashboard/login/?next=${encodeURIComponent(window.location.pathname)}`;
          return;
        }
        const body: { token: string; expiresIn: number } = await response.json();
        if (stopped) return;
        setToken(body.token);
        timer = setTimeout(fetchToken, Math.max(body.expiresIn * 1000 - REFRESH_BEFORE_MS, 5_000));
      } catch {
        timer = setTimeout(fetchToken, 5_000); // poll until the sandbox answers
      }
    };
    fetchToken();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return token;
}

function initialTheme(): ThemeName {
  const asked = new URLSearchParams(window.location.search).get("theme");
  if (asked === "dark" || asked === "light") return asked;
  return localStorage.getItem("crm-shell-theme") === "dark" ? "dark" : "light";
}

export function HostProvider({ children }: { children: ReactNode }) {
  const token = useExtensionToken();
  const [theme, setThemeState] = useState<ThemeName>(initialTheme);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [popup, setPopup] = useState<{ extension: ManifestExtension; params: Record<string, string> } | null>(null);
  const [entityVersion, setEntityVersion] = useState(0);
  const nextId = useRef(1);

  const setTheme = useCallback((value: ThemeName) => {
    localStorage.setItem("crm-shell-theme", value); // the shell's own preference, not a token
    setThemeState(value);
  }, []);
  const toast = useCallback((value: Omit<Toast, "id">) => {
    const id = nextId.current++;
    setToasts((current) => [...current, { ...value, id }]);
    setTimeout(() => setToasts((current) => current.filter((item) => item.id !== id)), 6000);
  }, []);
  const openPopup = useCallback(
    (extension: ManifestExtension, params: Record<string, string>) => setPopup({ extension, params }),
    [],
  );
  const refreshEntity = useCallback(() => setEntityVersion((value) => value + 1), []);

  const state: HostState = { token, theme, setTheme, toast, openPopup, entityVersion, refreshEntity };
  return (
    <HostContext.Provider value={state}>
      {children}
      {popup && <PopupDialog {...popup} onClose={() => setPopup(null)} />}
      <Box position="fixed" __bottom="24px" __right="24px" display="flex" flexDirection="column" gap={2} __zIndex="1000">
        {toasts.map((item) => (
          <Box
            key={item.id}
            data-test-id="shell-toast"
            data-status={item.status}
            backgroundColor="default1"
            borderStyle="solid"
            borderWidth={1}
            borderColor={item.status === "error" ? "critical1" : "default1"}
            borderRadius={4}
            padding={4}
            boxShadow="defaultOverlay"
            __width="320px"
          >
            <Text size={3} fontWeight="bold" display="block">
              {item.title}
            </Text>
            {item.text && (
              <Text size={2} color="default2">
                {item.text}
              </Text>
            )}
          </Box>
        ))}
      </Box>
    </HostContext.Provider>
  );
}

/** An extension's absolute URL: APP_PAGE urls are relative to appUrl (joined, like the dashboard's urlJoin). */
function extensionUrl(url: string): string {
  return /^https?:/.test(url) ? url : shellData.appUrl.replace(/\/$/, "") + url;
}

/** The iframe URL the dashboard builds for GET extensions (ExtensionsUrls.resolveAppIframeUrl). */
function iframeUrl(url: string, params: Record<string, string>, theme: ThemeName): string {
  const absolute = new URL(extensionUrl(url));
  const query = new URLSearchParams({
    domain: new URL(shellData.saleorApiUrl).host,
    saleorApiUrl: shellData.saleorApiUrl,
    id: shellData.appId,
    ...params,
    theme,
  });
  return `${absolute.origin}${absolute.pathname}?${query}`;
}

/** Where an app's `redirect` goes in the shell: app deep links, dashboard paths, or another site. */
function resolveRedirect(to: string): string {
  const appPrefix = "/extensions/app/";
  if (to.startsWith(appPrefix)) {
    const rest = to.slice(appPrefix.length);
    const slash = rest.indexOf("/");
    return `/dashboard/crm${slash >= 0 ? rest.slice(slash) : "/"}`;
  }
  if (to.startsWith("/")) return `/dashboard${to}`;
  return to;
}

interface FrameProps {
  extension: ManifestExtension;
  params: Record<string, string>;
  target: "WIDGET" | "POPUP" | "APP_PAGE";
  onClose?: () => void;
  testId: string;
  height?: string;
}

/**
 * One App frame, GET or (for POST widgets) a form posted into it. A POST widget gets what the real
 * dashboard gives it and nothing more: no handshake and no theme event, and only `widgetResize` is
 * answered (IframePost + useWidgetIframeAutoHeight); GET frames get the full App Bridge.
 */
export function AppFrame({ extension, params, target, onClose, testId, height }: FrameProps) {
  const host = useHost();
  const frame = useRef<HTMLIFrameElement>(null);
  const form = useRef<HTMLFormElement>(null);
  const [loaded, setLoaded] = useState(false);
  const posted = target === "WIDGET" && extension.options?.widgetTarget?.method === "POST";
  const appOrigin = new URL(extensionUrl(extension.url)).origin;
  const frameName = `ext-frame-${extension.identifier}`;
  const { token, theme } = host;
  // The theme is fixed at mount like the dashboard's iframe src; later changes go as events.
  const [src] = useState(() => (posted ? "about:blank" : iframeUrl(extension.url, params, theme)));
  const hostRef = useRef(host);
  hostRef.current = host;

  const post = useCallback(
    (message: unknown) => frame.current?.contentWindow?.postMessage(message, appOrigin),
    [appOrigin],
  );
  const handshake = useCallback(() => {
    if (!hostRef.current.token) return;
    post({
      type: "handshake",
      payload: {
        token: hostRef.current.token,
        version: 1,
        saleorVersion: shellData.versions.core,
        dashboardVersion: shellData.versions.dashboard,
      },
    });
  }, [post]);

  useEffect(() => {
    if (posted && token && form.current && !form.current.dataset.sent) {
      form.current.dataset.sent = "1";
      form.current.submit();
    }
  }, [posted, token]);

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      if (event.source !== frame.current?.contentWindow || event.origin !== appOrigin) return;
      const action = event.data as { type?: string; payload?: Record<string, unknown> & { actionId?: string } };
      const actionId = action?.payload?.actionId;
      if (!action?.type || typeof actionId !== "string") return;
      const payload = action.payload!;
      const respond = (ok: boolean) => post({ type: "response", payload: { actionId, ok } });
      if (action.type === "widgetResize") {
        const wanted = Number(payload.height);
        if (frame.current && Number.isFinite(wanted) && wanted > 0) {
          frame.current.style.height = `${Math.min(Math.ceil(wanted), 5000)}px`;
        }
        respond(true);
        return;
      }
      if (posted) return; // the real dashboard ignores every other action from a POST widget
      const current = hostRef.current;
      switch (action.type) {
        case "notifyReady":
          handshake();
          respond(true);
          return;
        case "notification":
          current.toast({ status: String(payload.status ?? "info"), title: payload.title as string, text: payload.text as string });
          respond(true);
          return;
        case "redirect": {
          const to = resolveRedirect(String(payload.to ?? ""));
          if (payload.newContext) window.open(to);
          else window.location.assign(to);
          respond(true);
          return;
        }
        case "updateRouting":
          if (target === "APP_PAGE") {
            const route = `/dashboard/crm${String(payload.newRoute ?? "/")}`;
            if (window.location.pathname + window.location.search !== route) window.history.pushState(null, "", route);
          }
          respond(true);
          return;
        case "popupClose":
          onClose?.();
          respond(true);
          return;
        case "refreshEntity":
          current.refreshEntity();
          respond(true);
          return;
        case "openPopup": {
          const wanted = shellData.extensions.find(
            (candidate) => candidate.identifier === payload.extensionIdentifier && candidate.target === "POPUP",
          );
          if (!wanted) return respond(false);
          const appParams: Record<string, string> = typeof payload.params === "string" ? { appParams: payload.params } : {};
          current.openPopup(wanted, { ...params, ...appParams });
          respond(true);
          return;
        }
        default:
          respond(false);
      }
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, [appOrigin, handshake, onClose, params, post, posted, target]);

  // Token renewals reach frames that are running (useUpdateAppToken), themes too (GET frames only).
  const lastToken = useRef<string | null>(null);
  useEffect(() => {
    if (loaded && token && lastToken.current && lastToken.current !== token) {
      post({ type: "tokenRefresh", payload: { token } });
    }
    if (loaded) lastToken.current = token;
  }, [loaded, token, post]);
  useEffect(() => {
    if (loaded && !posted) post({ type: "theme", payload: { theme } });
  }, [loaded, posted, theme, post]);

  if (!token) return <Text size={2} color="default2">Signing in to the app…</Text>;
  return (
    <>
      {posted && (
        <form ref={form} action={extension.url} method="POST" target={frameName} style={{ display: "none" }}>
          <input type="hidden" name="saleorApiUrl" value={shellData.saleorApiUrl} />
          <input type="hidden" name="accessToken" value={token} />
          <input type="hidden" name="appId" value={shellData.appId} />
          {Object.entries(params).map(([key, value]) => (
            <input key={key} type="hidden" name={key} value={value} />
          ))}
        </form>
      )}
      <iframe
        ref={frame}
        name={frameName}
        src={posted ? undefined : src}
        data-test-id={testId}
        title={extension.label}
        sandbox="allow-same-origin allow-forms allow-scripts allow-downloads allow-popups"
        onLoad={() => {
          if (posted && !frame.current?.contentWindow?.location.href.startsWith("http")) return;
          if (!posted) handshake();
          setLoaded(true);
        }}
        style={{ border: 0, width: "100%", height: height ?? (target === "WIDGET" ? "200px" : "100%"), display: "block" }}
      />
    </>
  );
}

function PopupDialog({ extension, params, onClose }: { extension: ManifestExtension; params: Record<string, string>; onClose: () => void }) {
  return (
    <Box
      position="fixed"
      inset={0}
      __backgroundColor="rgba(0,0,0,0.4)"
      display="flex"
      alignItems="center"
      justifyContent="center"
      __zIndex="900"
      onClick={onClose}
    >
      <Box
        backgroundColor="default1"
        borderRadius={4}
        __width="min(720px, 92vw)"
        __height="min(560px, 86vh)"
        display="flex"
        flexDirection="column"
        overflow="hidden"
        onClick={(event) => event.stopPropagation()}
        data-test-id="shell-popup"
      >
        <Box display="flex" justifyContent="space-between" alignItems="center" padding={4} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1">
          <Text size={5} fontWeight="bold">
            {extension.label}
          </Text>
          <Text as="a" size={2} color="default2" cursor="pointer" onClick={onClose} data-test-id="shell-popup-close">
            Close
          </Text>
        </Box>
        <Box flexGrow="1">
          <AppFrame extension={extension} params={params} target="POPUP" onClose={onClose} testId="app-popup-frame" />
        </Box>
      </Box>
    </Box>
  );
}
