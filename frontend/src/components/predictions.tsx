import { Box, Text } from "@saleor/macaw-ui";

import { formatDate, formatMoney, formatNumber } from "../core/format";
import { graphql } from "../gql";
import type { CustomerPredictionFieldsFragment } from "../gql/graphql";
import { Pill } from "./layout";

/** What the widget and the 360 page ask for each currency's prediction. */
graphql(`
  fragment CustomerPredictionFields on CrmCustomerPrediction {
    currency
    available
    reason
    predictedClv {
      ...MoneyFields
    }
    predictedOrders
    churnRisk
    churnRiskBand
    expectedNextOrderAt
    averageDaysBetweenOrders
    horizonMonths
  }
`);

const BAND_TONE = { LOW: "success", MEDIUM: "warning", HIGH: "critical" } as const;
const BAND_WORD = { LOW: "Low", MEDIUM: "Medium", HIGH: "High" } as const;

function Line({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <Box display="flex" justifyContent="space-between" alignItems="center" gap={3} paddingY={1} data-test-id={testId}>
      <Text size={2} color="default2">
        {label}
      </Text>
      <Text size={2} textAlign="right">
        {children}
      </Text>
    </Box>
  );
}

/**
 * A customer's outlook per currency they bought in: predicted lifetime value, churn risk, when the
 * next order is expected. Where the model could not be fitted, the reason instead of a number.
 */
export function Predictions({ predictions }: { predictions: CustomerPredictionFieldsFragment[] | null | undefined }) {
  if (!predictions) {
    return (
      <Text size={2} color="default2">
        Predictions need the Manage customers permission.
      </Text>
    );
  }
  if (predictions.length === 0) {
    return (
      <Text size={2} color="default2">
        Predictions start with the customer's first order.
      </Text>
    );
  }
  return (
    <Box display="flex" flexDirection="column" gap={3}>
      {predictions.map((prediction) => (
        <Box key={prediction.currency} display="flex" flexDirection="column" data-test-id="crm-prediction" data-currency={prediction.currency}>
          {predictions.length > 1 && (
            <Text size={2} fontWeight="medium">
              {prediction.currency}
            </Text>
          )}
          {!prediction.available ? (
            <Text size={2} color="default2" data-test-id="crm-prediction-reason">
              {prediction.reason ?? "No prediction for this currency yet."}
            </Text>
          ) : (
            <>
              <Line label={`Lifetime value with the next ${prediction.horizonMonths ?? 12} months`} testId="crm-prediction-clv">
                {prediction.predictedClv ? formatMoney(prediction.predictedClv) : "—"}
              </Line>
              <Line label="Churn risk" testId="crm-prediction-churn">
                {prediction.churnRiskBand && (
                  <Pill tone={BAND_TONE[prediction.churnRiskBand]}>
                    {`${BAND_WORD[prediction.churnRiskBand]} · ${formatNumber(Math.round((prediction.churnRisk ?? 0) * 100))}%`}
                  </Pill>
                )}
              </Line>
              <Line label="Expected orders" testId="crm-prediction-orders">
                {prediction.predictedOrders === null || prediction.predictedOrders === undefined
                  ? "—"
                  : new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(Number(prediction.predictedOrders))}
              </Line>
              <Line label="Next order expected" testId="crm-prediction-next">
                {formatDate(prediction.expectedNextOrderAt)}
              </Line>
              <Line label="Days between orders">
                {prediction.averageDaysBetweenOrders === null || prediction.averageDaysBetweenOrders === undefined
                  ? "—"
                  : formatNumber(Math.round(prediction.averageDaysBetweenOrders))}
              </Line>
            </>
          )}
        </Box>
      ))}
    </Box>
  );
}
