import { Box, Button, Select, Text } from "@saleor/macaw-ui";
import { useEffect } from "react";
import { Link } from "wouter";

import { LineChart, periodLabel } from "../../components/charts";
import { MoneyList } from "../../components/records";
import { EmptyState, ErrorState, Loading } from "../../components/states";
import { nodes, useQuery } from "../../core/api";
import { markDataShown } from "../../core/dashboard";
import { formatDateTime, formatNumber, formatRelative } from "../../core/format";
import { graphql } from "../../gql";
import type { CrmMessageStatusEnum, MessagesPageQuery } from "../../gql/graphql";
import { Card, cell, DetailLayout, HeadCell, Hint, Row, Table, TopBar } from "../customers/parts";
import { useRouteState } from "../customers/routing";
import { AutomationTabs, MessageStatus } from "./parts";

/** One request: a keyset page of messages and the NPS answers over time. */
const MessagesPageDocument = graphql(`
  query MessagesPage($first: Int, $after: String, $filter: CrmMessageFilterInput) {
    crmMessages(first: $first, after: $after, filter: $filter) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          flowName
          position
          subject
          status
          reason
          sendAt
          sentAt
          openedAt
          clickedAt
          convertedAt
          revenue {
            ...MoneyFields
          }
          customer {
            id
            name
            email
          }
        }
      }
    }
    crmNpsOverview(period: WEEK) {
      score
      answers
      promoters
      passives
      detractors
      history {
        start
        answers
        score
      }
      latest {
        score
        comment
        answeredAt
        customer {
          id
          name
          email
        }
      }
    }
  }
`);

const STATUSES: { label: string; value: "" | CrmMessageStatusEnum }[] = [
  { label: "Any status", value: "" },
  { label: "Sent", value: "SENT" },
  { label: "Scheduled", value: "SCHEDULED" },
  { label: "Skipped", value: "SKIPPED" },
  { label: "Failed", value: "FAILED" },
];
const PAGE = 25;

/** Customers → Automation → Messages & NPS: what flows sent to whom, and what customers answered. */
export default function MessagesPage() {
  const { params, setParams } = useRouteState();
  const status = STATUSES.find((option) => option.value === params.get("status"))?.value ?? "";
  const after = params.get("after");
  const { data, error, loading, refetch } = useQuery(MessagesPageDocument, {
    first: PAGE,
    after: after || null,
    filter: status ? { status: [status] } : null,
  });

  useEffect(() => {
    if (data) markDataShown();
  }, [data]);

  return (
    <Box display="flex" flexDirection="column" data-test-id="crm-messages-page">
      <TopBar title="Messages & NPS" subtitle="Automation">
        <AutomationTabs />
      </TopBar>
      {error ? (
        <Box padding={6}>
          <ErrorState error={error} onRetry={refetch} />
        </Box>
      ) : !data ? (
        <Loading lines={8} />
      ) : (
        <DetailLayout
          main={
            <Card
              title="Messages"
              toolbar={
                <Box __width="170px">
                  <Select
                    size="small"
                    label="Status"
                    options={STATUSES}
                    value={STATUSES.find((option) => option.value === status) ?? STATUSES[0]}
                    onChange={(option) => setParams({ status: option.value || null, after: null })}
                    data-test-id="crm-messages-status"
                  />
                </Box>
              }
            >
              <Messages data={data} busy={loading} />
              <Box display="flex" justifyContent="flex-end" gap={2} marginTop={3}>
                {after && (
                  <Button variant="secondary" size="small" onClick={() => setParams({ after: null })}>
                    Newest
                  </Button>
                )}
                <Button
                  variant="secondary"
                  size="small"
                  disabled={!data.crmMessages?.pageInfo.hasNextPage}
                  onClick={() => setParams({ after: data.crmMessages?.pageInfo.endCursor ?? null })}
                  data-test-id="crm-messages-next"
                >
                  Older
                </Button>
              </Box>
            </Card>
          }
          side={<Nps nps={data.crmNpsOverview} />}
        />
      )}
    </Box>
  );
}

function CustomerLink({ customer }: { customer: { id: string; name: string; email: string } | null | undefined }) {
  if (!customer) return <Text size={2} color="default2">—</Text>;
  return (
    <Link href={`/customers/${encodeURIComponent(customer.id)}`}>
      <Text size={2} color="accent1" textDecoration="underline">
        {customer.name || customer.email}
      </Text>
    </Link>
  );
}

