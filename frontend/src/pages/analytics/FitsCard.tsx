import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import { Pill } from "../../components/layout";
import { EmptyState } from "../../components/states";
import { ApiError, nodes, useMutation } from "../../core/api";
import { notify } from "../../core/dashboard";
import { formatDate, formatDateTime, formatNumber, humanize } from "../../core/format";
import { graphql } from "../../gql";
import type { AnalyticsFitFieldsFragment, AnalyticsFitsFragment } from "../../gql/graphql";
import { Card, Hint, Row } from "../customers/parts";

graphql(`
  fragment AnalyticsFitFields on CrmAnalyticsFit {
    id
    currency
    fittedAt
    asOf
    status
    reason
    model
    spendModel
    customers
    repeatBuyers
    orders
    historyDays
    converged
    calibrationError
    horizonMonths
    scoredCustomers
  }
`);

graphql(`
  fragment AnalyticsFits on Query {
    crmAnalyticsFits(first: 20) {
      edges {
        node {
          ...AnalyticsFitFields
        }
      }
    }
  }
`);

const Refit = graphql(`
  mutation AnalyticsRefit {
    crmAnalyticsRefit {
      fits {
        ...AnalyticsFitFields
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

const STATUS_TONE = { FITTED: "success", REFUSED: "warning", FAILED: "critical" } as const;
const MODEL_NAMES = { BG_NBD: "BG/NBD", MBG_NBD: "MBG/NBD", PARETO_NBD: "Pareto/NBD" } as Record<string, string>;

/** The latest fit per currency (the list is newest first). */
function latestPerCurrency(fits: AnalyticsFitFieldsFragment[]): AnalyticsFitFieldsFragment[] {
  const seen = new Map<string, AnalyticsFitFieldsFragment>();
  for (const fit of fits) if (!seen.has(fit.currency)) seen.set(fit.currency, fit);
  return [...seen.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/**
 * The prediction models behind CLV and churn risk: when each currency was last fitted, on what data,
 * how well, or why not. "Refit predictions" refits every currency now (also done nightly).
 */
export function FitsCard({ data, onRefit }: { data: AnalyticsFitsFragment; onRefit: () => void }) {
  const [run, { loading }] = useMutation(Refit);
  const [problem, setProblem] = useState<string | null>(null);
  const fits = latestPerCurrency(nodes(data.crmAnalyticsFits));

  const refit = async () => {
    setProblem(null);
    try {
      const result = await run({});
      const errors = result.crmAnalyticsRefit?.errors ?? [];
      if (errors.length > 0) {
        setProblem(errors.map((error) => error.message ?? humanize(error.code)).join(" "));
        return;
      }
      void notify("success", "Predictions refitted");
      onRefit();
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : "The refit failed.");
    }
  };

  return (
    <Card
      title="Prediction models"
      testId="crm-analytics-fits"
      toolbar={
        <Button variant="secondary" onClick={() => void refit()} disabled={loading} data-test-id="crm-analytics-refit">
          {loading ? "Refitting…" : "Refit predictions"}
        </Button>
      }
    >
      <Box display="flex" flexDirection="column" gap={4}>
        {problem && (
          <Text size={2} color="critical1" role="alert" data-test-id="crm-analytics-refit-error">
            {problem}
          </Text>
        )}
        {fits.length === 0 ? (
          <EmptyState title="Not fitted yet">
            Customer lifetime value and churn risk come from a model fitted to each currency's order history, nightly or with
            Refit predictions.
          </EmptyState>
        ) : (
          <Box display="grid" __gridTemplateColumns="repeat(auto-fill, minmax(300px, 1fr))" gap={6}>
            {fits.map((fit) => (
              <Box key={fit.id} display="flex" flexDirection="column" data-test-id="crm-analytics-fit" data-currency={fit.currency}>
                <Box display="flex" alignItems="center" gap={2} paddingBottom={1}>
                  <Text size={4} fontWeight="medium">
                    {fit.currency}
                  </Text>
                  <Pill tone={STATUS_TONE[fit.status]}>{humanize(fit.status)}</Pill>
                </Box>
                {fit.reason && (
                  <Text size={2} color={fit.status === "FITTED" ? "default2" : "warning1"} data-test-id="crm-analytics-fit-reason">
                    {fit.reason}
                  </Text>
                )}
                <Row label="Fitted">{formatDateTime(fit.fittedAt)}</Row>
                <Row label="Orders up to">{formatDate(fit.asOf)}</Row>
                <Row label="Data">{`${formatNumber(fit.customers)} customers, ${formatNumber(fit.repeatBuyers)} repeat buyers, ${formatNumber(fit.orders)} order days over ${formatNumber(fit.historyDays)} days`}</Row>
                {fit.status === "FITTED" && (
                  <>
                    <Row label="Model">{`${MODEL_NAMES[fit.model] ?? fit.model} + ${humanize(fit.spendModel).replace("Gamma gamma", "Gamma-Gamma")}`}</Row>
                    <Row label="Calibration error">
                      {fit.calibrationError === null || fit.calibrationError === undefined ? "—" : new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 }).format(fit.calibrationError)}
                    </Row>
                    <Row label="Scored">{`${formatNumber(fit.scoredCustomers)} customers, ${fit.horizonMonths}-month horizon`}</Row>
                    {!fit.converged && <Hint>The optimiser stopped before converging: treat these numbers with care.</Hint>}
                  </>
                )}
              </Box>
            ))}
          </Box>
        )}
      </Box>
    </Card>
  );
}
