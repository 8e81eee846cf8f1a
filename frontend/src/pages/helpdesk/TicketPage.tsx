import { Box, Button, Input, Select, Text, Textarea } from "@saleor/macaw-ui";
import { ArrowLeft, Lock } from "lucide-react";
import { useEffect, useState } from "react";
import { Link, useLocation, useParams } from "wouter";

import { Pill } from "../../components/layout";
import { ErrorState, Loading } from "../../components/states";
import { ApiError, nodes, request, useMutation, useQuery } from "../../core/api";
import { notify } from "../../core/dashboard";
import { formatDateTime, formatMoney, formatNumber, formatRelative } from "../../core/format";
import { graphql } from "../../gql";
import type { CrmTicketPriorityEnum, CrmTicketStatusEnum, TicketPageQuery } from "../../gql/graphql";
import { Card, DetailLayout, Hint, Row, TopBar } from "../customers/parts";
import { options, PRIORITIES, PriorityPill, SlaPill, STATUSES, StatusPill } from "./parts";

/** The ticket screen: request 1 is the ticket with everything the agent acts with. */
const TicketPageDocument = graphql(`
  query TicketPage($id: ID!) {
    crmTicket(id: $id) {
      id
      reference
      subject
      status
      priority
      channel
      tags
      createdAt
      solvedAt
      assigneeName
      assignee {
        id
      }
      customer {
        id
        name
        email
      }
      order {
        number
        total {
          amount
          currency
          fractionalAmount
          fractionDigits
        }
      }
      mergedInto {
        id
        reference
      }
      sla {
        firstResponseDueAt
        resolutionDueAt
        firstRespondedAt
        firstResponseBreached
        resolutionBreached
        atRisk
        paused
      }
      messages {
        id
        kind
        authorKind
        authorName
        body
        createdAt
        delivery {
          status
          reason
        }
      }
    }
    crmMacros(first: 100) {
      edges {
        node {
          id
          name
        }
      }
    }
    crmStaffMembers {
      id
      name
      isViewer
    }
    crmViewerPermissions
  }
`);

/**
 * Request 2, once the customer is known: the sidebar. Staff with MANAGE_USERS get orders and loyalty;
 * helpdesk staff with MANAGE_ORDERS only get the contact card and previous tickets (the API refuses the rest).
 */
const TicketSidebar = graphql(`
  query TicketSidebar($customer: ID!, $manager: Boolean!) {
    crmCustomerLookup(id: $customer) @include(if: $manager) {
      id
      ordersCount
      lastOrderAt
      spend {
        amount
        currency
        fractionalAmount
        fractionDigits
      }
    }
    crmCustomerTimeline(customer: $customer, categories: [ORDERS], first: 5) @include(if: $manager) {
      edges {
        node {
          id
          summary
          occurredAt
        }
      }
    }
    loyaltyAccount(customerId: $customer) @include(if: $manager) {
      available
      pending
      tier {
        current {
          name
        }
      }
    }
    crmTickets(first: 6, filter: { customer: $customer }) {
      edges {
        node {
          id
          reference
          subject
          status
          lastMessageAt
        }
      }
    }
  }
`);

const Reply = graphql(`
  mutation TicketReply($id: ID!, $input: CrmTicketReplyInput!) {
    crmTicketReply(id: $id, input: $input) {
      errors {
        field
        message
      }
    }
  }
`);
const Note = graphql(`
  mutation TicketNote($id: ID!, $input: CrmTicketNoteInput!) {
    crmTicketNoteAdd(id: $id, input: $input) {
      errors {
        field
        message
      }
    }
  }
`);
const Update = graphql(`
  mutation TicketUpdate($id: ID!, $input: CrmTicketUpdateInput!) {
    crmTicketUpdate(id: $id, input: $input) {
      errors {
        field
        message
      }
    }
  }
`);
const Merge = graphql(`
  mutation TicketMerge($source: ID!, $target: ID!) {
    crmTicketMerge(source: $source, target: $target) {
      errors {
        field
        message
      }
      ticket {
        id
      }
    }
  }
`);
const MacroPreview = graphql(`
  query MacroPreview($ticket: ID!, $macro: ID!) {
    crmMacroPreview(ticket: $ticket, macro: $macro) {
      text
      unknownPlaceholders
    }
  }
`);

