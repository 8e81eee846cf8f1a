import { Box, Button, Skeleton, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

import { ApiError } from "../core/api";

/**
 * The four states every screen has besides its content. They explain; a blank frame never does.
 */
export function Loading({ lines = 4 }: { lines?: number }) {
  return (
    <Box display="flex" flexDirection="column" gap={3} padding={4} data-test-id="crm-loading" aria-busy>
      {Array.from({ length: lines }, (_, index) => (
        <Skeleton key={index} __height="20px" />
      ))}
    </Box>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Box padding={4} display="flex" flexDirection="column" gap={1} data-test-id="crm-empty">
      <Text size={3} fontWeight="medium">
        {title}
      </Text>
      {children && (
        <Text size={2} color="default2">
          {children}
        </Text>
      )}
    </Box>
  );
}

function Explanation({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <Box
      padding={4}
      display="flex"
      flexDirection="column"
      gap={2}
      borderRadius={4}
      borderStyle="solid"
      borderWidth={1}
      borderColor="default1"
      data-test-id={testId}
      role="alert"
    >
      <Text size={4} fontWeight="bold">
        {title}
      </Text>
      <Text size={2} color="default2">
        {children}
      </Text>
    </Box>
  );
}

export function NoPermission({ permissions }: { permissions: string[] }) {
  const needed = permissions.length > 0 ? permissions.join(" or ") : "a permission you don't have";
  return (
    <Explanation title="You can't see this" testId="crm-no-permission">
      You need the {needed} permission in Saleor to see CRM data here. Ask a staff member who manages
      permission groups (Configuration → Staff members) to add it to one of your groups.
    </Explanation>
  );
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  if (error instanceof ApiError && error.kind === "permission") {
    return <NoPermission permissions={error.permissionNames} />;
  }
  return (
    <Explanation title="Something went wrong" testId="crm-error">
      {error.message}{" "}
      {onRetry && (
        <Button variant="tertiary" size="small" onClick={onRetry}>
          Try again
        </Button>
      )}
    </Explanation>
  );
}

/** Shown when the page is opened outside Saleor Dashboard (no token can come). */
export function OutsideDashboard() {
  return (
    <Explanation title="Open this from Saleor Dashboard" testId="crm-outside">
      The CRM pages run inside Saleor Dashboard, which signs you in. Open Customers → CRM in your
      dashboard.
    </Explanation>
  );
}
