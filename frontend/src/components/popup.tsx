import { Box, Button, Text } from "@saleor/macaw-ui";
import type { FormEvent, ReactNode } from "react";

import { closePopup } from "../core/dashboard";

/**
 * A popup's form (POPUP extensions open in the dashboard's dialog): what it acts on, the fields,
 * and Cancel / the action. Cancel asks the dashboard to close the dialog (`popupClose`).
 */
export function PopupForm({
  title,
  subtitle,
  children,
  submitLabel,
  submitting,
  onSubmit,
  error,
}: {
  title: string;
  subtitle: ReactNode;
  children: ReactNode;
  submitLabel: string;
  submitting: boolean;
  onSubmit: () => void;
  error?: string | null;
}) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={5} padding={6} data-test-id="crm-popup-form">
      {/* The dashboard's dialog already shows the extension's label; the form names what it acts on. */}
      <Text size={4} fontWeight="medium" aria-label={title}>
        {subtitle}
      </Text>
      {children}
      {error && (
        <Text size={2} color="critical1" role="alert" data-test-id="crm-form-error">
          {error}
        </Text>
      )}
      <Box display="flex" justifyContent="flex-end" gap={2}>
        <Button type="button" variant="secondary" onClick={() => closePopup()}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" disabled={submitting} data-test-id="crm-popup-submit">
          {submitLabel}
        </Button>
      </Box>
    </Box>
  );
}

/** The `errors { field code message }` of a mutation payload as one line for the form. */
export function mutationErrors(errors: { field?: string | null; message?: string | null }[] | undefined): string | null {
  if (!errors || errors.length === 0) return null;
  return errors.map((error) => (error.field ? `${error.field}: ${error.message}` : error.message)).join(" ");
}