type Ticket = NonNullable<TicketPageQuery["crmTicket"]>;

function firstError(errors: { message?: string | null }[] | undefined | null): string | null {
  return errors && errors.length > 0 ? (errors[0].message ?? "The change failed.") : null;
}

/** `/helpdesk/tickets/:id`: thread, reply with macros, workflow fields, SLA, merge and the customer. */
export default function TicketPage() {
  const { id: raw } = useParams<{ id: string }>();
  const id = decodeURIComponent(raw);
  const { data, error, loading, refetch } = useQuery(TicketPageDocument, { id });
  if (loading && !data) return <Loading lines={10} />;
  if (error) return <ErrorState error={error} onRetry={refetch} />;
  const ticket = data?.crmTicket;
  if (!data || !ticket) return <ErrorState error={new Error("This ticket doesn't exist, or you can't see it.")} />;
  return <TicketScreen data={data} ticket={ticket} refetch={refetch} busy={loading} />;
}

function TicketScreen({ data, ticket, refetch, busy }: { data: TicketPageQuery; ticket: Ticket; refetch: () => void; busy: boolean }) {
  const [update] = useMutation(Update);
  const [problem, setProblem] = useState<string | null>(null);

  async function change(input: Parameters<typeof update>[0]["input"], done: string) {
    try {
      const failure = firstError((await update({ id: ticket.id, input })).crmTicketUpdate?.errors);
      setProblem(failure);
      if (!failure) {
        void notify("success", done);
        refetch();
      }
    } catch (failure) {
      setProblem(failure instanceof ApiError ? failure.message : "The change failed.");
    }
  }

  const closed = ticket.status === "CLOSED";
  return (
    <Box aria-busy={busy}>
      <TopBar
        title={ticket.subject}
        subtitle={`${ticket.reference} · opened ${formatDateTime(ticket.createdAt)} · ${ticket.channel.toLowerCase()}`}
        back={
          <Link href="/helpdesk" aria-label="Back to the inbox">
            <ArrowLeft size={20} />
          </Link>
        }
      >
        <StatusPill status={ticket.status} />
        <PriorityPill priority={ticket.priority} />
        <SlaPill sla={ticket.sla} />
      </TopBar>
      <DetailLayout
        main={
          <>
            {ticket.mergedInto && (
              <Box paddingX={6} paddingTop={4}>
                <Hint>
                  Merged into{" "}
                  <Link href={`/helpdesk/tickets/${encodeURIComponent(ticket.mergedInto.id)}`}>{ticket.mergedInto.reference}</Link>.
                </Hint>
              </Box>
            )}
            <Card title="Conversation" testId="crm-ticket-thread">
              <Box display="flex" flexDirection="column" gap={3}>
                {ticket.messages.map((message) => (
                  <MessageBubble key={message.id} message={message} />
                ))}
              </Box>
            </Card>
            {!closed && <Composer ticket={ticket} macros={nodes(data.crmMacros)} onSent={refetch} />}
            {problem && (
              <Box paddingX={6}>
                <Text size={2} color="critical1" role="alert">
                  {problem}
                </Text>
              </Box>
            )}
          </>
        }
        side={
          <>
            <Card title="Ticket">
              <Box display="flex" flexDirection="column" gap={3}>
                <Select
                  label="Status"
                  size="small"
                  options={options(STATUSES)}
                  value={options(STATUSES).find((option) => option.value === ticket.status) ?? null}
                  onChange={(option) => change({ status: option.value as CrmTicketStatusEnum }, `Status: ${option.label}`)}
                  data-test-id="crm-ticket-status"
                />
                <Select
                  label="Priority"
                  size="small"
                  options={options(PRIORITIES)}
                  value={options(PRIORITIES).find((option) => option.value === ticket.priority) ?? null}
                  onChange={(option) => change({ priority: option.value as CrmTicketPriorityEnum }, `Priority: ${option.label}`)}
                />
                <AssigneePicker ticket={ticket} staff={data.crmStaffMembers} onChange={(assignee) => change({ assignee }, "Assignee changed")} />
                <Tags ticket={ticket} onChange={(input) => change(input, "Tags saved")} />
              </Box>
            </Card>
            <Card title="SLA" testId="crm-ticket-sla">
              <Box display="flex" flexDirection="column">
                <Row label="First response due">
                  {ticket.sla?.firstResponseDueAt ? formatDateTime(ticket.sla.firstResponseDueAt) : "—"}
                  {ticket.sla?.firstResponseBreached ? " (breached)" : ""}
                </Row>
                <Row label="First response">{ticket.sla?.firstRespondedAt ? formatDateTime(ticket.sla.firstRespondedAt) : "Not yet"}</Row>
                <Row label="Resolution due">
                  {ticket.sla?.resolutionDueAt ? formatDateTime(ticket.sla.resolutionDueAt) : "—"}
                  {ticket.sla?.resolutionBreached ? " (breached)" : ""}
                </Row>
                <Row label="State">
                  {ticket.sla?.firstResponseBreached || ticket.sla?.resolutionBreached
                    ? "Breached"
                    : ticket.sla?.atRisk
                      ? "At risk"
                      : ticket.sla?.paused
                        ? "Paused (waiting on the customer)"
                        : "On track"}
                </Row>
              </Box>
            </Card>
            <CustomerSidebar ticket={ticket} manager={data.crmViewerPermissions.includes("MANAGE_USERS")} />
            {!ticket.mergedInto && !closed && <MergeBox ticket={ticket} />}
          </>
        }
      />
    </Box>
  );
}

