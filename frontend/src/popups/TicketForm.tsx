import { Box, Button, Input, Text, Textarea } from "@saleor/macaw-ui";
import { useState } from "react";

import { mutationErrors, PopupForm } from "../components/popup";
import { useMutation } from "../core/api";
import { humanize } from "../core/format";
import { graphql } from "../gql";
import type { CrmTicketPriorityEnum } from "../gql/graphql";

const CreateTicket = graphql(`
  mutation CreateTicket($input: CrmTicketCreateInput!) {
    crmTicketCreate(input: $input) {
      errors {
        field
        code
        message
      }
      ticket {
        id
        reference
        subject
      }
    }
  }
`);

const PRIORITIES: CrmTicketPriorityEnum[] = ["LOW", "NORMAL", "HIGH", "URGENT"];

export interface TicketTarget {
  /** The CRM customer the ticket is for (when opened from a customer). */
  customer?: string;
  /** Saleor's Order ID (when opened from an order; the customer is the order's). */
  order?: string;
  /** Who it is for, shown under the title. */
  label: string;
}

/** The new-ticket form, shared by the popup and the order widget's inline form. */
export function TicketForm({ target, onOpened, onCancel }: { target: TicketTarget; onOpened: (reference: string) => void; onCancel?: () => void }) {
  const [create, { loading }] = useMutation(CreateTicket);
  const [subject, setSubject] = useState("");
  const [message, setMessage] = useState("");
  const [priority, setPriority] = useState<CrmTicketPriorityEnum>("NORMAL");
  const [formError, setFormError] = useState<string | null>(null);

  const submit = async () => {
    if (!subject.trim() || !message.trim()) return setFormError("A ticket needs a subject and a first message.");
    setFormError(null);
    try {
      const result = await create({
        input: { customer: target.customer, order: target.order, subject: subject.trim(), message: message.trim(), priority },
      });
      const problem = mutationErrors(result.crmTicketCreate?.errors);
      if (problem || !result.crmTicketCreate?.ticket) return setFormError(problem ?? "The ticket was not opened.");
      onOpened(result.crmTicketCreate.ticket.reference);
    } catch (failure) {
      setFormError((failure as Error).message);
    }
  };

  const fields = (
    <>
      <Input label="Subject" value={subject} onChange={(event) => setSubject((event.target as HTMLInputElement).value)} name="subject" data-test-id="crm-ticket-subject" />
      <Textarea
        label="First message (internal, from staff)"
        value={message}
        onChange={(event) => setMessage((event.target as HTMLTextAreaElement).value)}
        name="message"
        rows={4}
        data-test-id="crm-ticket-message"
      />
      <Box display="flex" flexDirection="column" gap={1.5}>
        <Text size={2} color="default2">
          Priority
        </Text>
        <Box display="flex" gap={1.5} flexWrap="wrap">
          {PRIORITIES.map((value) => (
            <Button key={value} type="button" size="small" variant={value === priority ? "primary" : "secondary"} onClick={() => setPriority(value)}>
              {humanize(value)}
            </Button>
          ))}
        </Box>
      </Box>
    </>
  );

  if (onCancel) {
    // Inline (narrow widget): same fields, compact buttons.
    return (
      <Box as="form" display="flex" flexDirection="column" gap={3} onSubmit={(event) => { event.preventDefault(); submit(); }} data-test-id="crm-inline-ticket-form">
        {fields}
        {formError && (
          <Text size={2} color="critical1" role="alert">
            {formError}
          </Text>
        )}
        <Box display="flex" gap={2} justifyContent="flex-end">
          <Button type="button" size="small" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" size="small" variant="primary" disabled={loading} data-test-id="crm-popup-submit">
            Open ticket
          </Button>
        </Box>
      </Box>
    );
  }
  return (
    <PopupForm title="Open a support ticket" subtitle={target.label} submitLabel="Open ticket" submitting={loading} onSubmit={submit} error={formError}>
      {fields}
    </PopupForm>
  );
}
