import { Box, Button, Input, Select, Text } from "@saleor/macaw-ui";
import { ArrowDown, ArrowUp, ChevronLeft, ChevronRight, FileText } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { Link } from "wouter";

import { EmptyState, ErrorState, Loading } from "../../components/states";
import { nodes, useQuery } from "../../core/api";
import { markDataShown } from "../../core/dashboard";
import { formatNumber, formatRelative } from "../../core/format";
import { graphql } from "../../gql";
import type { CrmTicketFilterInput, CrmTicketSortField, InboxQuery } from "../../gql/graphql";
import { cell, HeadCell, Table, TopBar } from "../customers/parts";
import { useRouteState } from "../customers/routing";
import { CHANNELS, options, PriorityPill, PRIORITIES, SlaPill, StatusPill, STATUSES } from "./parts";

const PAGE = 25;

/**
 * One request per screen: the page of tickets (keyset: `after`/`before` cursors, never an OFFSET) and, on a
 * first page, every view's count (one aggregate over all tickets: the costly part at 1M tickets, so turning
 * pages doesn't repeat it) and the assignee choices.
 */
const Inbox = graphql(`
  query Inbox(
    $first: Int
    $after: String
    $last: Int
    $before: String
    $filter: CrmTicketFilterInput
    $sortBy: CrmTicketSortingInput
    $withCounts: Boolean!
  ) {
    crmTickets(first: $first, after: $after, last: $last, before: $before, filter: $filter, sortBy: $sortBy) {
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          id
          reference
          subject
          status
          priority
          channel
          lastMessageAt
          assigneeName
          customer {
            id
            name
            email
          }
          sla {
            firstResponseDueAt
            resolutionDueAt
            firstResponseBreached
            resolutionBreached
            atRisk
            paused
          }
        }
      }
    }
    crmTicketViewCounts @include(if: $withCounts) {
      active
      open
      mine
      unassigned
      breached
      atRisk
      pending
      onHold
      solved
      closed
    }
    crmStaffMembers @include(if: $withCounts) {
      id
      name
      isViewer
    }
  }
`);

type Counts = NonNullable<InboxQuery["crmTicketViewCounts"]>;
type Staff = NonNullable<InboxQuery["crmStaffMembers"]>;

/** The inbox's views: a name, the filter it applies, and its count. */
const ACTIVE = ["NEW", "OPEN", "PENDING", "ON_HOLD"] as CrmTicketFilterInput["status"];
const VIEWS: { key: string; label: string; count: keyof Counts; filter: CrmTicketFilterInput }[] = [
  { key: "active", label: "All active", count: "active", filter: { status: ACTIVE } },
  { key: "mine", label: "Mine", count: "mine", filter: { status: ACTIVE, assignedToMe: true } },
  { key: "unassigned", label: "Unassigned", count: "unassigned", filter: { status: ACTIVE, unassigned: true } },
  { key: "open", label: "Open", count: "open", filter: { status: ["NEW", "OPEN"] } },
  { key: "breached", label: "SLA breached", count: "breached", filter: { status: ACTIVE, breached: true } },
  { key: "at-risk", label: "SLA at risk", count: "atRisk", filter: { status: ACTIVE, atRisk: true } },
  { key: "pending", label: "Pending", count: "pending", filter: { status: ["PENDING"] } },
  { key: "solved", label: "Solved", count: "solved", filter: { status: ["SOLVED"] } },
  { key: "closed", label: "Closed", count: "closed", filter: { status: ["CLOSED"] } },
];

const SORTS: { label: string; value: CrmTicketSortField }[] = [
  { label: "Last message", value: "LAST_MESSAGE_AT" },
  { label: "Created", value: "CREATED_AT" },
  { label: "Priority", value: "PRIORITY" },
  { label: "First response due", value: "FIRST_RESPONSE_DUE_AT" },
  { label: "Resolution due", value: "RESOLUTION_DUE_AT" },
];

/** The filter of the URL's view refined by the filter bar (a bar choice narrows the view). */
function filterFrom(params: URLSearchParams): CrmTicketFilterInput {
  const view = VIEWS.find((candidate) => candidate.key === (params.get("view") ?? "active")) ?? VIEWS[0];
  const filter: CrmTicketFilterInput = { ...view.filter };
  const status = params.get("status");
  if (status) filter.status = [status as (typeof STATUSES)[number]];
  if (params.get("priority")) filter.priority = [params.get("priority") as (typeof PRIORITIES)[number]];
  if (params.get("channel")) filter.channel = [params.get("channel") as (typeof CHANNELS)[number]];
  const assignee = params.get("assignee");
  if (assignee === "none") filter.unassigned = true;
  else if (assignee) filter.assignee = assignee;
  if (params.get("q")) filter.search = params.get("q");
  return filter;
}