/** Public replies on the page's surface; internal notes on a warning tint with a lock: never confused. */
function MessageBubble({ message }: { message: Ticket["messages"][number] }) {
  const note = message.kind === "INTERNAL_NOTE";
  const staff = message.authorKind === "STAFF";
  return (
    <Box
      padding={3}
      borderRadius={4}
      __borderStyle={note ? "dashed" : "solid"}
      borderWidth={1}
      borderColor={note ? "warning1" : "default1"}
      backgroundColor={note ? "warning1" : staff ? "default2" : "default1"}
      marginLeft={staff ? 8 : 0}
      marginRight={staff ? 0 : 8}
      data-test-id={note ? "crm-message-note" : "crm-message-reply"}
    >
      <Box display="flex" justifyContent="space-between" gap={2} marginBottom={1}>
        <Box display="flex" gap={2} alignItems="center">
          {note && <Lock size={14} aria-hidden />}
          <Text size={2} fontWeight="bold">
            {message.authorName ?? (staff ? "Support team" : message.authorKind === "SYSTEM" ? "System" : "Customer")}
          </Text>
          {(note || staff) && (
            <Text size={1} color="default2">
              {note ? "Internal note — the customer doesn't see it" : "Public reply"}
            </Text>
          )}
        </Box>
        <Text size={1} color="default2" title={formatDateTime(message.createdAt)}>
          {formatRelative(message.createdAt)}
          {message.delivery && message.delivery.status !== "SENT" ? ` · email ${message.delivery.status.toLowerCase().replace("_", " ")}` : ""}
        </Text>
      </Box>
      <Text size={2} __whiteSpace="pre-wrap">
        {message.body}
      </Text>
    </Box>
  );
}

