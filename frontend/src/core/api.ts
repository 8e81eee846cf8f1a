import { useCallback, useEffect, useRef, useState } from "react";

import type { TypedDocumentString } from "../gql/graphql";
import { currentToken, nextToken } from "./session";

/** The CRM API, same origin as the app (the plugin serves both). */
export const API_URL = "/plugins/global/saleor.crm/graphql/";

/** Saleor's permission codes in the words its dashboard uses (Staff → Permission groups). */
const PERMISSION_NAMES: Record<string, string> = {
  MANAGE_USERS: "Manage customers",
  MANAGE_ORDERS: "Manage orders",
  MANAGE_STAFF: "Manage staff",
};

export type ApiErrorKind = "permission" | "auth" | "network" | "graphql";

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  /** For "permission": the Saleor permissions, any one of which would grant access. */
  readonly permissions: string[];

  constructor(kind: ApiErrorKind, message: string, permissions: string[] = []) {
    super(message);
    this.kind = kind;
    this.permissions = permissions;
  }

  /** The permissions in the dashboard's words, e.g. "Manage customers". */
  get permissionNames(): string[] {
    return this.permissions.map((code) => PERMISSION_NAMES[code] ?? code);
  }
}

interface GraphQLErrorBody {
  message: string;
  extensions?: { exception?: { code?: string } };
}

function toApiError(error: GraphQLErrorBody): ApiError {
  if (error.extensions?.exception?.code === "PermissionDenied") {
    const listed = error.message.split(":")[1] ?? "";
    const permissions = listed.split(",").map((name) => name.trim()).filter(Boolean);
    return new ApiError("permission", error.message, permissions);
  }
  return new ApiError("graphql", error.message);
}

export interface ApiResult<TData> {
  data: TData | null;
  errors: ApiError[];
}

async function post(body: string, token: string | null, signal?: AbortSignal): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(API_URL, { method: "POST", headers, body, credentials: "omit", signal });
}

/**
 * One GraphQL request with the current extension token. A 401 (token expired while the tab slept)
 * waits briefly for the dashboard's tokenRefresh and retries once. `signal` cancels it (a superseded
 * live preview): the promise then rejects with the browser's AbortError, not an ApiError.
 */
export async function request<TData, TVariables>(
  document: TypedDocumentString<TData, TVariables>,
  variables: TVariables,
  { signal }: { signal?: AbortSignal } = {},
): Promise<ApiResult<TData>> {
  const body = JSON.stringify({ query: document.toString(), variables });
  let response: Response;
  try {
    response = await post(body, currentToken(), signal);
    if (response.status === 401) {
      const fresh = await nextToken(5000);
      if (fresh) response = await post(body, fresh, signal);
    }
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError("network", "The CRM could not be reached. Check your connection and try again.");
  }
  if (response.status === 401) {
    throw new ApiError("auth", "Your dashboard session has expired. Reload the page to sign in again.");
  }
  let payload: { data?: TData | null; errors?: GraphQLErrorBody[] };
  try {
    payload = await response.json();
  } catch {
    throw new ApiError("network", `The CRM answered with HTTP ${response.status}.`);
  }
  const errors = (payload.errors ?? []).map(toApiError);
  if (!payload.data && errors.length === 0) {
    throw new ApiError("network", `The CRM answered with HTTP ${response.status}.`);
  }
  return { data: payload.data ?? null, errors };
}

/** No root field answered (e.g. every one was refused for a missing permission). */
function nothingLoaded(data: unknown): boolean {
  return !data || Object.values(data as Record<string, unknown>).every((value) => value == null);
}

export interface QueryState<TData> {
  data: TData | null;
  /** Errors of fields that failed while others loaded (e.g. one permission missing). */
  errors: ApiError[];
  /** Set when errors left every root field empty: show it instead of the screen. */
  error: ApiError | null;
  loading: boolean;
  refetch: () => void;
}

/** Runs one query per screen; re-runs when the variables change or `refetch` is called. */
export function useQuery<TData, TVariables>(
  document: TypedDocumentString<TData, TVariables>,
  variables: TVariables,
  { skip = false }: { skip?: boolean } = {},
): QueryState<TData> {
  const key = JSON.stringify(variables);
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<Omit<QueryState<TData>, "refetch">>({
    data: null,
    errors: [],
    error: null,
    loading: !skip,
  });
  const documentRef = useRef(document);

  useEffect(() => {
    if (skip) return;
    let cancelled = false;
    setState((previous) => ({ ...previous, loading: true }));
    request(documentRef.current, JSON.parse(key) as TVariables).then(
      ({ data, errors }) => {
        if (cancelled) return;
        setState({ data, errors, error: nothingLoaded(data) ? (errors[0] ?? null) : null, loading: false });
      },
      (error: ApiError) => {
        if (!cancelled) setState({ data: null, errors: [error], error, loading: false });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [key, skip, generation]);

  const refetch = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, refetch };
}

/** A mutation runner: `const [run, { loading }] = useMutation(Doc)`; `run` throws ApiError. */
export function useMutation<TData, TVariables>(
  document: TypedDocumentString<TData, TVariables>,
): [(variables: TVariables) => Promise<TData>, { loading: boolean }] {
  const [loading, setLoading] = useState(false);
  const run = useCallback(
    async (variables: TVariables) => {
      setLoading(true);
      try {
        const { data, errors } = await request(document, variables);
        if (!data || errors.length > 0) throw errors[0] ?? new ApiError("graphql", "The change failed.");
        return data;
      } finally {
        setLoading(false);
      }
    },
    [document],
  );
  return [run, { loading }];
}

/** The nodes of a Relay connection (edges and nodes are nullable in the schema). */
export function nodes<T>(connection: { edges: ({ node: T | null } | null)[] } | null | undefined): T[] {
  return (connection?.edges ?? []).flatMap((edge) => (edge?.node ? [edge.node] : []));
}
