import { useCallback, useState } from "react";

import { ApiError, request } from "../../core/api";
import { notify } from "../../core/dashboard";
import type { TypedDocumentString } from "../../gql/graphql";

interface MutationError {
  field?: string | null;
  message?: string | null;
}

/** The `errors` list of the mutation's one payload (`{ crmCustomerNoteAdd: { errors } }`). */
function payloadErrors(data: unknown): MutationError[] {
  const payload = data && typeof data === "object" ? Object.values(data)[0] : null;
  const errors = payload && typeof payload === "object" ? (payload as { errors?: MutationError[] }).errors : [];
  return errors ?? [];
}

/**
 * Runs a mutation of the 360 page: refusals (`errors { field code message }` or a GraphQL error such
 * as a missing permission) come back as a message to show next to the control and in a dashboard
 * toast; success re-reads the page so every card (timeline included) shows the change.
 */
export function useCustomerAction<TData, TVariables>(
  document: TypedDocumentString<TData, TVariables>,
  { success, onDone }: { success: string; onDone: (data: TData) => void },
) {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (variables: TVariables): Promise<boolean> => {
      setRunning(true);
      setError(null);
      try {
        const { data, errors } = await request(document, variables);
        const refusal = errors[0]?.message ?? payloadErrors(data)[0]?.message ?? (data ? null : "The change failed.");
        if (refusal) {
          setError(refusal);
          void notify("error", "Not saved", refusal);
          return false;
        }
        void notify("success", success);
        onDone(data as TData);
        return true;
      } catch (caught) {
        const message = caught instanceof ApiError ? caught.message : "The change failed.";
        setError(message);
        void notify("error", "Not saved", message);
        return false;
      } finally {
        setRunning(false);
      }
    },
    [document, success, onDone],
  );
  return { run, running, error };
}
