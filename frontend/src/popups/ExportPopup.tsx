import { Text } from "@saleor/macaw-ui";
import { useState } from "react";

import { mutationErrors, PopupForm } from "../components/popup";
import { EmptyState, ErrorState, Loading } from "../components/states";
import { useMutation, useQuery } from "../core/api";
import { boot } from "../core/boot";
import { closePopup, notify } from "../core/dashboard";
import { graphql } from "../gql";

const ExportCustomerQuery = graphql(`
  query ExportCustomer($customerId: ID!) {
    crmCustomerLookup(id: $customerId) {
      id
      name
      email
    }
  }
`);

const ExportCustomer = graphql(`
  mutation ExportCustomerData($id: ID!) {
    crmCustomerExport(id: $id) {
      errors {
        field
        code
        message
      }
      data
    }
  }
`);

/** Saves text as a file through a temporary link (the dashboard frames allow downloads). */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Customer page → More actions → Export CRM data: everything the CRM holds, as a JSON file. */
export default function ExportPopup() {
  const customerId = boot.customerId ?? "";
  const { data, error, loading, refetch } = useQuery(ExportCustomerQuery, { customerId }, { skip: !customerId });
  const [exportData, { loading: exporting }] = useMutation(ExportCustomer);
  const [formError, setFormError] = useState<string | null>(null);

  if (!customerId) return <EmptyState title="No customer">Open this from a customer's page.</EmptyState>;
  if (loading) return <Loading />;
  if (error) return <ErrorState error={error} onRetry={refetch} />;
  const customer = data?.crmCustomerLookup;
  if (!customer) return <EmptyState title="Nothing to export">The CRM holds no data about this customer.</EmptyState>;

  const submit = async () => {
    setFormError(null);
    try {
      const result = await exportData({ id: customer.id });
      const problem = mutationErrors(result.crmCustomerExport?.errors);
      if (problem || !result.crmCustomerExport?.data) return setFormError(problem ?? "The export came back empty.");
      const pretty = JSON.stringify(JSON.parse(result.crmCustomerExport.data), null, 2);
      download(`crm-${customer.email.replace(/[^a-z0-9.@_-]/gi, "_")}.json`, pretty);
      await notify("success", "CRM data exported", `Saved the data of ${customer.email} as JSON.`);
      await closePopup();
    } catch (failure) {
      setFormError((failure as Error).message);
    }
  };

  return (
    <PopupForm
      title="Export CRM data"
      subtitle={customer.name ? `${customer.name} · ${customer.email}` : customer.email}
      submitLabel="Download JSON"
      submitting={exporting}
      onSubmit={submit}
      error={formError}
    >
      <Text size={3}>
        A JSON file with everything the CRM holds about this customer: profile, orders, loyalty ledger, segments,
        tickets, messages, notes and tags. Use it to answer a data access request.
      </Text>
    </PopupForm>
  );
}
