import { Box, Input, Select, Text } from "@saleor/macaw-ui";
import { useEffect, useMemo } from "react";

import { EmptyState, ErrorState, Loading } from "../../components/states";
import { useQuery } from "../../core/api";
import { markDataShown } from "../../core/dashboard";
import { formatAmount, formatCompactAmount, formatDateTime, formatDuration, formatNumber, formatShare } from "../../core/format";
import { graphql } from "../../gql";
import type { AnalyticsPageQuery } from "../../gql/graphql";
import { Card, cell, HeadCell, Hint, Table, TopBar } from "../customers/parts";
import { useRouteState } from "../customers/routing";
import { BarChart, shade, StackedBarChart, TOKENS } from "./charts";
import { CohortTable } from "./CohortTable";
import { FitsCard } from "./FitsCard";
import { buckets, dayLabel, PRESETS, periodFrom, type Period, sumOver } from "./period";

/**
 * One request for the page: the store's figures over the period (precomputed rollups, a handful of
 * indexed reads), the channels to pick from, the prediction histograms and the latest fits.
 */
const AnalyticsPageDocument = graphql(`
  query AnalyticsPage($period: CrmAnalyticsPeriodInput!, $channel: String) {
    crmAnalytics(period: $period, channel: $channel) {
      from
      to
      channel
      refreshedAt
      kpis {
        currency
        revenue { amount }
        refunds { amount }
        netRevenue { amount }
        orders
        refundedOrders
        averageOrderValue { amount }
        customers
        newCustomers
        returningCustomers
        repeatPurchaseRate
        averageDaysBetweenOrders
      }
      days {
        date
        currency
        revenue { amount }
        refunds { amount }
        orders
        customers
        newCustomers
      }
      rfmGroups {
        date
        group
        name
        customers
      }
      cohorts {
        currency
        month
        customers
        months {
          monthsSince
          customers
          retention
        }
      }
      loyalty {
        currency
        asOf
        members
        outstandingPoints
        pendingPoints
        value { amount }
        breakageRate
        expectedBreakage { amount }
        netLiability { amount }
      }
      loyaltyPoints {
        date
        currency
        issued
        redeemed
        expired
      }
      flows {
        flowId
        name
        sent
        conversions
        revenue { currency amount }
      }
      helpdesk {
        ticketsCreated
        ticketsSolved
        ratings
        csat
        averageFirstResponseSeconds
        averageResolutionSeconds
        firstResponseSlaAttainment
        resolutionSlaAttainment
      }
    }
    crmAnalyticsChannels
    crmPredictionDistributions {
      currency
      customers
      predictedClv { start end customers }
      churnRisk { start end customers }
    }
    ...AnalyticsFits
  }
`);

type Analytics = AnalyticsPageQuery["crmAnalytics"];
const ALL = "";

/** Customers → Analytics: the store over a period, its customers' cohorts and outlook. */
export default function AnalyticsPage() {
  const { params, setParams } = useRouteState();
  const period = periodFrom(params);
  const channel = params.get("channel") || null;
  const { data, error, loading, refetch } = useQuery(AnalyticsPageDocument, { period: { from: period.from, to: period.to }, channel });

  useEffect(() => {
    if (data) markDataShown();
  }, [data]);

  // The store's main currency (most orders in the period) first: the charts show it unless another is picked.
  const currencies = useMemo(() => {
    const orders = new Map<string, number>();
    data?.crmAnalytics.kpis.forEach((kpis) => orders.set(kpis.currency, kpis.orders));
    data?.crmAnalytics.cohorts.forEach((cohort) => orders.set(cohort.currency, orders.get(cohort.currency) ?? 0));
    data?.crmPredictionDistributions.forEach((entry) => orders.set(entry.currency, orders.get(entry.currency) ?? 0));
    return [...orders.keys()].sort((a, b) => (orders.get(b) ?? 0) - (orders.get(a) ?? 0) || a.localeCompare(b));
  }, [data]);
  const currency = currencies.includes(params.get("currency") ?? "") ? (params.get("currency") as string) : (currencies[0] ?? null);

  return (
    <Box display="flex" flexDirection="column" __minHeight="100vh" backgroundColor="default1" data-test-id="crm-analytics-page">
      <TopBar title="Analytics" subtitle="Customers">
        {currencies.length > 1 && (
          <Box __width="100px">
            <Select
              size="small"
              label="Currency"
              options={currencies.map((code) => ({ label: code, value: code }))}
              value={{ label: currency ?? "", value: currency ?? "" }}
              onChange={(option) => setParams({ currency: option.value }, { replace: true })}
              data-test-id="crm-analytics-currency"
            />
          </Box>
        )}
      </TopBar>
      <PeriodBar period={period} channel={channel} channels={data?.crmAnalyticsChannels ?? []} setParams={setParams} />
      {error ? (
        <Box padding={6}>
          <ErrorState error={error} onRetry={refetch} />
        </Box>
      ) : !data ? (
        <Loading lines={10} />
      ) : (
        <Box display="flex" flexDirection="column" __opacity={loading ? 0.6 : 1} aria-busy={loading}>
          <Content data={data} currencies={currencies} currency={currency} period={period} onRefit={refetch} />
        </Box>
      )}
    </Box>
  );
}