function Messages({ data, busy }: { data: MessagesPageQuery; busy: boolean }) {
  const messages = nodes(data.crmMessages);
  if (messages.length === 0) return <EmptyState title="No messages">Flows' messages appear here once they are scheduled.</EmptyState>;
  return (
    <Box aria-busy={busy}>
      <Table
        testId="crm-messages-table"
        head={
          <>
            <HeadCell>Customer</HeadCell>
            <HeadCell>Flow and subject</HeadCell>
            <HeadCell>Status</HeadCell>
            <HeadCell>When</HeadCell>
            <HeadCell>Engagement</HeadCell>
          </>
        }
      >
        {messages.map((message) => (
          <Box as="tr" key={message.id} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1" data-test-id="crm-message-row">
            <Box as="td" {...cell}>
              <CustomerLink customer={message.customer} />
            </Box>
            <Box as="td" {...cell} __maxWidth="280px">
              <Text size={2} display="block" ellipsis>
                {message.subject || "(not rendered yet)"}
              </Text>
              <Text size={1} color="default2">
                {message.flowName} · step {message.position}
              </Text>
            </Box>
            <Box as="td" {...cell}>
              <MessageStatus status={message.status} />
              {message.reason && (
                <Text size={1} color="default2" display="block">
                  {message.reason}
                </Text>
              )}
            </Box>
            <Box as="td" {...cell}>
              <Text size={2} title={formatDateTime(message.sentAt ?? message.sendAt)}>
                {message.sentAt ? formatRelative(message.sentAt) : `due ${formatDateTime(message.sendAt)}`}
              </Text>
            </Box>
            <Box as="td" {...cell}>
              <Text size={1} color="default2" display="block">
                {[message.openedAt && "opened", message.clickedAt && "clicked", message.convertedAt && "converted"].filter(Boolean).join(" · ") || "—"}
              </Text>
              {message.revenue && (
                <Text size={1}>
                  <MoneyList money={[message.revenue]} />
                </Text>
              )}
            </Box>
          </Box>
        ))}
      </Table>
    </Box>
  );
}

function Nps({ nps }: { nps: MessagesPageQuery["crmNpsOverview"] }) {
  return (
    <Card title="Net Promoter Score" testId="crm-nps">
      {nps.answers === 0 ? (
        <EmptyState title="No answers in the last 12 weeks">Customers answer the survey linked from the post-purchase flow.</EmptyState>
      ) : (
        <Box display="flex" flexDirection="column" gap={3}>
          <Box display="flex" alignItems="baseline" gap={2}>
            <Text size={9} fontWeight="bold" data-test-id="crm-nps-score">
              {nps.score ?? "—"}
            </Text>
            <Text size={2} color="default2">
              from {formatNumber(nps.answers)} {nps.answers === 1 ? "answer" : "answers"}, last 12 weeks
            </Text>
          </Box>
          <Row label="Promoters (9–10)">{formatNumber(nps.promoters)}</Row>
          <Row label="Passives (7–8)">{formatNumber(nps.passives)}</Row>
          <Row label="Detractors (0–6)">{formatNumber(nps.detractors)}</Row>
          <LineChart
            label="NPS per week"
            labels={nps.history.map((entry) => periodLabel(entry.start, "WEEK"))}
            series={[{ label: "NPS per week", color: "var(--mu-colors-text-accent1)", values: nps.history.map((entry) => entry.score ?? null) }]}
            format={(value) => String(Math.round(value))}
            range={{ min: -100, max: 100 }}
            width={360}
            testId="crm-nps-chart"
          />
          <Text size={3} fontWeight="medium">
            Latest answers
          </Text>
          {nps.latest.map((answer, index) => (
            <Box key={index} display="flex" flexDirection="column" gap={0.5} data-test-id="crm-nps-answer">
              <Box display="flex" justifyContent="space-between" gap={2}>
                <CustomerLink customer={answer.customer} />
                <Text size={2} fontWeight="bold">
                  {answer.score}
                </Text>
              </Box>
              {answer.comment && (
                <Text size={1} color="default2">
                  “{answer.comment}”
                </Text>
              )}
              <Text size={1} color="default2">
                {formatRelative(answer.answeredAt)}
              </Text>
            </Box>
          ))}
          <Hint>Answers older than the chart's 12 weeks stay on each customer's page.</Hint>
        </Box>
      )}
    </Card>
  );
}
