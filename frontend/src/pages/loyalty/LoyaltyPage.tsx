import { Box, Button, Select, Text } from "@saleor/macaw-ui";
import { useEffect, useMemo, useState } from "react";
import { Link } from "wouter";

import { BarChart, LineChart, periodLabel } from "../../components/charts";
import { Pill } from "../../components/layout";
import { MoneyList } from "../../components/records";
import { EmptyState, ErrorState, Loading } from "../../components/states";
import { useQuery } from "../../core/api";
import { markDataShown, openDashboardPage } from "../../core/dashboard";
import { formatMoney, formatNumber, humanize } from "../../core/format";
import { graphql } from "../../gql";
import type { CrmStatsPeriod, LoyaltyPageQuery } from "../../gql/graphql";
import { Card, cell, HeadCell, Hint, Row, Table, TopBar } from "../customers/parts";
import { useRouteState } from "../customers/routing";
import { RewardForm, type RewardRow } from "./RewardForm";
import { plural } from "./words";

/** One request for the whole page: the program in figures, the catalogue and the earn rules. */
const LoyaltyPageDocument = graphql(`
  query LoyaltyPage($period: CrmStatsPeriod!) {
    loyaltyOverview(period: $period) {
      members
      tiers {
        tier
        members
      }
      available
      pending
      debt
      outstandingValue {
        ...MoneyFields
      }
      history {
        start
        issued
        redeemed
        expired
        reversed
        outstanding
      }
    }
    loyaltyRewards {
      id
      name
      description
      pointsCost
      channel
      isActive
      value {
        ...MoneyFields
      }
    }
    loyaltyProgram {
      earnRates {
        channel
        pointsPerUnit
      }
      earnOn
      minimumOrder
      returnWindowDays
      signupBonus
      firstOrderBonus
      birthdayBonus
      tiers {
        name
        threshold
        multiplier
        perk
      }
      tierBasis
      tierWindowDays
      pointsPerUnitRedeemed
      minRedeemPoints
      expiry
      expiryDays
    }
  }
`);

const PERIODS: { label: string; value: CrmStatsPeriod }[] = [
  { label: "Daily (30 days)", value: "DAY" },
  { label: "Weekly (12 weeks)", value: "WEEK" },
  { label: "Monthly (12 months)", value: "MONTH" },
];
const ALL = "";

/** Customers → Loyalty program: how the program is doing, its reward catalogue and its earn rules. */
export default function LoyaltyPage() {
  const { params, setParams } = useRouteState();
  const period = (PERIODS.find((option) => option.value === params.get("period"))?.value ?? "WEEK") as CrmStatsPeriod;
  const { data, error, loading, refetch } = useQuery(LoyaltyPageDocument, { period });

  useEffect(() => {
    if (data) markDataShown();
  }, [data]);

  return (
    <Box display="flex" flexDirection="column" data-test-id="crm-loyalty-page">
      <TopBar title="Loyalty program" subtitle="Customers">
        <Box __width="200px">
          <Select
            size="small"
            label="Period"
            options={PERIODS}
            value={PERIODS.find((option) => option.value === period) ?? PERIODS[1]}
            onChange={(option) => setParams({ period: option.value === "WEEK" ? null : option.value })}
            data-test-id="crm-loyalty-period"
          />
        </Box>
      </TopBar>
      {error ? (
        <Box padding={6}>
          <ErrorState error={error} onRetry={refetch} />
        </Box>
      ) : !data ? (
        <Loading lines={8} />
      ) : (
        <Content data={data} period={period} busy={loading} onSaved={refetch} />
      )}
    </Box>
  );
}

