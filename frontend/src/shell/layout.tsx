import { Box, Button, Text } from "@saleor/macaw-ui";
import { Home, LogOut, Moon, ShoppingCart, Sun, Users } from "lucide-react";
import type { ReactNode } from "react";

import { extensionsAt, shellData } from "./data";
import { useHost } from "./host";

type Section = "home" | "orders" | "customers" | "crm";

function NavItem({ href, icon, label, active, nested }: { href: string; icon?: ReactNode; label: string; active: boolean; nested?: boolean }) {
  return (
    <Box
      as="a"
      href={href}
      display="flex"
      alignItems="center"
      gap={3}
      paddingX={3}
      paddingY={2}
      paddingLeft={nested ? 10 : 3}
      borderRadius={3}
      backgroundColor={active ? "default1" : { default: "transparent", hover: "default1Hovered" }}
      textDecoration="none"
      data-test-id={`shell-nav-${label.toLowerCase()}`}
    >
      {icon}
      <Text size={3} fontWeight={active ? "bold" : "medium"}>
        {label}
      </Text>
    </Box>
  );
}

/** Saleor Dashboard's frame: sidebar navigation, top bar with the page title, theme switch. */
export function ShellLayout({ section, title, actions, children }: { section: Section; title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  const { theme, setTheme } = useHost();
  const crmPages = extensionsAt("NAVIGATION_CUSTOMERS");
  const orderPages = extensionsAt("NAVIGATION_ORDERS");
  const iconProps = { size: 18, strokeWidth: 1.6 };
  return (
    <Box display="grid" __gridTemplateColumns="256px 1fr" __minHeight="100vh" backgroundColor="default1">
      <Box as="nav" backgroundColor="default2" padding={3} display="flex" flexDirection="column" gap={1} borderRightStyle="solid" borderRightWidth={1} borderColor="default1">
        <Box display="flex" alignItems="center" gap={2} paddingX={3} paddingY={4}>
          <Box __width="28px" __height="28px" borderRadius={3} backgroundColor="accent1" display="flex" alignItems="center" justifyContent="center">
            <Text size={3} fontWeight="bold" color="buttonDefaultPrimary">
              S
            </Text>
          </Box>
          <Text size={4} fontWeight="bold">
            Saleor sandbox
          </Text>
        </Box>
        <NavItem href="/dashboard/" icon={<Home {...iconProps} />} label="Home" active={section === "home"} />
        <NavItem href="/dashboard/orders/" icon={<ShoppingCart {...iconProps} />} label="Orders" active={section === "orders"} />
        {orderPages.map((page) => (
          <NavItem
            key={page.identifier}
            href={`/dashboard/crm${page.url}`}
            label={page.label}
            active={section === "crm" && window.location.pathname.startsWith(`/dashboard/crm${page.url}`)}
            nested
          />
        ))}
        <NavItem href="/dashboard/customers/" icon={<Users {...iconProps} />} label="Customers" active={section === "customers"} />
        {crmPages.map((page) => (
          <NavItem
            key={page.identifier}
            href={`/dashboard/crm${page.url}`}
            label={page.label}
            active={section === "crm" && window.location.pathname.startsWith(`/dashboard/crm${page.url}`)}
            nested
          />
        ))}
        <Box flexGrow="1" />
        <Box display="flex" alignItems="center" justifyContent="space-between" paddingX={3} paddingY={2} gap={2}>
          <Text size={2} color="default2" ellipsis __minWidth="0" data-test-id="shell-staff">
            {shellData.staff.email}
          </Text>
          <Box display="flex" gap={1}>
            <Button
              variant="tertiary"
              size="small"
              icon={theme === "dark" ? <Sun {...iconProps} /> : <Moon {...iconProps} />}
              onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
              title="Switch theme"
              data-test-id="shell-theme-toggle"
            />
            <Button as="a" href="/dashboard/logout/" variant="tertiary" size="small" icon={<LogOut {...iconProps} />} title="Sign out" />
          </Box>
        </Box>
      </Box>
      <Box display="flex" flexDirection="column" __minWidth="0">
        <Box display="flex" alignItems="center" justifyContent="space-between" paddingX={6} paddingY={4} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1" gap={4}>
          <Text size={8} fontWeight="bold" as="h1" margin={0}>
            {title}
          </Text>
          <Box display="flex" gap={2} alignItems="center">
            {actions}
          </Box>
        </Box>
        <Box flexGrow="1" display="flex" flexDirection="column">
          {children}
        </Box>
      </Box>
    </Box>
  );
}

/** A dashboard card: bordered box with a title. */
export function Card({ title, children, testId, padding = true }: { title?: ReactNode; children: ReactNode; testId?: string; padding?: boolean }) {
  return (
    <Box borderStyle="solid" borderWidth={1} borderColor="default1" borderRadius={4} backgroundColor="default1" data-test-id={testId} overflow="hidden">
      {title && (
        <Box paddingX={6} paddingTop={5} paddingBottom={2}>
          <Text size={5} fontWeight="bold">
            {title}
          </Text>
        </Box>
      )}
      <Box paddingX={padding ? 6 : 0} paddingBottom={padding ? 5 : 0}>
        {children}
      </Box>
    </Box>
  );
}