/** Orders → Helpdesk: the support inbox. */
export default function InboxPage() {
  const { params, setParams, go } = useRouteState();
  const [staff, setStaff] = useState<Staff>([]);
  const [counts, setCounts] = useState<Counts | null>(null);
  const view = params.get("view") ?? "active";
  const filter = filterFrom(params);
  const field = (params.get("sort") as CrmTicketSortField | null) ?? "LAST_MESSAGE_AT";
  const direction = params.get("dir") === "asc" ? "ASC" : "DESC";
  const before = params.get("before");
  const page = before ? { last: PAGE, before } : { first: PAGE, after: params.get("after") || undefined };
  const withCounts = !params.get("after") && !before;
  const { data, error, loading, refetch } = useQuery(Inbox, { ...page, filter, sortBy: { field, direction }, withCounts });
  const [search, setSearch] = useState(params.get("q") ?? "");
  const typed = useRef(false);

  useEffect(() => {
    if (!data) return;
    if (data.crmStaffMembers) setStaff(data.crmStaffMembers);
    if (data.crmTicketViewCounts) setCounts(data.crmTicketViewCounts);
    markDataShown();
  }, [data]);

  // Search as the agent types, a moment after the last key (the URL, and so the request, follows).
  useEffect(() => {
    if (!typed.current) return;
    const timer = setTimeout(() => setParams({ q: search || null, after: null, before: null }, { replace: true }), 350);
    return () => clearTimeout(timer);
  }, [search, setParams]);

  const refine = (change: Record<string, string | null>) => setParams({ ...change, after: null, before: null });
  const tickets = nodes(data?.crmTickets);
  const info = data?.crmTickets?.pageInfo;
  const assigneeOptions = [
    { label: "Anyone", value: "" },
    { label: "Unassigned", value: "none" },
    ...staff.map((member) => ({ label: member.isViewer ? `${member.name} (me)` : member.name, value: member.id })),
  ];
  const pick = (list: { label: string; value: string }[], value: string | null) =>
    list.find((option) => option.value === (value ?? "")) ?? list[0];

  return (
    <Box>
      <TopBar title="Helpdesk" subtitle={counts ? `${formatNumber(counts.active)} active ${counts.active === 1 ? "ticket" : "tickets"}` : undefined}>
        <Button variant="secondary" onClick={() => go("/helpdesk/macros")} data-test-id="crm-macros-link">
          <FileText size={16} /> Macros
        </Button>
      </TopBar>
      <Box display="grid" __gridTemplateColumns="220px minmax(0, 1fr)">
        <Box as="nav" aria-label="Inbox views" padding={4} borderRightStyle="solid" borderRightWidth={1} borderColor="default1">
          <Box as="ul" margin={0} padding={0} display="flex" flexDirection="column" gap={0.5} data-test-id="crm-inbox-views">
            {VIEWS.map((candidate) => {
              const selected = candidate.key === view;
              return (
                <Box as="li" key={candidate.key} listStyleType="none">
                  <Box
                    as="button"
                    width="100%"
                    display="flex"
                    justifyContent="space-between"
                    alignItems="center"
                    paddingX={3}
                    paddingY={2}
                    borderRadius={3}
                    borderWidth={0}
                    cursor="pointer"
                    backgroundColor={selected ? "default1Pressed" : { default: "default1", hover: "default1Hovered" }}
                    aria-current={selected ? "page" : undefined}
                    data-test-id={`crm-view-${candidate.key}`}
                    onClick={() => refine({ view: candidate.key === "active" ? null : candidate.key, status: null })}
                  >
                    <Text size={2} fontWeight={selected ? "bold" : "regular"}>
                      {candidate.label}
                    </Text>
                    <Text size={2} color="default2">
                      {counts ? formatNumber(counts[candidate.count]) : ""}
                    </Text>
                  </Box>
                </Box>
              );
            })}
          </Box>
        </Box>
        <Box padding={6} display="flex" flexDirection="column" gap={4} minWidth={0}>
          <Box display="flex" gap={3} flexWrap="wrap" alignItems="flex-end">
            <Box __flex="2 1 220px">
              <Input
                size="small"
                label="Search subject, messages, email or T-42"
                value={search}
                data-test-id="crm-inbox-search"
                onChange={(event) => {
                  typed.current = true;
                  setSearch(event.target.value);
                }}
              />
            </Box>
            <Box __flex="1 1 120px">
              <Select size="small" label="Status" options={options(STATUSES, "Any status")} value={pick(options(STATUSES, "Any status"), params.get("status"))} onChange={(option) => refine({ status: option.value || null })} />
            </Box>
            <Box __flex="1 1 120px">
              <Select size="small" label="Priority" options={options(PRIORITIES, "Any priority")} value={pick(options(PRIORITIES, "Any priority"), params.get("priority"))} onChange={(option) => refine({ priority: option.value || null })} data-test-id="crm-filter-priority" />
            </Box>
            <Box __flex="1 1 120px">
              <Select size="small" label="Channel" options={options(CHANNELS, "Any channel")} value={pick(options(CHANNELS, "Any channel"), params.get("channel"))} onChange={(option) => refine({ channel: option.value || null })} />
            </Box>
            <Box __flex="1 1 140px">
              <Select size="small" label="Assignee" options={assigneeOptions} value={pick(assigneeOptions, params.get("assignee"))} onChange={(option) => refine({ assignee: option.value || null })} />
            </Box>
            <Box __flex="1 1 150px" display="flex" gap={1} alignItems="flex-end">
              <Select size="small" label="Sort by" options={SORTS} value={SORTS.find((sort) => sort.value === field) ?? SORTS[0]} onChange={(option) => refine({ sort: option.value === "LAST_MESSAGE_AT" ? null : option.value })} />
              <Button
                variant="tertiary"
                size="small"
                aria-label={direction === "ASC" ? "Ascending, switch to descending" : "Descending, switch to ascending"}
                onClick={() => refine({ dir: direction === "ASC" ? null : "asc" })}
              >
                {direction === "ASC" ? <ArrowUp size={16} /> : <ArrowDown size={16} />}
              </Button>
            </Box>
          </Box>
          {loading && !data ? (
            <Loading lines={10} />
          ) : error ? (
            <ErrorState error={error} onRetry={refetch} />
          ) : tickets.length === 0 ? (
            <EmptyState title="No tickets here">Nothing matches this view and these filters.</EmptyState>
          ) : (
            <TicketTable tickets={tickets} busy={loading} />
          )}
          {info && (info.hasNextPage || info.hasPreviousPage) && (
            <Box display="flex" gap={2} justifyContent="flex-end">
              <Button variant="secondary" aria-label="Previous page" disabled={!info.hasPreviousPage} onClick={() => setParams({ before: info.startCursor ?? null, after: null })} data-test-id="crm-inbox-previous">
                <ChevronLeft size={16} />
              </Button>
              <Button variant="secondary" aria-label="Next page" disabled={!info.hasNextPage} onClick={() => setParams({ after: info.endCursor ?? null, before: null })} data-test-id="crm-inbox-next">
                <ChevronRight size={16} />
              </Button>
            </Box>
          )}
        </Box>
      </Box>
    </Box>
  );
}

