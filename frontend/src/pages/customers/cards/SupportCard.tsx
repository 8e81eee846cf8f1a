import { Box, Text } from "@saleor/macaw-ui";

import { Pill } from "../../../components/layout";
import { ErrorState, Loading } from "../../../components/states";
import { useQuery } from "../../../core/api";
import { formatDateTime, humanize } from "../../../core/format";
import type { SupportFragment } from "../../../gql/graphql";
import { Card, Hint, nodes } from "../parts";
import { CustomerSupportQuery } from "../queries";

const TICKET_TONE = { NEW: "info", OPEN: "warning", PENDING: "default", ON_HOLD: "default", SOLVED: "success", CLOSED: "default" } as const;

/** The newest tickets and marketing messages. `preloaded` when the page read them in its own request. */
export function SupportCard({ customerId, preloaded }: { customerId: string; preloaded: SupportFragment | null }) {
  const { data, error, loading, refetch } = useQuery(CustomerSupportQuery, { customer: customerId }, { skip: !!preloaded });
  const support = preloaded ?? data;
  return (
    <>
      <Card title="Tickets" testId="crm-tickets">
        {!support && error ? (
          <ErrorState error={error} onRetry={refetch} />
        ) : !support || loading ? (
          <Loading lines={2} />
        ) : support.crmTickets === null ? (
          <Hint>Tickets need the Manage orders or Manage customers permission.</Hint>
        ) : nodes(support.crmTickets).length === 0 ? (
          <Hint>No tickets from this customer.</Hint>
        ) : (
          nodes(support.crmTickets).map((ticket) => (
            <Box key={ticket.id} display="flex" justifyContent="space-between" gap={3} paddingY={2} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1">
              <Box minWidth={0}>
                <Text size={2} fontWeight="medium" display="block" ellipsis>
                  {ticket.reference} · {ticket.subject}
                </Text>
                <Text size={1} color="default2">
                  {humanize(ticket.priority)} priority · last message {formatDateTime(ticket.lastMessageAt)}
                </Text>
              </Box>
              <Pill tone={TICKET_TONE[ticket.status]}>{humanize(ticket.status)}</Pill>
            </Box>
          ))
        )}
      </Card>
      <Card title="Messages" testId="crm-messages">
        {!support || loading ? (
          <Loading lines={2} />
        ) : support.crmMessages === null ? (
          <Hint>Messages need the Manage customers permission.</Hint>
        ) : nodes(support.crmMessages).length === 0 ? (
          <Hint>No marketing or automation emails sent to this customer.</Hint>
        ) : (
          nodes(support.crmMessages).map((message) => (
            <Box key={message.id} display="flex" justifyContent="space-between" gap={3} paddingY={2} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1">
              <Box minWidth={0}>
                <Text size={2} fontWeight="medium" display="block" ellipsis>
                  {message.subject || message.flowName}
                </Text>
                <Text size={1} color="default2">
                  {message.flowName} · {formatDateTime(message.sentAt ?? message.sendAt)}
                  {message.clickedAt ? " · clicked" : message.openedAt ? " · opened" : ""}
                </Text>
              </Box>
              <Pill tone={message.status === "FAILED" ? "critical" : message.status === "SENT" ? "success" : "default"}>
                {humanize(message.status)}
              </Pill>
            </Box>
          ))
        )}
      </Card>
    </>
  );
}
