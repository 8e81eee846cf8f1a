import "@saleor/macaw-ui/style";
import "./base.css";

import { ThemeProvider, useTheme } from "@saleor/macaw-ui";
import { type ReactNode, useEffect } from "react";

import { useSession } from "./session";

const MACAW_THEME = { light: "defaultLight", dark: "defaultDark" } as const;

/** Follows the dashboard's theme (handshake, `theme` events) so the frame never flashes the other one. */
function FollowDashboardTheme() {
  const { theme } = useSession();
  const { setTheme } = useTheme();
  useEffect(() => {
    setTheme(MACAW_THEME[theme]);
    document.documentElement.dataset.theme = theme;
  }, [theme, setTheme]);
  return null;
}

export function DashboardThemeProvider({ children }: { children: ReactNode }) {
  const { theme } = useSession();
  return (
    <ThemeProvider defaultTheme={MACAW_THEME[theme]}>
      <FollowDashboardTheme />
      {children}
    </ThemeProvider>
  );
}