function Content({ data, period, busy, onSaved }: { data: LoyaltyPageQuery; period: CrmStatsPeriod; busy: boolean; onSaved: () => void }) {
  const overview = data.loyaltyOverview;
  const labels = overview.history.map((entry) => periodLabel(entry.start, period));
  return (
    <Box display="grid" __gridTemplateColumns="minmax(0, 1fr) minmax(280px, 360px)" aria-busy={busy}>
      <Box display="flex" flexDirection="column" minWidth={0}>
        <Card title="Program overview" testId="crm-loyalty-overview">
          <Box display="grid" __gridTemplateColumns="repeat(4, minmax(0, 1fr))" gap={4}>
            <Stat label="Members">{formatNumber(overview.members)}</Stat>
            <Stat label="Outstanding points" testId="crm-loyalty-outstanding">
              {formatNumber(overview.available)}
            </Stat>
            <Stat label="Pending points">{formatNumber(overview.pending)}</Stat>
            <Stat label="Outstanding value">
              <MoneyList money={overview.outstandingValue} />
            </Stat>
          </Box>
          {overview.debt > 0 && <Hint>{plural(overview.debt, "point")} are owed by members after refunds of spent points.</Hint>}
        </Card>
        <Card title="Points over time">
          {overview.history.every((entry) => !entry.issued && !entry.redeemed && !entry.expired && !entry.reversed) ? (
            <EmptyState title="No points moved in this period">Points appear here as orders earn them and members redeem them.</EmptyState>
          ) : (
            <Box display="flex" flexDirection="column" gap={6}>
              <BarChart
                label="Points issued, redeemed, expired and reversed per period"
                labels={labels}
                format={(value) => formatNumber(Math.round(value))}
                testId="crm-loyalty-flow-chart"
                series={[
                  { label: "Issued", color: "var(--mu-colors-text-success1)", values: overview.history.map((entry) => entry.issued) },
                  { label: "Redeemed", color: "var(--mu-colors-text-accent1)", values: overview.history.map((entry) => entry.redeemed) },
                  { label: "Expired", color: "var(--mu-colors-text-warning1)", values: overview.history.map((entry) => entry.expired) },
                  { label: "Reversed", color: "var(--mu-colors-text-critical1)", values: overview.history.map((entry) => entry.reversed) },
                ]}
              />
              <LineChart
                label="Outstanding points at the end of each period"
                labels={labels}
                format={(value) => formatNumber(Math.round(value))}
                series={[{ label: "Outstanding", color: "var(--mu-colors-text-info1)", values: overview.history.map((entry) => entry.outstanding) }]}
              />
            </Box>
          )}
        </Card>
        <Rewards rewards={data.loyaltyRewards} channels={data.loyaltyProgram.earnRates.map((rate) => rate.channel)} onSaved={onSaved} />
      </Box>
      <Box borderLeftStyle="solid" borderLeftWidth={1} borderColor="default1" display="flex" flexDirection="column">
        <Card title="Members per tier" testId="crm-loyalty-tiers">
          {overview.tiers.length === 0 ? (
            <Hint>The program has no tiers.</Hint>
          ) : (
            overview.tiers.map((tier) => (
              <Row key={tier.tier ?? ""} label={tier.tier ?? "No tier yet"}>
                {plural(tier.members, "member")}
              </Row>
            ))
          )}
        </Card>
        <EarnRules program={data.loyaltyProgram} />
        <Card title="Members' cards">
          <Hint>
            Each customer's loyalty card, ledger and point adjustments are on their CRM page:{" "}
            <Link href="/customers">find a customer</Link>.
          </Hint>
        </Card>
      </Box>
    </Box>
  );
}

function Stat({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <Box display="flex" flexDirection="column" gap={1} data-test-id={testId}>
      <Text size={2} color="default2">
        {label}
      </Text>
      <Text size={5} fontWeight="bold">
        {children}
      </Text>
    </Box>
  );
}