function PeriodBar({ period, channel, channels, setParams }: {
  period: Period;
  channel: string | null;
  channels: string[];
  setParams: (change: Record<string, string | null>) => void;
}) {
  const presetOptions = [...PRESETS.map((preset) => ({ label: preset.label, value: preset.value })), { label: "Custom dates", value: "custom" }];
  const channelOptions = [{ label: "All channels", value: ALL }, ...channels.map((slug) => ({ label: slug, value: slug }))];
  if (channel && !channels.includes(channel)) channelOptions.push({ label: channel, value: channel });
  const setDate = (name: "from" | "to", value: string) => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) setParams({ preset: null, from: name === "from" ? value : period.from, to: name === "to" ? value : period.to });
  };
  return (
    <Box display="flex" flexWrap="wrap" gap={3} alignItems="flex-start" paddingX={6} paddingY={4} data-test-id="crm-analytics-filters">
      <Box __width="180px">
        <Select
          size="small"
          label="Period"
          options={presetOptions}
          value={presetOptions.find((option) => option.value === period.preset) ?? presetOptions[presetOptions.length - 1]}
          onChange={(option) => option.value !== "custom" && setParams({ preset: option.value, from: null, to: null })}
          data-test-id="crm-analytics-period"
        />
      </Box>
      <Box __width="160px">
        <Input size="small" type="date" label="From" value={period.from} max={period.to} onChange={(event) => setDate("from", event.target.value)} data-test-id="crm-analytics-from" />
      </Box>
      <Box __width="160px">
        <Input size="small" type="date" label="To" value={period.to} min={period.from} onChange={(event) => setDate("to", event.target.value)} data-test-id="crm-analytics-to" />
      </Box>
      <Box __width="200px">
        <Select
          size="small"
          label="Channel"
          options={channelOptions}
          value={channelOptions.find((option) => option.value === (channel ?? ALL)) ?? channelOptions[0]}
          onChange={(option) => setParams({ channel: option.value || null })}
          data-test-id="crm-analytics-channel"
        />
      </Box>
    </Box>
  );
}

function Content({ data, currencies, currency, period, onRefit }: {
  data: AnalyticsPageQuery;
  currencies: string[];
  currency: string | null;
  period: Period;
  onRefit: () => void;
}) {
  const analytics = data.crmAnalytics;
  return (
    <>
      <Box paddingX={6}>
        <Hint>
          {analytics.refreshedAt
            ? `Figures as of ${formatDateTime(analytics.refreshedAt)}, refreshed in the background every few minutes.`
            : "The figures have not been computed yet: they appear after the first background refresh."}
        </Hint>
      </Box>
      <Kpis analytics={analytics} currencies={currencies} />
      {currency && <SalesOverTime analytics={analytics} currency={currency} period={period} />}
      <RfmOverTime analytics={analytics} />
      <Card title="Cohort retention" testId="crm-analytics-cohorts">
        <CohortTable cohorts={analytics.cohorts.filter((cohort) => cohort.currency === currency)} />
      </Card>
      <Distributions distributions={data.crmPredictionDistributions.filter((entry) => entry.currency === currency)} currency={currency} />
      <FitsCard data={data} onRefit={onRefit} />
      <Loyalty analytics={analytics} currency={currency} period={period} />
      <Flows analytics={analytics} />
      <Helpdesk analytics={analytics} />
    </>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Box display="flex" flexDirection="column" gap={1} padding={4} borderStyle="solid" borderWidth={1} borderColor="default1" borderRadius={4} data-test-id={testId}>
      <Text size={2} color="default2">
        {label}
      </Text>
      <Text size={5} fontWeight="bold" data-test-id={testId && `${testId}-value`}>
        {value}
      </Text>
    </Box>
  );
}

