import { Box, Button, Select, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { Link } from "wouter";

import { Pill } from "../../components/layout";
import { MoneyList } from "../../components/records";
import { EmptyState, ErrorState, Loading } from "../../components/states";
import { ApiError, nodes, useMutation, useQuery } from "../../core/api";
import { markDataShown, notify } from "../../core/dashboard";
import { formatNumber } from "../../core/format";
import { graphql } from "../../gql";
import { cell, HeadCell, Hint, Table, TopBar } from "../customers/parts";
import { useRouteState } from "../customers/routing";
import { AutomationTabs, daysAgo, PERIODS, share } from "./parts";

/** One request: every flow (a store has tens, not thousands) with its results over the chosen period. */
const FlowListDocument = graphql(`
  query FlowList($since: DateTime!) {
    crmFlows(first: 100) {
      totalCount
      edges {
        node {
          id
          name
          description
          trigger
          isActive
          isBuiltin
          steps {
            position
          }
        }
      }
    }
    crmFlowPeriodStats(since: $since) {
      flow {
        id
      }
      sent
      opened
      clicked
      converted
      revenue {
        ...MoneyFields
      }
    }
    crmAutomationTriggers {
      name
      description
    }
  }
`);

const PauseFlow = graphql(`
  mutation PauseFlow($id: ID!) {
    crmFlowPause(id: $id) {
      flow {
        id
        isActive
      }
      errors {
        field
        message
      }
    }
  }
`);

const ResumeFlow = graphql(`
  mutation ResumeFlow($id: ID!) {
    crmFlowResume(id: $id) {
      flow {
        id
        isActive
      }
      errors {
        field
        message
      }
    }
  }
`);

/** Customers → Automation: the flows with what they achieved, paused or resumed from here. */
export default function FlowListPage() {
  const { params, setParams } = useRouteState();
  const days = PERIODS.find((option) => option.value === params.get("days"))?.value ?? "30";
  const { data, error, loading, refetch } = useQuery(FlowListDocument, { since: daysAgo(Number(days)) });
  const [pause] = useMutation(PauseFlow);
  const [resume] = useMutation(ResumeFlow);
  const [switching, setSwitching] = useState<string | null>(null);

  useEffect(() => {
    if (data) markDataShown();
  }, [data]);

  async function toggle(id: string, name: string, active: boolean) {
    setSwitching(id);
    try {
      const result = active ? (await pause({ id })).crmFlowPause : (await resume({ id })).crmFlowResume;
      const refused = result?.errors ?? [];
      if (refused.length > 0) void notify("error", `${name} was not changed`, refused[0].message ?? undefined);
      else void notify("success", active ? `${name} paused` : `${name} resumed`);
      refetch();
    } catch (problem) {
      void notify("error", `${name} was not changed`, problem instanceof ApiError ? problem.message : undefined);
    } finally {
      setSwitching(null);
    }
  }

  const flows = nodes(data?.crmFlows);
  const stats = new Map((data?.crmFlowPeriodStats ?? []).map((entry) => [entry.flow.id, entry]));
  const triggers = new Map((data?.crmAutomationTriggers ?? []).map((trigger) => [trigger.name, trigger.description]));

  return (
    <Box display="flex" flexDirection="column" data-test-id="crm-flows-page">
      <TopBar title="Automation" subtitle="Customers">
        <AutomationTabs />
        <Box __width="180px">
          <Select
            size="small"
            label="Results of"
            options={PERIODS}
            value={PERIODS.find((option) => option.value === days) ?? PERIODS[1]}
            onChange={(option) => setParams({ days: option.value === "30" ? null : option.value })}
            data-test-id="crm-flows-period"
          />
        </Box>
      </TopBar>
      <Box padding={6} display="flex" flexDirection="column" gap={3} aria-busy={loading}>
        {error ? (
          <ErrorState error={error} onRetry={refetch} />
        ) : !data ? (
          <Loading lines={6} />
        ) : flows.length === 0 ? (
          <EmptyState title="No flows yet">Built-in flows appear once the plugin has started; flows are made through the API.</EmptyState>
        ) : (
          <>
            <Hint>Results of the messages sent in the period: opened, clicked and converted are shares of those sent.</Hint>
            <Table
              testId="crm-flows-table"
              head={
                <>
                  <HeadCell>Flow</HeadCell>
                  <HeadCell>Status</HeadCell>
                  <HeadCell align="right">Sent</HeadCell>
                  <HeadCell align="right">Opened</HeadCell>
                  <HeadCell align="right">Clicked</HeadCell>
                  <HeadCell align="right">Converted</HeadCell>
                  <HeadCell align="right">Revenue</HeadCell>
                  <HeadCell />
                </>
              }
            >
              {flows.map((flow) => {
                const figures = stats.get(flow.id);
                const sent = figures?.sent ?? 0;
                return (
                  <Box as="tr" key={flow.id} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1" data-test-id="crm-flow-row">
                    <Box as="td" {...cell}>
                      <Link href={`/automation/flows/${encodeURIComponent(flow.id)}`}>
                        <Text size={2} fontWeight="medium" color="accent1" textDecoration="underline">
                          {flow.name}
                        </Text>
                      </Link>
                      <Text size={1} color="default2" display="block">
                        {triggers.get(flow.trigger) ?? flow.trigger} · {flow.steps.length} {flow.steps.length === 1 ? "step" : "steps"}
                        {flow.isBuiltin ? " · built-in" : ""}
                      </Text>
                    </Box>
                    <Box as="td" {...cell}>
                      <Pill tone={flow.isActive ? "success" : "default"}>{flow.isActive ? "Active" : "Paused"}</Pill>
                    </Box>
                    <Box as="td" {...cell} textAlign="right">
                      <Text size={2}>{formatNumber(sent)}</Text>
                    </Box>
                    <Box as="td" {...cell} textAlign="right">
                      <Rate count={figures?.opened ?? 0} sent={sent} />
                    </Box>
                    <Box as="td" {...cell} textAlign="right">
                      <Rate count={figures?.clicked ?? 0} sent={sent} />
                    </Box>
                    <Box as="td" {...cell} textAlign="right">
                      <Rate count={figures?.converted ?? 0} sent={sent} />
                    </Box>
                    <Box as="td" {...cell} textAlign="right">
                      <Text size={2}>
                        <MoneyList money={figures?.revenue ?? []} />
                      </Text>
                    </Box>
                    <Box as="td" {...cell} textAlign="right">
                      <Button
                        variant="secondary"
                        size="small"
                        disabled={switching === flow.id}
                        onClick={() => void toggle(flow.id, flow.name, flow.isActive)}
                        aria-label={`${flow.isActive ? "Pause" : "Resume"} ${flow.name}`}
                        data-test-id="crm-flow-toggle"
                      >
                        {flow.isActive ? "Pause" : "Resume"}
                      </Button>
                    </Box>
                  </Box>
                );
              })}
            </Table>
          </>
        )}
      </Box>
    </Box>
  );
}

function Rate({ count, sent }: { count: number; sent: number }) {
  return (
    <Box display="flex" flexDirection="column" alignItems="flex-end">
      <Text size={2}>{formatNumber(count)}</Text>
      <Text size={1} color="default2">
        {share(count, sent)}
      </Text>
    </Box>
  );
}
