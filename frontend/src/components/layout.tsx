import { Box, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

/** A dashboard-like card: title row (with optional action) over its content. */
export function Section({
  title,
  action,
  children,
  testId,
}: {
  title: string;
  action?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Box display="flex" flexDirection="column" gap={2} data-test-id={testId}>
      <Box display="flex" justifyContent="space-between" alignItems="center" gap={2}>
        <Text size={3} fontWeight="bold">
          {title}
        </Text>
        {action}
      </Box>
      {children}
    </Box>
  );
}

/** Label over value, the dashboard's way of showing a figure. */
export function Figure({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <Box display="flex" flexDirection="column" gap={0.5} data-test-id={testId}>
      <Text size={1} color="default2">
        {label}
      </Text>
      <Text size={4} fontWeight="bold">
        {children}
      </Text>
    </Box>
  );
}

/** A full app page (APP_PAGE extension) with the dashboard's paddings and a title bar. */
export function PageLayout({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <Box display="flex" flexDirection="column" __minHeight="100vh" backgroundColor="default1">
      <Box
        display="flex"
        alignItems="center"
        justifyContent="space-between"
        paddingX={6}
        paddingY={4}
        borderBottomStyle="solid"
        borderBottomWidth={1}
        borderColor="default1"
      >
        <Text size={8} fontWeight="bold" as="h1">
          {title}
        </Text>
        {actions}
      </Box>
      <Box padding={6} display="flex" flexDirection="column" gap={6}>
        {children}
      </Box>
    </Box>
  );
}

/**
 * A small rounded label (segment, tag, status). Outlined in the tone's border colour on the default
 * background: macaw's tinted backgrounds (warning1…) are light in both themes, white text on them unreadable.
 */
export function Pill({ children, tone = "default" }: { children: ReactNode; tone?: "default" | "success" | "warning" | "critical" | "info" }) {
  const border = { default: "default1", success: "success1", warning: "warning1", critical: "critical1", info: "info1" } as const;
  return (
    <Box
      as="span"
      display="inline-flex"
      alignItems="center"
      paddingX={1.5}
      paddingY={0.5}
      borderRadius={3}
      borderStyle="solid"
      borderWidth={1}
      borderColor={border[tone]}
      backgroundColor="default1"
    >
      <Text size={1} whiteSpace="nowrap">
        {children}
      </Text>
    </Box>
  );
}
