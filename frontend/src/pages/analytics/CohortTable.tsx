import { Box, Text } from "@saleor/macaw-ui";

import { EmptyState } from "../../components/states";
import { formatNumber, formatShare } from "../../core/format";
import type { AnalyticsPageQuery } from "../../gql/graphql";
import { cell, HeadCell, Hint } from "../customers/parts";
import { shade, TOKENS } from "./charts";

type Cohort = AnalyticsPageQuery["crmAnalytics"]["cohorts"][number];

/**
 * Retention as a heatmap: one row per first-order month, one column per month since, each cell the
 * share of the cohort that ordered that month, tinted by it. A table, not a picture: screen readers
 * and keyboard users read the same numbers (every cell's title has the counts).
 */
export function CohortTable({ cohorts }: { cohorts: Cohort[] }) {
  if (cohorts.length === 0) {
    return <EmptyState title="No first orders in this period">A cohort is the customers whose first order fell in one month.</EmptyState>;
  }
  const columns = Math.max(...cohorts.flatMap((cohort) => cohort.months.map((month) => month.monthsSince))) + 1;
  const monthName = new Intl.DateTimeFormat(undefined, { month: "short", year: "numeric", timeZone: "UTC" });
  return (
    <Box display="flex" flexDirection="column" gap={2}>
      <Hint>Share of each month's new customers who ordered again n months later.</Hint>
      <Box overflowX="auto">
        <Box as="table" __borderCollapse="separate" style={{ borderSpacing: 2 }} data-test-id="crm-cohort-table">
          <Box as="thead">
            <Box as="tr">
              <HeadCell>First order</HeadCell>
              <HeadCell align="right">Customers</HeadCell>
              {Array.from({ length: columns }, (_, index) => (
                <HeadCell key={index} align="right">{`M${index}`}</HeadCell>
              ))}
            </Box>
          </Box>
          <Box as="tbody">
            {cohorts.map((cohort) => {
              const byMonth = new Map(cohort.months.map((month) => [month.monthsSince, month]));
              return (
                <Box as="tr" key={cohort.month} data-test-id="crm-cohort-row" data-month={cohort.month}>
                  <Box as="th" {...cell} textAlign="left" __fontWeight="inherit">
                    <Text size={2} whiteSpace="nowrap">{monthName.format(new Date(`${cohort.month}T00:00:00Z`))}</Text>
                  </Box>
                  <Box as="td" {...cell} textAlign="right">
                    <Text size={2}>{formatNumber(cohort.customers)}</Text>
                  </Box>
                  {Array.from({ length: columns }, (_, index) => {
                    const month = byMonth.get(index);
                    const share = month ? Number(month.retention) : 0;
                    return (
                      <Box
                        as="td"
                        key={index}
                        {...cell}
                        textAlign="right"
                        borderRadius={2}
                        __minWidth="56px"
                        __backgroundColor={month ? shade(TOKENS.accent, Math.round(8 + share * 72)) : undefined}
                        title={month ? `${formatNumber(month.customers)} of ${formatNumber(cohort.customers)} customers` : undefined}
                        data-test-id="crm-cohort-cell"
                        data-months-since={index}
                      >
                        <Text size={2} color={share > 0.5 ? "buttonDefaultPrimary" : "default1"}>{month ? formatShare(month.retention) : ""}</Text>
                      </Box>
                    );
                  })}
                </Box>
              );
            })}
          </Box>
        </Box>
      </Box>
    </Box>
  );
}
