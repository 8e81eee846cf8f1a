import "@saleor/macaw-ui/style";
import "../core/base.css";

import { ThemeProvider, useTheme } from "@saleor/macaw-ui";
import { StrictMode, useEffect } from "react";
import { createRoot } from "react-dom/client";

import { shellData } from "./data";
import { HostProvider, useHost } from "./host";
import { AppPageScreen, CustomerScreen, CustomersScreen, OrderScreen, OrdersScreen } from "./screens";

function FollowTheme() {
  const { theme } = useHost();
  const { setTheme } = useTheme();
  useEffect(() => setTheme(theme === "dark" ? "defaultDark" : "defaultLight"), [theme, setTheme]);
  return null;
}

function Screen() {
  const page = shellData.page;
  switch (page.kind) {
    case "customers":
      return <CustomersScreen query={page.query} customers={page.customers} />;
    case "customer":
      return <CustomerScreen customer={page.customer} orders={page.orders} />;
    case "orders":
      return <OrdersScreen query={page.query} orders={page.orders} />;
    case "order":
      return <OrderScreen order={page.order} />;
    case "app":
      return <AppPageScreen subpath={page.subpath} />;
  }
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ThemeProvider>
      <HostProvider>
        <FollowTheme />
        <Screen />
      </HostProvider>
    </ThemeProvider>
  </StrictMode>,
);
