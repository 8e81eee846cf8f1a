import { Box, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

/**
 * Building blocks of the customer pages, drawn like Saleor Dashboard's own: its top bar (title 6,
 * bottom border), its cards (title size 6 medium, content padded 6) and its detail layout (content
 * beside a bordered right column).
 */
export function TopBar({ title, subtitle, back, children }: {
  title: ReactNode;
  subtitle?: ReactNode;
  back?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <Box
      display="flex"
      alignItems="center"
      gap={3}
      paddingX={6}
      paddingY={4}
      borderBottomStyle="solid"
      borderBottomWidth={1}
      borderColor="default1"
      __minHeight="72px"
    >
      {back}
      <Box __flex="1 1 auto" display="flex" flexDirection="column" gap={0.5} minWidth={0}>
        {subtitle && (
          <Text size={2} color="default2" ellipsis>
            {subtitle}
          </Text>
        )}
        <Text size={6} ellipsis as="h1" data-test-id="crm-page-title">
          {title}
        </Text>
      </Box>
      <Box display="flex" gap={2} alignItems="center">
        {children}
      </Box>
    </Box>
  );
}

export function Card({ title, toolbar, children, testId }: {
  title: ReactNode;
  toolbar?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <Box display="flex" flexDirection="column" gap={4} paddingBottom={6} data-test-id={testId}>
      <Box paddingX={6} paddingTop={6} display="flex" alignItems="center" justifyContent="space-between" gap={2}>
        <Text size={6} fontWeight="medium">
          {title}
        </Text>
        {toolbar && (
          <Box display="flex" gap={2} alignItems="center">
            {toolbar}
          </Box>
        )}
      </Box>
      <Box paddingX={6}>{children}</Box>
    </Box>
  );
}

/** Main column beside a right column, like a Saleor detail page; one column on narrow frames. */
export function DetailLayout({ main, side }: { main: ReactNode; side: ReactNode }) {
  return (
    <Box display="grid" __gridTemplateColumns="minmax(0, 1fr) minmax(280px, 380px)" className="crm-detail">
      <Box display="flex" flexDirection="column" minWidth={0}>
        {main}
      </Box>
      <Box borderLeftStyle="solid" borderLeftWidth={1} borderColor="default1" display="flex" flexDirection="column">
        {side}
      </Box>
    </Box>
  );
}

/** A muted line explaining why a card is empty or what its figures mean. */
export function Hint({ children }: { children: ReactNode }) {
  return (
    <Text size={2} color="default2" display="block">
      {children}
    </Text>
  );
}

export function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box display="flex" justifyContent="space-between" gap={3} paddingY={1.5}>
      <Text size={2} color="default2">
        {label}
      </Text>
      <Text size={2} textAlign="right">
        {children}
      </Text>
    </Box>
  );
}

export const cell = { paddingX: 3, paddingY: 2.5 } as const;

/** A plain table with the dashboard's row lines; Datagrid would cost more than the whole page. */
export function Table({ head, children, testId }: { head: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <Box as="table" width="100%" __borderCollapse="collapse" data-test-id={testId}>
      <Box as="thead">
        <Box as="tr" borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1">
          {head}
        </Box>
      </Box>
      <Box as="tbody">{children}</Box>
    </Box>
  );
}

export function HeadCell({ children, align = "left" }: { children?: ReactNode; align?: "left" | "right" }) {
  return (
    <Box as="th" {...cell} textAlign={align} __fontWeight="inherit">
      <Text size={2} color="default2" fontWeight="medium">
        {children}
      </Text>
    </Box>
  );
}

/** The nodes of a connection (graphene types edges and nodes as nullable). */
export function nodes<T>(connection: { edges: ({ node: T | null } | null)[] } | null | undefined): T[] {
  return (connection?.edges ?? []).flatMap((edge) => (edge?.node ? [edge.node] : []));
}
