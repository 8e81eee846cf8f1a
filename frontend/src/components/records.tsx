import { Box, Text } from "@saleor/macaw-ui";

import { formatMoney, formatRelative, humanize, type MoneyValue } from "../core/format";
import { graphql } from "../gql";
import type { TicketRowFieldsFragment } from "../gql/graphql";
import { Pill } from "./layout";

/** Selection sets shared by screens: ask for these so the components below get what they show. */
graphql(`
  fragment MoneyFields on Money {
    amount
    currency
    fractionalAmount
    fractionDigits
  }
`);

graphql(`
  fragment TicketRowFields on CrmTicket {
    id
    reference
    subject
    status
    priority
    lastMessageAt
  }
`);

/** Amounts per currency, one a line (sums across currencies mean nothing). "—" when none. */
export function MoneyList({ money }: { money: MoneyValue[] }) {
  if (money.length === 0) return <>—</>;
  return (
    <>
      {money.map((value) => (
        <Box as="span" display="block" key={value.currency}>
          {formatMoney(value)}
        </Box>
      ))}
    </>
  );
}

const STATUS_TONE = { NEW: "info", OPEN: "warning", PENDING: "default", ON_HOLD: "default", SOLVED: "success", CLOSED: "success" } as const;

/** A ticket in a list: reference and subject, status, last activity. */
export function TicketRow({ ticket }: { ticket: TicketRowFieldsFragment }) {
  return (
    <Box display="flex" justifyContent="space-between" alignItems="center" gap={2} data-test-id="crm-ticket-row">
      <Box display="flex" flexDirection="column" __minWidth="0">
        <Text size={2} ellipsis>
          {ticket.reference} · {ticket.subject}
        </Text>
        <Text size={1} color="default2">
          {formatRelative(ticket.lastMessageAt)}
        </Text>
      </Box>
      <Pill tone={STATUS_TONE[ticket.status]}>{humanize(ticket.status)}</Pill>
    </Box>
  );
}