function Rewards({ rewards, channels, onSaved }: { rewards: RewardRow[]; channels: string[]; onSaved: () => void }) {
  const [channel, setChannel] = useState(ALL);
  const [editing, setEditing] = useState<RewardRow | "new" | null>(null);
  const options = useMemo(() => {
    const names = [...new Set([...rewards.map((reward) => reward.channel), ...channels.filter((name) => name !== "*")])].sort();
    return [{ label: "All channels", value: ALL }, ...names.map((name) => ({ label: name, value: name }))];
  }, [rewards, channels]);
  const shown = rewards.filter((reward) => channel === ALL || reward.channel === channel);
  return (
    <Card
      title="Rewards catalogue"
      testId="crm-rewards"
      toolbar={
        <>
          <Box __width="200px">
            <Select size="small" label="Channel" options={options} value={options.find((option) => option.value === channel) ?? options[0]} onChange={(option) => setChannel(option.value)} data-test-id="crm-rewards-channel" />
          </Box>
          <Button variant="secondary" onClick={() => setEditing("new")} data-test-id="crm-reward-add">
            Add reward
          </Button>
        </>
      }
    >
      {editing === "new" && (
        <RewardForm reward={null} defaultChannel={channel || options[1]?.value || ""} onDone={(saved) => { setEditing(null); if (saved) onSaved(); }} />
      )}
      {shown.length === 0 ? (
        <EmptyState title="No rewards in this channel">Add a reward members can buy with their points.</EmptyState>
      ) : (
        <Table
          testId="crm-rewards-table"
          head={
            <>
              <HeadCell>Reward</HeadCell>
              <HeadCell>Channel</HeadCell>
              <HeadCell align="right">Points</HeadCell>
              <HeadCell align="right">Value</HeadCell>
              <HeadCell>Status</HeadCell>
              <HeadCell />
            </>
          }
        >
          {shown.map((reward) =>
            editing !== "new" && editing?.id === reward.id ? (
              <Box as="tr" key={reward.id}>
                <Box as="td" colSpan={6} paddingY={2}>
                  <RewardForm reward={reward} defaultChannel={reward.channel} onDone={(saved) => { setEditing(null); if (saved) onSaved(); }} />
                </Box>
              </Box>
            ) : (
              <Box as="tr" key={reward.id} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1" data-test-id="crm-reward-row">
                <Box as="td" {...cell}>
                  <Text size={2} display="block">{reward.name}</Text>
                  {reward.description && <Text size={1} color="default2">{reward.description}</Text>}
                </Box>
                <Box as="td" {...cell}><Text size={2}>{reward.channel}</Text></Box>
                <Box as="td" {...cell} textAlign="right"><Text size={2}>{formatNumber(reward.pointsCost)}</Text></Box>
                <Box as="td" {...cell} textAlign="right"><Text size={2}>{formatMoney(reward.value)}</Text></Box>
                <Box as="td" {...cell}><Pill tone={reward.isActive ? "success" : "default"}>{reward.isActive ? "Active" : "Inactive"}</Pill></Box>
                <Box as="td" {...cell} textAlign="right">
                  <Button variant="tertiary" size="small" onClick={() => setEditing(reward)} aria-label={`Edit ${reward.name}`} data-test-id="crm-reward-edit">
                    Edit
                  </Button>
                </Box>
              </Box>
            ),
          )}
        </Table>
      )}
    </Card>
  );
}

function EarnRules({ program }: { program: LoyaltyPageQuery["loyaltyProgram"] }) {
  return (
    <Card
      title="Earn rules"
      testId="crm-earn-rules"
      toolbar={
        <Button variant="tertiary" size="small" onClick={() => void openDashboardPage("/plugins/saleor.crm")} data-test-id="crm-plugin-settings">
          Edit in plugin settings
        </Button>
      }
    >
      <Hint>Set in the CRM plugin's configuration in Saleor; shown here read-only.</Hint>
      {program.earnRates.map((rate) => (
        <Row key={rate.channel} label={rate.channel === "*" ? "Other channels" : rate.channel}>
          {`${plural(Number(rate.pointsPerUnit), "point")} per unit`}
        </Row>
      ))}
      <Row label="Earned on">{program.earnOn === "total" ? "Order total" : "Total without shipping"}</Row>
      <Row label="Minimum order">{program.minimumOrder}</Row>
      <Row label="Points usable after">{plural(program.returnWindowDays, "day")}</Row>
      <Row label="Sign-up bonus">{plural(program.signupBonus, "point")}</Row>
      <Row label="First order bonus">{plural(program.firstOrderBonus, "point")}</Row>
      <Row label="Birthday bonus">{plural(program.birthdayBonus, "point")}</Row>
      <Row label="Redemption">{`${plural(Number(program.pointsPerUnitRedeemed), "point")} per unit, at least ${plural(program.minRedeemPoints, "point")}`}</Row>
      <Row label="Expiry">{program.expiry === "never" ? "Never" : `${humanize(program.expiry)} after ${plural(program.expiryDays, "day")}`}</Row>
      <Row label="Tiers">{`By ${program.tierBasis} over ${plural(program.tierWindowDays, "day")}`}</Row>
      {program.tiers.map((tier) => (
        <Row key={tier.name} label={`· ${tier.name}`}>
          {`from ${formatNumber(tier.threshold)}, ×${Number(tier.multiplier)}${tier.perk ? `, ${tier.perk}` : ""}`}
        </Row>
      ))}
    </Card>
  );
}