const statGrid = { display: "grid", __gridTemplateColumns: "repeat(auto-fill, minmax(180px, 1fr))", gap: 3 } as const;

function Kpis({ analytics, currencies }: { analytics: Analytics; currencies: string[] }) {
  if (analytics.kpis.length === 0) {
    return (
      <Card title="Sales" testId="crm-analytics-kpis">
        <EmptyState title="No orders in this period">Pick a longer period or another channel.</EmptyState>
      </Card>
    );
  }
  return (
    <Card title="Sales" testId="crm-analytics-kpis">
      <Box display="flex" flexDirection="column" gap={4}>
        {[...analytics.kpis].sort((a, b) => currencies.indexOf(a.currency) - currencies.indexOf(b.currency)).map((kpis) => {
          const money = (amount: string) => formatAmount(amount, kpis.currency);
          const id = (name: string) => `crm-kpi-${kpis.currency}-${name}`;
          return (
            <Box key={kpis.currency} display="flex" flexDirection="column" gap={2} data-test-id={`crm-kpis-${kpis.currency}`}>
              {analytics.kpis.length > 1 && (
                <Text size={3} fontWeight="medium">
                  {kpis.currency}
                </Text>
              )}
              <Box {...statGrid}>
                <Stat label="Revenue" value={money(kpis.revenue.amount)} testId={id("revenue")} />
                <Stat label="Orders" value={formatNumber(kpis.orders)} testId={id("orders")} />
                <Stat label="Average order value" value={kpis.averageOrderValue ? money(kpis.averageOrderValue.amount) : "—"} testId={id("aov")} />
                <Stat label="Customers" value={formatNumber(kpis.customers)} testId={id("customers")} />
                <Stat label="New / returning" value={`${formatNumber(kpis.newCustomers)} / ${formatNumber(kpis.returningCustomers)}`} testId={id("new-returning")} />
                <Stat label="Repeat purchase rate" value={formatShare(kpis.repeatPurchaseRate)} testId={id("repeat-rate")} />
                <Stat
                  label="Days between orders"
                  value={kpis.averageDaysBetweenOrders === null || kpis.averageDaysBetweenOrders === undefined ? "—" : formatNumber(Number(kpis.averageDaysBetweenOrders))}
                  testId={id("days-between")}
                />
                <Stat label={`Refunds (${formatNumber(kpis.refundedOrders)} orders)`} value={money(kpis.refunds.amount)} testId={id("refunds")} />
                <Stat label="Net revenue" value={money(kpis.netRevenue.amount)} testId={id("net-revenue")} />
              </Box>
            </Box>
          );
        })}
      </Box>
    </Card>
  );
}

function SalesOverTime({ analytics, currency, period }: { analytics: Analytics; currency: string; period: Period }) {
  const byDay = new Map(analytics.days.filter((day) => day.currency === currency).map((day) => [day.date, day]));
  if (byDay.size === 0) return null;
  const { unit, buckets: groups } = buckets(period.from, period.to);
  return (
    <Card title={`Revenue and orders per ${unit} (${currency})`} testId="crm-analytics-sales">
      <BarChart
        label={`Revenue and refunds per ${unit} in ${currency}, with the orders count`}
        labels={groups.map((bucket) => bucket.label)}
        bars={[
          { label: "Revenue", color: TOKENS.accent, values: sumOver(groups, byDay, (day) => Number(day.revenue.amount)) },
          { label: "Refunds", color: TOKENS.critical, values: sumOver(groups, byDay, (day) => Number(day.refunds.amount)) },
        ]}
        line={{ label: "Orders", color: TOKENS.success, values: sumOver(groups, byDay, (day) => day.orders) }}
        format={(value) => formatAmount(String(value), currency)}
        formatAxis={(value) => formatCompactAmount(value, currency)}
        formatLine={(value) => formatNumber(Math.round(value))}
      />
    </Card>
  );
}

