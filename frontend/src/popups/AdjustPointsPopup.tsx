import { Box, Input } from "@saleor/macaw-ui";
import { useState } from "react";

import { Figure } from "../components/layout";
import { mutationErrors, PopupForm } from "../components/popup";
import { EmptyState, ErrorState, Loading } from "../components/states";
import { useMutation, useQuery } from "../core/api";
import { boot } from "../core/boot";
import { closePopup, notify } from "../core/dashboard";
import { formatNumber } from "../core/format";
import { graphql } from "../gql";

const AccountQuery = graphql(`
  query AdjustPointsAccount($customerId: ID!) {
    loyaltyAccount(customerId: $customerId) {
      available
      pending
      customer {
        name
        email
      }
    }
  }
`);

const AdjustPoints = graphql(`
  mutation AdjustPoints($customerId: ID!, $points: Int!, $reason: String!) {
    loyaltyPointsAdjust(customerId: $customerId, points: $points, reason: $reason) {
      errors {
        field
        code
        message
      }
      account {
        available
      }
    }
  }
`);

/** Customer page → More actions → Adjust loyalty points: a signed adjustment with its reason. */
export default function AdjustPointsPopup() {
  const customerId = boot.customerId ?? "";
  const { data, error, loading, refetch } = useQuery(AccountQuery, { customerId }, { skip: !customerId });
  const [adjust, { loading: saving }] = useMutation(AdjustPoints);
  const [points, setPoints] = useState("");
  const [reason, setReason] = useState("");
  const [formError, setFormError] = useState<string | null>(null);

  if (!customerId) return <EmptyState title="No customer">Open this from a customer's page.</EmptyState>;
  if (loading) return <Loading />;
  if (error) return <ErrorState error={error} onRetry={refetch} />;
  const account = data?.loyaltyAccount;
  if (!account) return <EmptyState title="No loyalty account">This customer has no CRM profile yet.</EmptyState>;

  const submit = async () => {
    const amount = Number(points);
    if (!Number.isInteger(amount) || amount === 0) return setFormError("Enter a whole number of points, e.g. 100 or -50.");
    if (!reason.trim()) return setFormError("Say why: the reason is kept in the customer's ledger.");
    setFormError(null);
    try {
      const result = await adjust({ customerId, points: amount, reason: reason.trim() });
      const problem = mutationErrors(result.loyaltyPointsAdjust?.errors);
      if (problem) return setFormError(problem);
      const balance = result.loyaltyPointsAdjust?.account?.available ?? 0;
      await notify("success", "Points adjusted", `${account.customer.name || account.customer.email} now has ${formatNumber(balance)} points.`);
      await closePopup();
    } catch (failure) {
      setFormError((failure as Error).message);
    }
  };

  return (
    <PopupForm
      title="Adjust loyalty points"
      subtitle={account.customer.name ? `${account.customer.name} · ${account.customer.email}` : account.customer.email}
      submitLabel="Adjust points"
      submitting={saving}
      onSubmit={submit}
      error={formError}
    >
      <Box display="grid" __gridTemplateColumns="1fr 1fr" gap={3}>
        <Figure label="Available now" testId="crm-popup-balance">
          {formatNumber(account.available)}
        </Figure>
        <Figure label="Pending">{formatNumber(account.pending)}</Figure>
      </Box>
      <Input
        label="Points (negative to deduct)"
        type="number"
        value={points}
        onChange={(event) => setPoints((event.target as HTMLInputElement).value)}
        name="points"
        data-test-id="crm-points-input"
      />
      <Input
        label="Reason"
        value={reason}
        onChange={(event) => setReason((event.target as HTMLInputElement).value)}
        name="reason"
        data-test-id="crm-reason-input"
      />
    </PopupForm>
  );
}
