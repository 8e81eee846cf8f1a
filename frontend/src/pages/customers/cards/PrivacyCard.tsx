import { Box, Button, Text } from "@saleor/macaw-ui";
import { Download } from "lucide-react";

import { formatDate } from "../../../core/format";
import { openDashboardPage } from "../../../core/dashboard";
import { useCustomerAction } from "../actions";
import type { Customer } from "../CustomerPage";
import { Card, Hint, Row } from "../parts";
import { ConsentUpdate, CustomerExport, MarketingUpdate } from "../queries";

/** Saves the export as a JSON file: what a data-access request (GDPR art. 15) hands the customer. */
function download(customer: Customer, data: string | null | undefined) {
  const blob = new Blob([data ?? "{}"], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `crm-customer-${(customer.email || customer.id).replace(/[^\w.@-]+/g, "_")}.json`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Consent and the privacy actions the CRM offers: consent, marketing opt-out, data export. Deleting
 * a customer is Saleor's: its customer page deletes the account and the CRM anonymises its data.
 */
export function PrivacyCard({ customer, onChanged }: { customer: Customer; onChanged: () => void }) {
  const consent = useCustomerAction(ConsentUpdate, { success: "Consent recorded", onDone: onChanged });
  const marketing = useCustomerAction(MarketingUpdate, { success: "Marketing preference saved", onDone: onChanged });
  const exporting = useCustomerAction(CustomerExport, {
    success: "Export downloaded",
    onDone: (data) => download(customer, data.crmCustomerExport?.data),
  });
  const state = customer.marketing;
  const consentText =
    customer.marketingConsent === null ? "Not asked" : customer.marketingConsent ? "Given" : "Refused";
  const error = consent.error ?? marketing.error ?? exporting.error;
  return (
    <Card title="Consent & privacy" testId="crm-privacy">
      <Row label="Marketing consent">{consentText}</Row>
      <Row label="Marketing emails">
        {state.unsubscribed
          ? `Unsubscribed${state.unsubscribedAt ? ` ${formatDate(state.unsubscribedAt)}` : ""}`
          : state.canReceiveMarketing
            ? "Receives"
            : "Doesn't receive"}
      </Row>
      {state.source && <Row label="Consent source">{state.source}</Row>}
      <Box display="flex" gap={2} flexWrap="wrap" paddingTop={3}>
        <Button
          variant="secondary"
          size="small"
          disabled={consent.running}
          onClick={() => void consent.run({ id: customer.id, consent: customer.marketingConsent !== true })}
          data-test-id="crm-consent-toggle"
        >
          {customer.marketingConsent === true ? "Withdraw consent" : "Record consent"}
        </Button>
        <Button
          variant="secondary"
          size="small"
          disabled={marketing.running}
          onClick={() => void marketing.run({ id: customer.id, unsubscribed: !state.unsubscribed })}
          data-test-id="crm-unsubscribe-toggle"
        >
          {state.unsubscribed ? "Resubscribe" : "Unsubscribe from marketing"}
        </Button>
        <Button
          variant="secondary"
          size="small"
          disabled={exporting.running}
          onClick={() => void exporting.run({ id: customer.id })}
          data-test-id="crm-export"
        >
          <Download size={16} /> Export data
        </Button>
      </Box>
      {error && (
        <Text size={2} color="critical1" role="alert">
          {error}
        </Text>
      )}
      <Box paddingTop={4}>
        <Hint>
          To erase this customer, delete them in Saleor
          {customer.user ? "" : " (guests: delete their orders' personal data there)"}: the CRM then anonymises
          everything it holds about them and keeps only anonymous totals.
        </Hint>
        {customer.user && (
          <Box paddingTop={2}>
            <Button variant="tertiary" size="small" onClick={() => openDashboardPage(`/customers/${customer.user?.id}`)}>
              Open the customer in Saleor
            </Button>
          </Box>
        )}
      </Box>
    </Card>
  );
}