/** Reply or note; a macro fills the text (previewed for this ticket first), the agent may edit it. */
function Composer({ ticket, macros, onSent }: { ticket: Ticket; macros: { id: string; name: string }[]; onSent: () => void }) {
  const [mode, setMode] = useState<"reply" | "note">("reply");
  const [text, setText] = useState("");
  const [macro, setMacro] = useState("");
  const [preview, setPreview] = useState<{ text: string; unknown: string[] } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [reply, { loading: replying }] = useMutation(Reply);
  const [note, { loading: noting }] = useMutation(Note);

  useEffect(() => {
    if (!macro) {
      setPreview(null);
      return;
    }
    const controller = new AbortController();
    request(MacroPreview, { ticket: ticket.id, macro }, { signal: controller.signal }).then(
      ({ data }) => {
        const rendered = data?.crmMacroPreview;
        if (rendered) setPreview({ text: rendered.text, unknown: rendered.unknownPlaceholders });
      },
      () => undefined,
    );
    return () => controller.abort();
  }, [macro, ticket.id]);

  async function send(status?: CrmTicketStatusEnum) {
    setProblem(null);
    try {
      const failure =
        mode === "note"
          ? firstError((await note({ id: ticket.id, input: { message: text } })).crmTicketNoteAdd?.errors)
          : firstError((await reply({ id: ticket.id, input: { message: text, status } })).crmTicketReply?.errors);
      if (failure) return setProblem(failure);
      setText("");
      setMacro("");
      void notify("success", mode === "note" ? "Note added" : status === "SOLVED" ? "Replied and solved" : "Reply sent");
      onSent();
    } catch (failure) {
      setProblem(failure instanceof ApiError ? failure.message : "Sending failed.");
    }
  }

  const macroOptions = [{ label: "No macro", value: "" }, ...macros.map((item) => ({ label: item.name, value: item.id }))];
  const busy = replying || noting;
  return (
    <Card
      title={mode === "note" ? "Internal note" : "Reply"}
      testId="crm-ticket-composer"
      toolbar={
        <Box display="flex" gap={1} role="tablist" aria-label="Message kind">
          <Button variant={mode === "reply" ? "primary" : "secondary"} size="small" role="tab" aria-selected={mode === "reply"} onClick={() => setMode("reply")}>
            Reply
          </Button>
          <Button variant={mode === "note" ? "primary" : "secondary"} size="small" role="tab" aria-selected={mode === "note"} onClick={() => setMode("note")} data-test-id="crm-note-mode">
            Internal note
          </Button>
        </Box>
      }
    >
      <Box display="flex" flexDirection="column" gap={3}>
        {mode === "reply" && (
          <Box display="flex" gap={2} alignItems="flex-end">
            <Box __flex="1 1 auto">
              <Select
                size="small"
                label="Macro"
                options={macroOptions}
                value={macroOptions.find((option) => option.value === macro) ?? macroOptions[0]}
                onChange={(option) => setMacro(option.value)}
                data-test-id="crm-macro-picker"
              />
            </Box>
            <Button variant="secondary" size="small" disabled={!preview} onClick={() => preview && setText(preview.text)} data-test-id="crm-macro-use">
              Use macro
            </Button>
          </Box>
        )}
        {preview && mode === "reply" && (
          <Box padding={3} borderRadius={3} borderStyle="solid" borderWidth={1} borderColor="info1" backgroundColor="info1" data-test-id="crm-macro-preview">
            <Text size={1} color="default2" display="block" marginBottom={1}>
              Preview for this ticket
            </Text>
            <Text size={2} __whiteSpace="pre-wrap">
              {preview.text}
            </Text>
            {preview.unknown.length > 0 && (
              <Text size={1} color="warning1" display="block">
                Unknown placeholders left empty: {preview.unknown.join(", ")}
              </Text>
            )}
          </Box>
        )}
        <Textarea
          label={mode === "note" ? "Note for the team" : "Message to the customer"}
          rows={5}
          value={text}
          onChange={(event) => setText(event.target.value)}
          data-test-id="crm-reply-text"
        />
        {problem && (
          <Text size={2} color="critical1" role="alert">
            {problem}
          </Text>
        )}
        <Box display="flex" gap={2} justifyContent="flex-end">
          {mode === "reply" ? (
            <>
              <Button variant="secondary" disabled={busy || !text.trim()} onClick={() => send("PENDING")}>
                Send, pending
              </Button>
              <Button variant="secondary" disabled={busy || !text.trim()} onClick={() => send("SOLVED")} data-test-id="crm-reply-solve">
                Send and solve
              </Button>
              <Button disabled={busy || !text.trim()} onClick={() => send()} data-test-id="crm-reply-send">
                Send
              </Button>
            </>
          ) : (
            <Button disabled={busy || !text.trim()} onClick={() => send()} data-test-id="crm-note-add">
              Add note
            </Button>
          )}
        </Box>
      </Box>
    </Card>
  );
}

