import { Box, Button, Input, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import { Figure } from "../../../components/layout";
import { ErrorState, Loading } from "../../../components/states";
import { useQuery } from "../../../core/api";
import { formatDate, formatDateTime, formatNumber, humanize } from "../../../core/format";
import { useCustomerAction } from "../actions";
import type { Account } from "../CustomerPage";
import { cell, Card, HeadCell, Hint, nodes, Table } from "../parts";
import { CustomerLedgerQuery, PointsAdjust } from "../queries";
import { type Cursor, Pager, pageVariables } from "./Pager";

const PAGE_SIZE = 5;

/** Balance, tier and the points ledger (append-only: an adjustment is a new line, never an edit). */
export function LoyaltyCard({
  customerId,
  account,
  onChanged,
}: {
  customerId: string;
  account: Account | null;
  onChanged: () => void;
}) {
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const { data, error, loading, refetch } = useQuery(
    CustomerLedgerQuery,
    { id: customerId, ...pageVariables(cursor, PAGE_SIZE) },
    { skip: cursor === null },
  );
  if (!account) {
    return (
      <Card title="Loyalty" testId="crm-loyalty">
        <Hint>No loyalty account: the customer joins the programme with their first account or order.</Hint>
      </Card>
    );
  }
  const ledger = cursor === null ? account.ledger : (data?.loyaltyAccount?.ledger ?? null);
  const tier = account.tier;
  return (
    <Card title="Loyalty" testId="crm-loyalty">
      <Box display="grid" __gridTemplateColumns="repeat(auto-fit, minmax(120px, 1fr))" gap={4} paddingBottom={4}>
        <Figure label="Available" testId="crm-points-available">
          {formatNumber(account.available)}
        </Figure>
        <Figure label="Pending">{formatNumber(account.pending)}</Figure>
        <Figure label="Earned in total">{formatNumber(account.lifetime)}</Figure>
        <Figure label="Tier">{tier.current?.name ?? "None"}</Figure>
      </Box>
      <Box display="flex" flexDirection="column" gap={1} paddingBottom={4}>
        {tier.next && (
          <>
            <Box borderRadius={3} backgroundColor="default2" __height="6px" overflow="hidden">
              <Box backgroundColor="accent1" height="100%" __width={`${Math.round(tier.progress * 100)}%`} />
            </Box>
            <Hint>
              {tier.remaining} more ({tier.basis}) to reach {tier.next.name}.
            </Hint>
          </>
        )}
        {account.debt > 0 && <Hint>Owes {formatNumber(account.debt)} points from reversed orders.</Hint>}
        {account.expiringPoints > 0 && (
          <Hint>
            {formatNumber(account.expiringPoints)} points expire on {formatDate(account.expiringAt)}.
          </Hint>
        )}
      </Box>
      {cursor !== null && error && !data ? (
        <ErrorState error={error} onRetry={refetch} />
      ) : !ledger || (loading && !data && cursor !== null) ? (
        <Loading lines={3} />
      ) : nodes(ledger).length === 0 ? (
        <Hint>No points movements yet.</Hint>
      ) : (
        <>
          <Table
            testId="crm-ledger"
            head={
              <>
                <HeadCell>Date</HeadCell>
                <HeadCell>Movement</HeadCell>
                <HeadCell align="right">Points</HeadCell>
                <HeadCell align="right">Balance</HeadCell>
              </>
            }
          >
            {nodes(ledger).map((entry) => (
              <Box as="tr" key={entry.id} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1">
                <Box as="td" {...cell}>
                  <Text size={2}>{formatDateTime(entry.occurredAt)}</Text>
                </Box>
                <Box as="td" {...cell}>
                  <Text size={2} display="block">
                    {humanize(entry.kind)}
                  </Text>
                  {(entry.reason || entry.rule) && (
                    <Text size={1} color="default2">
                      {entry.reason || entry.rule}
                    </Text>
                  )}
                </Box>
                <Box as="td" {...cell} textAlign="right">
                  <Text size={2} color={entry.points < 0 ? "critical1" : "default1"}>
                    {entry.points > 0 ? "+" : ""}
                    {formatNumber(entry.points)}
                  </Text>
                </Box>
                <Box as="td" {...cell} textAlign="right">
                  <Text size={2}>{formatNumber(entry.availableAfter)}</Text>
                </Box>
              </Box>
            ))}
          </Table>
          <Pager pageInfo={ledger.pageInfo} total={ledger.totalCount} noun="movements" onPage={setCursor} testId="crm-ledger" />
        </>
      )}
      <AdjustPoints
        customerId={customerId}
        onDone={() => {
          setCursor(null);
          onChanged();
        }}
      />
    </Card>
  );
}

function AdjustPoints({ customerId, onDone }: { customerId: string; onDone: () => void }) {
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const { run, running, error } = useCustomerAction(PointsAdjust, { success: "Points adjusted", onDone });
  const amount = /^-?\d+$/.test(points.trim()) ? parseInt(points, 10) : null;
  const valid = amount !== null && amount !== 0 && reason.trim() !== "";
  const submit = async () => {
    if (!valid || amount === null) return;
    if (await run({ id: customerId, points: amount, reason: reason.trim() })) {
      setPoints("");
      setReason("");
    }
  };
  return (
    <Box
      as="form"
      display="flex"
      flexDirection="column"
      gap={2}
      paddingTop={5}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      data-test-id="crm-adjust-points"
    >
      <Text size={3} fontWeight="medium">
        Adjust points
      </Text>
      <Box display="flex" gap={2} alignItems="flex-start" flexWrap="wrap">
        <Box __width="140px">
          <Input
            size="small"
            label="Points (+/−)"
            inputMode="numeric"
            value={points}
            onChange={(event) => setPoints(event.target.value)}
            error={points !== "" && amount === null}
            data-test-id="crm-adjust-points-amount"
          />
        </Box>
        <Box __flex="1 1 200px">
          <Input
            size="small"
            label="Reason (shown in the ledger)"
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            data-test-id="crm-adjust-points-reason"
          />
        </Box>
        <Button type="submit" variant="primary" disabled={!valid || running} data-test-id="crm-adjust-points-submit">
          {running ? "Saving…" : "Adjust"}
        </Button>
      </Box>
      {error && (
        <Text size={2} color="critical1" role="alert">
          {error}
        </Text>
      )}
    </Box>
  );
}