/** Healthy groups in greens, new ones in blues, slipping ones in yellows and reds, gone ones grey. */
const RFM_COLORS: Record<string, string> = {
  champions: TOKENS.success,
  loyal: shade(TOKENS.success, 70),
  potential_loyalist: shade(TOKENS.success, 40),
  new: TOKENS.info,
  promising: shade(TOKENS.info, 50),
  need_attention: TOKENS.warning,
  about_to_sleep: shade(TOKENS.warning, 50),
  at_risk: TOKENS.critical,
  cant_lose: shade(TOKENS.critical, 50),
  hibernating: shade(TOKENS.muted, 60),
  lost: shade(TOKENS.muted, 30),
};
const MAX_BARS = 31;

function RfmOverTime({ analytics }: { analytics: Analytics }) {
  const dates = [...new Set(analytics.rfmGroups.map((row) => row.date))].sort();
  if (dates.length === 0) {
    return (
      <Card title="RFM groups over time" testId="crm-analytics-rfm">
        <EmptyState title="No RFM snapshots in this period">Customers are scored into RFM groups once a day.</EmptyState>
      </Card>
    );
  }
  // At most a month of bars: a longer period shows evenly spaced days.
  const every = Math.ceil(dates.length / MAX_BARS);
  const shown = dates.filter((_, index) => (dates.length - 1 - index) % every === 0);
  const groups = [...new Map(analytics.rfmGroups.map((row) => [row.group, row.name])).entries()];
  const counts = new Map(analytics.rfmGroups.map((row) => [`${row.date}/${row.group}`, row.customers]));
  return (
    <Card title="RFM groups over time" testId="crm-analytics-rfm">
      <StackedBarChart
        label="Customers per RFM group over time"
        labels={shown.map(dayLabel)}
        series={groups.map(([group, name]) => ({
          label: name,
          color: RFM_COLORS[group] ?? TOKENS.muted,
          values: shown.map((date) => counts.get(`${date}/${group}`) ?? 0),
        }))}
        format={(value) => formatNumber(Math.round(value))}
      />
    </Card>
  );
}

function Distributions({ distributions, currency }: { distributions: AnalyticsPageQuery["crmPredictionDistributions"]; currency: string | null }) {
  const [distribution] = distributions;
  return (
    <Card title="Customer outlook" testId="crm-analytics-distributions">
      {!distribution || distribution.customers === 0 ? (
        <EmptyState title="No predictions yet">Predictions appear after a successful refit (below).</EmptyState>
      ) : (
        <Box display="grid" __gridTemplateColumns="repeat(auto-fit, minmax(320px, 1fr))" gap={6}>
          <Box display="flex" flexDirection="column" gap={2} data-test-id="crm-analytics-clv">
            <Text size={3} fontWeight="medium">
              Predicted customer lifetime value ({currency})
            </Text>
            <BarChart
              label={`Customers per predicted lifetime value bucket in ${currency}`}
              labels={distribution.predictedClv.map(
                (bucket) => `${formatCompactAmount(Number(bucket.start), distribution.currency)}${bucket.end ? "" : "+"}`,
              )}
              bars={[{ label: "Customers", color: TOKENS.accent, values: distribution.predictedClv.map((bucket) => bucket.customers) }]}
              format={(value) => formatNumber(Math.round(value))}
              wholeNumbers
              width={420}
            />
          </Box>
          <Box display="flex" flexDirection="column" gap={2} data-test-id="crm-analytics-churn">
            <Text size={3} fontWeight="medium">
              Churn risk
            </Text>
            <BarChart
              label="Customers per churn risk bucket"
              labels={distribution.churnRisk.map((bucket) => formatShare(bucket.start))}
              bars={[{ label: "Customers", color: TOKENS.warning, values: distribution.churnRisk.map((bucket) => bucket.customers) }]}
              format={(value) => formatNumber(Math.round(value))}
              wholeNumbers
              width={420}
            />
          </Box>
        </Box>
      )}
    </Card>
  );
}