function AssigneePicker({ ticket, staff, onChange }: { ticket: Ticket; staff: TicketPageQuery["crmStaffMembers"]; onChange: (assignee: string | null) => void }) {
  const choices = [
    { label: "Unassigned", value: "" },
    ...staff.map((member) => ({ label: member.isViewer ? `${member.name} (me)` : member.name, value: member.id })),
  ];
  const me = staff.find((member) => member.isViewer);
  const current = ticket.assignee?.id ?? "";
  return (
    <Box display="flex" gap={2} alignItems="flex-end">
      <Box __flex="1 1 auto">
        <Select
          label="Assignee"
          size="small"
          options={choices}
          value={choices.find((option) => option.value === current) ?? { label: ticket.assigneeName ?? "Unassigned", value: current }}
          onChange={(option) => onChange(option.value || null)}
        />
      </Box>
      {me && me.id !== current && (
        <Button variant="tertiary" size="small" onClick={() => onChange(me.id)}>
          Take it
        </Button>
      )}
    </Box>
  );
}

function Tags({ ticket, onChange }: { ticket: Ticket; onChange: (input: { addTags?: string[]; removeTags?: string[] }) => void }) {
  const [tag, setTag] = useState("");
  return (
    <Box display="flex" flexDirection="column" gap={2}>
      <Box display="flex" gap={1} flexWrap="wrap">
        {(ticket.tags ?? []).map((name) => (
          <Box key={name} display="flex" alignItems="center" gap={0.5}>
            <Pill>{name}</Pill>
            <Button variant="tertiary" size="small" aria-label={`Remove tag ${name}`} onClick={() => onChange({ removeTags: [name] })}>
              ×
            </Button>
          </Box>
        ))}
      </Box>
      <Box
        as="form"
        display="flex"
        gap={2}
        alignItems="flex-end"
        onSubmit={(event) => {
          event.preventDefault();
          if (tag.trim()) onChange({ addTags: [tag.trim()] });
          setTag("");
        }}
      >
        <Box __flex="1 1 auto">
          <Input size="small" label="Add a tag" value={tag} onChange={(event) => setTag(event.target.value)} />
        </Box>
        <Button type="submit" variant="secondary" size="small" disabled={!tag.trim()}>
          Add
        </Button>
      </Box>
    </Box>
  );
}

