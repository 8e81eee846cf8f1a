import { Box, Button } from "@saleor/macaw-ui";
import { useLocation } from "wouter";

import { Pill } from "../../components/layout";
import { humanize } from "../../core/format";
import type { CrmMessageStatusEnum } from "../../gql/graphql";

/** The automation pages' own navigation: flows, and what they sent (messages and NPS). */
export function AutomationTabs() {
  const [location, navigate] = useLocation();
  const tabs = [
    { href: "/automation", label: "Flows", active: !location.startsWith("/automation/messages") },
    { href: "/automation/messages", label: "Messages & NPS", active: location.startsWith("/automation/messages") },
  ];
  return (
    <Box as="nav" display="flex" gap={1} aria-label="Automation">
      {tabs.map((tab) => (
        <Button
          key={tab.href}
          variant={tab.active ? "secondary" : "tertiary"}
          size="small"
          aria-current={tab.active ? "page" : undefined}
          onClick={() => navigate(tab.href)}
          data-test-id={`crm-automation-tab-${tab.label.split(" ")[0].toLowerCase()}`}
        >
          {tab.label}
        </Button>
      ))}
    </Box>
  );
}

export const PERIODS = [
  { label: "Last 7 days", value: "7" },
  { label: "Last 30 days", value: "30" },
  { label: "Last 90 days", value: "90" },
  { label: "Last 365 days", value: "365" },
];

/** Today's midnight (UTC) minus `days`: stable all day, so the request is too. */
export function daysAgo(days: number): string {
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  return new Date(today.getTime() - days * 86_400_000).toISOString();
}

/** "12.5 %" of `count` over `total`; "—" when nothing was sent. */
export function share(count: number, total: number): string {
  if (!total) return "—";
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format((100 * count) / total)} %`;
}

const STATUS_TONE = { SCHEDULED: "info", SENDING: "info", SENT: "success", SKIPPED: "default", FAILED: "critical" } as const;

export function MessageStatus({ status }: { status: CrmMessageStatusEnum }) {
  return <Pill tone={STATUS_TONE[status]}>{humanize(status)}</Pill>;
}

/** "2 days", "3 hours", "45 minutes": what a step's wait means. */
export function duration(minutes: number): string {
  if (minutes === 0) return "no wait";
  const [amount, unit] = minutes % 1440 === 0 ? [minutes / 1440, "day"] : minutes % 60 === 0 ? [minutes / 60, "hour"] : [minutes, "minute"];
  return `${amount} ${unit}${amount === 1 ? "" : "s"}`;
}