function Loyalty({ analytics, currency, period }: { analytics: Analytics; currency: string | null; period: Period }) {
  const points = analytics.loyaltyPoints.filter((day) => day.currency === currency);
  const byDay = new Map(points.map((day) => [day.date, day]));
  const { unit, buckets: groups } = buckets(period.from, period.to);
  return (
    <Card title="Loyalty liability" testId="crm-analytics-loyalty">
      {analytics.loyalty.length === 0 ? (
        <EmptyState title="No loyalty points outstanding">The liability appears once members hold points.</EmptyState>
      ) : (
        <Box display="flex" flexDirection="column" gap={4}>
          {analytics.loyalty.map((liability) => {
            const money = (amount: string) => formatAmount(amount, liability.currency);
            return (
              <Box key={liability.currency} {...statGrid} data-test-id={`crm-liability-${liability.currency}`}>
                <Stat label={`Outstanding points (${formatNumber(liability.members)} members)`} value={formatNumber(liability.outstandingPoints)} />
                <Stat label="Value" value={money(liability.value.amount)} testId={`crm-liability-${liability.currency}-value`} />
                <Stat label={`Expected breakage (${formatShare(liability.breakageRate)})`} value={money(liability.expectedBreakage.amount)} />
                <Stat label="Net liability" value={money(liability.netLiability.amount)} testId={`crm-liability-${liability.currency}-net`} />
              </Box>
            );
          })}
          {points.length > 0 && (
            <BarChart
              label={`Points issued, redeemed and expired per ${unit} (${currency})`}
              labels={groups.map((bucket) => bucket.label)}
              bars={[
                { label: "Issued", color: TOKENS.success, values: sumOver(groups, byDay, (day) => day.issued) },
                { label: "Redeemed", color: TOKENS.accent, values: sumOver(groups, byDay, (day) => day.redeemed) },
                { label: "Expired", color: TOKENS.warning, values: sumOver(groups, byDay, (day) => day.expired) },
              ]}
              format={(value) => formatNumber(Math.round(value))}
              wholeNumbers
            />
          )}
        </Box>
      )}
    </Card>
  );
}

function Flows({ analytics }: { analytics: Analytics }) {
  return (
    <Card title="Automation revenue by flow" testId="crm-analytics-flows">
      {analytics.flows.length === 0 ? (
        <EmptyState title="No automation messages in this period" />
      ) : (
        <Table
          head={
            <>
              <HeadCell>Flow</HeadCell>
              <HeadCell align="right">Sent</HeadCell>
              <HeadCell align="right">Conversions</HeadCell>
              <HeadCell align="right">Revenue</HeadCell>
            </>
          }
        >
          {analytics.flows.map((flow) => (
            <Box as="tr" key={flow.flowId} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1" data-test-id="crm-analytics-flow">
              <Box as="td" {...cell}><Text size={2}>{flow.name}</Text></Box>
              <Box as="td" {...cell} textAlign="right"><Text size={2}>{formatNumber(flow.sent)}</Text></Box>
              <Box as="td" {...cell} textAlign="right"><Text size={2}>{formatNumber(flow.conversions)}</Text></Box>
              <Box as="td" {...cell} textAlign="right">
                <Text size={2}>{flow.revenue.length ? flow.revenue.map((money) => formatAmount(money.amount, money.currency)).join(", ") : "—"}</Text>
              </Box>
            </Box>
          ))}
        </Table>
      )}
    </Card>
  );
}

function Helpdesk({ analytics }: { analytics: Analytics }) {
  const helpdesk = analytics.helpdesk;
  return (
    <Card title="Helpdesk" testId="crm-analytics-helpdesk">
      <Box {...statGrid}>
        <Stat label="Tickets created / solved" value={`${formatNumber(helpdesk.ticketsCreated)} / ${formatNumber(helpdesk.ticketsSolved)}`} />
        <Stat label={`CSAT (${formatNumber(helpdesk.ratings)} ratings)`} value={formatShare(helpdesk.csat)} testId="crm-analytics-csat" />
        <Stat label="Average first response" value={formatDuration(helpdesk.averageFirstResponseSeconds)} />
        <Stat label="Average resolution" value={formatDuration(helpdesk.averageResolutionSeconds)} />
        <Stat label="First response within SLA" value={formatShare(helpdesk.firstResponseSlaAttainment)} />
        <Stat label="Resolution within SLA" value={formatShare(helpdesk.resolutionSlaAttainment)} />
      </Box>
    </Card>
  );
}
