import { Pill } from "../../components/layout";
import { formatDateTime, humanize } from "../../core/format";

/** Status, priority and SLA shown the same way in the inbox and on the ticket page. */
const STATUS_TONE = {
  NEW: "info",
  OPEN: "warning",
  PENDING: "default",
  ON_HOLD: "default",
  SOLVED: "success",
  CLOSED: "default",
} as const;

export function StatusPill({ status }: { status: keyof typeof STATUS_TONE }) {
  return <Pill tone={STATUS_TONE[status]}>{humanize(status)}</Pill>;
}

export function PriorityPill({ priority }: { priority: string }) {
  const tone = priority === "URGENT" ? "critical" : priority === "HIGH" ? "warning" : "default";
  return <Pill tone={tone}>{humanize(priority)}</Pill>;
}

export interface Sla {
  firstResponseDueAt?: string | null;
  resolutionDueAt?: string | null;
  firstResponseBreached: boolean;
  resolutionBreached: boolean;
  atRisk: boolean;
  paused?: boolean;
}

/** "Breached", "At risk" or the next due time; nothing for a ticket without targets. */
export function SlaPill({ sla }: { sla: Sla | null | undefined }) {
  if (!sla) return null;
  if (sla.firstResponseBreached || sla.resolutionBreached) return <Pill tone="critical">SLA breached</Pill>;
  if (sla.atRisk) return <Pill tone="warning">SLA at risk</Pill>;
  if (sla.paused) return <Pill>SLA paused</Pill>;
  const due = sla.firstResponseDueAt ?? sla.resolutionDueAt;
  return due ? <Pill>Due {formatDateTime(due)}</Pill> : null;
}

export const STATUSES = ["NEW", "OPEN", "PENDING", "ON_HOLD", "SOLVED", "CLOSED"] as const;
export const PRIORITIES = ["LOW", "NORMAL", "HIGH", "URGENT"] as const;
export const CHANNELS = ["WEB", "EMAIL", "CHAT", "PHONE", "SOCIAL", "STAFF"] as const;

export function options(values: readonly string[], any?: string) {
  const list = values.map((value) => ({ label: humanize(value), value }));
  return any ? [{ label: any, value: "" }, ...list] : list;
}