function MergeBox({ ticket }: { ticket: Ticket }) {
  const [target, setTarget] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [merge, { loading }] = useMutation(Merge);
  const [, navigate] = useLocation();
  async function run() {
    const reference = target.trim().toUpperCase().replace(/^#/, "");
    const number = reference.replace(/^T-/, "");
    if (!/^\d+$/.test(number)) return setProblem("Give the other ticket's reference, e.g. T-42.");
    try {
      const result = (await merge({ source: ticket.id, target: btoa(`CrmTicket:${number}`) })).crmTicketMerge;
      const failure = firstError(result?.errors);
      setProblem(failure);
      if (!failure && result?.ticket) {
        void notify("success", `Merged into T-${number}`);
        navigate(`/helpdesk/tickets/${encodeURIComponent(result.ticket.id)}`);
      }
    } catch (failure) {
      setProblem(failure instanceof ApiError ? failure.message : "The merge failed.");
    }
  }
  return (
    <Card title="Merge">
      <Box display="flex" flexDirection="column" gap={2}>
        <Hint>Moves this ticket's messages into another ticket of the same customer and closes this one.</Hint>
        <Box display="flex" gap={2} alignItems="flex-end">
          <Box __flex="1 1 auto">
            <Input size="small" label="Into ticket (T-42)" value={target} onChange={(event) => setTarget(event.target.value)} />
          </Box>
          <Button variant="secondary" size="small" disabled={loading || !target.trim()} onClick={run}>
            Merge
          </Button>
        </Box>
        {problem && (
          <Text size={2} color="critical1" role="alert">
            {problem}
          </Text>
        )}
      </Box>
    </Card>
  );
}

function CustomerSidebar({ ticket, manager }: { ticket: Ticket; manager: boolean }) {
  const { data, error } = useQuery(TicketSidebar, { customer: ticket.customer.id, manager });
  const previous = nodes(data?.crmTickets).filter((other) => other.id !== ticket.id);
  const profile = data?.crmCustomerLookup;
  const loyalty = data?.loyaltyAccount;
  return (
    <Card title="Customer" testId="crm-ticket-customer">
      <Box display="flex" flexDirection="column" gap={2}>
        <Box display="flex" flexDirection="column">
          {manager ? (
            <Link href={`/customers/${encodeURIComponent(ticket.customer.id)}`}>
              <Text size={3} fontWeight="medium" textDecoration="underline">
                {ticket.customer.name || ticket.customer.email}
              </Text>
            </Link>
          ) : (
            <Text size={3} fontWeight="medium">
              {ticket.customer.name || ticket.customer.email}
            </Text>
          )}
          <Text size={2} color="default2">
            {ticket.customer.email}
          </Text>
        </Box>
        {ticket.order && (
          <Row label="About order">
            #{ticket.order.number} · {formatMoney(ticket.order.total)}
          </Row>
        )}
        {error && <ErrorState error={error} />}
        {manager ? (
          <>
            {profile && (
              <>
                <Row label="Orders">{formatNumber(profile.ordersCount)}</Row>
                <Row label="Spent">{profile.spend.length ? profile.spend.map(formatMoney).join(", ") : "—"}</Row>
              </>
            )}
            {loyalty && (
              <Row label="Loyalty">
                {formatNumber(loyalty.available)} {loyalty.available === 1 ? "point" : "points"}
                {loyalty.tier.current ? ` · ${loyalty.tier.current.name}` : ""}
              </Row>
            )}
            {nodes(data?.crmCustomerTimeline).length > 0 && (
              <Box display="flex" flexDirection="column" gap={1} data-test-id="crm-ticket-orders">
                <Text size={2} fontWeight="medium">
                  Recent orders
                </Text>
                {nodes(data?.crmCustomerTimeline).map((entry) => (
                  <Text key={entry.id} size={1} color="default2">
                    {formatRelative(entry.occurredAt)} — {entry.summary}
                  </Text>
                ))}
              </Box>
            )}
          </>
        ) : (
          <Hint>Orders and loyalty need the Manage customers permission; you see the contact card.</Hint>
        )}
        <Box display="flex" flexDirection="column" gap={1} data-test-id="crm-ticket-previous">
          <Text size={2} fontWeight="medium">
            Other tickets
          </Text>
          {previous.length === 0 ? (
            <Hint>None.</Hint>
          ) : (
            previous.map((other) => (
              <Box key={other.id} display="flex" justifyContent="space-between" gap={2}>
                <Link href={`/helpdesk/tickets/${encodeURIComponent(other.id)}`}>
                  <Text size={2} textDecoration="underline" ellipsis>
                    {other.reference} {other.subject}
                  </Text>
                </Link>
                <StatusPill status={other.status} />
              </Box>
            ))
          )}
        </Box>
      </Box>
    </Card>
  );
}