type Ticket = NonNullable<NonNullable<NonNullable<InboxQuery["crmTickets"]>["edges"][number]>["node"]>;

function TicketTable({ tickets, busy }: { tickets: Ticket[]; busy: boolean }) {
  return (
    <Box opacity={busy ? "0.6" : "1"} aria-busy={busy}>
      <Table
        testId="crm-inbox"
        head={
          <>
            <HeadCell>Ticket</HeadCell>
            <HeadCell>Customer</HeadCell>
            <HeadCell>Status</HeadCell>
            <HeadCell>Assignee</HeadCell>
            <HeadCell>SLA</HeadCell>
            <HeadCell align="right">Last message</HeadCell>
          </>
        }
      >
        {tickets.map((ticket) => (
          <Box as="tr" key={ticket.id} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1" data-test-id="crm-inbox-row">
            <Box as="td" {...cell} __maxWidth="360px">
              <Link href={`/helpdesk/tickets/${encodeURIComponent(ticket.id)}`}>
                <Text size={2} fontWeight="medium" textDecoration="underline" ellipsis display="block">
                  {ticket.subject}
                </Text>
              </Link>
              <Text size={1} color="default2">
                {ticket.reference} · {ticket.channel.toLowerCase()}
              </Text>
            </Box>
            <Box as="td" {...cell}>
              <Text size={2} ellipsis display="block" __maxWidth="200px">
                {ticket.customer.name || ticket.customer.email}
              </Text>
            </Box>
            <Box as="td" {...cell}>
              <Box display="flex" gap={1} flexWrap="wrap">
                <StatusPill status={ticket.status} />
                {ticket.priority !== "NORMAL" && <PriorityPill priority={ticket.priority} />}
              </Box>
            </Box>
            <Box as="td" {...cell}>
              <Text size={2} color={ticket.assigneeName ? "default1" : "default2"}>
                {ticket.assigneeName ?? "Unassigned"}
              </Text>
            </Box>
            <Box as="td" {...cell}>
              <SlaPill sla={ticket.sla} />
            </Box>
            <Box as="td" {...cell} textAlign="right">
              <Text size={2} color="default2" whiteSpace="nowrap">
                {formatRelative(ticket.lastMessageAt)}
              </Text>
            </Box>
          </Box>
        ))}
      </Table>
    </Box>
  );
}
