import { lazy, type ReactNode, Suspense } from "react";
import { Route, Router, Switch } from "wouter";

import { Loading, NoPermission, OutsideDashboard } from "../components/states";
import { DashboardThemeProvider } from "../core/theme";
import { useSession } from "../core/session";

/** Where the plugin serves the app (Vite `base` without the trailing slash). */
const BASE = import.meta.env.BASE_URL.replace(/\/$/, "");

// One chunk per screen: a widget never downloads the pages' code.
const CustomerWidget = lazy(() => import("../widgets/CustomerWidget"));
const OrderWidget = lazy(() => import("../widgets/OrderWidget"));
const AdjustPointsPopup = lazy(() => import("../popups/AdjustPointsPopup"));
const OpenTicketPopup = lazy(() => import("../popups/OpenTicketPopup"));
const ExportPopup = lazy(() => import("../popups/ExportPopup"));
const CustomerListPage = lazy(() => import("../pages/customers/CustomerListPage"));
const CustomerPage = lazy(() => import("../pages/customers/CustomerPage"));
const SegmentListPage = lazy(() => import("../pages/segments/SegmentListPage"));
const SegmentEditorPage = lazy(() => import("../pages/segments/SegmentEditorPage"));
const SegmentPage = lazy(() => import("../pages/segments/SegmentPage"));
const InboxPage = lazy(() => import("../pages/helpdesk/InboxPage"));
const TicketPage = lazy(() => import("../pages/helpdesk/TicketPage"));
const MacrosPage = lazy(() => import("../pages/helpdesk/MacrosPage"));
const LoyaltyPage = lazy(() => import("../pages/loyalty/LoyaltyPage"));
const FlowListPage = lazy(() => import("../pages/automation/FlowListPage"));
const FlowEditorPage = lazy(() => import("../pages/automation/FlowEditorPage"));
const MessagesPage = lazy(() => import("../pages/automation/MessagesPage"));
const AnalyticsPage = lazy(() => import("../pages/analytics/AnalyticsPage"));

/** Renders the screen once the dashboard has handed over a token. */
function WithSession({ children }: { children: ReactNode }) {
  const { status } = useSession();
  if (status === "outside") return <OutsideDashboard />;
  if (status === "waiting") return <Loading />;
  return <Suspense fallback={<Loading />}>{children}</Suspense>;
}

export function App() {
  return (
    <DashboardThemeProvider>
      <WithSession>
        <Router base={BASE}>
          <Switch>
            <Route path="/widgets/customer" component={CustomerWidget} />
            <Route path="/widgets/order" component={OrderWidget} />
            <Route path="/popups/adjust-points" component={AdjustPointsPopup} />
            <Route path="/popups/open-ticket" component={OpenTicketPopup} />
            <Route path="/popups/export" component={ExportPopup} />
            <Route path="/customers" component={CustomerListPage} />
            <Route path="/customers/:id" component={CustomerPage} />
            <Route path="/segments" component={SegmentListPage} />
            <Route path="/segments/new" component={SegmentEditorPage} />
            <Route path="/segments/:id/edit" component={SegmentEditorPage} />
            <Route path="/segments/:id" component={SegmentPage} />
            <Route path="/helpdesk" component={InboxPage} />
            <Route path="/helpdesk/macros" component={MacrosPage} />
            <Route path="/helpdesk/tickets/:id" component={TicketPage} />
            <Route path="/loyalty" component={LoyaltyPage} />
            <Route path="/automation" component={FlowListPage} />
            <Route path="/automation/messages" component={MessagesPage} />
            <Route path="/automation/flows/:id" component={FlowEditorPage} />
            <Route path="/analytics" component={AnalyticsPage} />
            <Route path="/">{() => <CustomerListPage />}</Route>
            <Route>{() => <NoPermission permissions={[]} />}</Route>
          </Switch>
        </Router>
      </WithSession>
    </DashboardThemeProvider>
  );
}
