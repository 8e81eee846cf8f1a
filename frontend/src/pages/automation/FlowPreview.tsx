import { Box, Button, Input, Select, Text } from "@saleor/macaw-ui";
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";

import { ErrorState } from "../../components/states";
import { type ApiError, nodes, request } from "../../core/api";
import { graphql } from "../../gql";
import type { FlowPreviewQuery } from "../../gql/graphql";
import { Card, Hint } from "../customers/parts";
import { type FieldErrors, type StepForm, stepInput } from "./steps";

const FlowPreviewDocument = graphql(`
  query FlowPreview($customer: ID!, $step: CrmFlowStepInput!, $position: Int, $channel: String) {
    crmFlowPreview(customer: $customer, step: $step, position: $position, channel: $channel) {
      subject
      text
      html
      language
      errors {
        field
        code
        message
      }
    }
  }
`);

const PreviewCustomersDocument = graphql(`
  query PreviewCustomers($search: String!) {
    crmCustomers(first: 5, filter: { search: $search }) {
      edges {
        node {
          id
          name
          email
        }
      }
    }
  }
`);

type Customer = { id: string; name: string; email: string };
type Rendered = Omit<FlowPreviewQuery["crmFlowPreview"], "errors">;

/**
 * A step rendered for a chosen customer by the API, through the same code that renders sent messages
 * (autoescaped HTML, placeholders only). The HTML is shown in a sandboxed frame: no script runs.
 */
export function FlowPreview({ steps, position, onPosition, request: asked, firstCustomer, onErrors }: {
  steps: StepForm[];
  position: number;
  onPosition: (position: number) => void;
  request: number;
  firstCustomer: Customer | null;
  onErrors: (position: number, errors: FieldErrors) => void;
}) {
  const [customer, setCustomer] = useState<Customer | null>(firstCustomer);
  const [search, setSearch] = useState("");
  const [found, setFound] = useState<Customer[] | null>(null);
  const [channel, setChannel] = useState("");
  const [rendered, setRendered] = useState<Rendered | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const latest = useRef(0);
  const stepsRef = useRef(steps);
  stepsRef.current = steps;

  const render = useCallback(async () => {
    if (!customer) return;
    const ticket = ++latest.current; // a newer preview supersedes this one
    const local: FieldErrors = {};
    const step = stepInput(stepsRef.current[position - 1], position, local);
    if (Object.keys(local).length > 0) {
      onErrors(position, local);
      setRendered(null);
      return;
    }
    setBusy(true);
    try {
      const { data, errors } = await request(FlowPreviewDocument, { customer: customer.id, step, position, channel: channel || null });
      if (ticket !== latest.current) return;
      const preview = data?.crmFlowPreview;
      if (!preview) {
        setFailure(errors[0] ?? null);
        return;
      }
      setFailure(null);
      onErrors(position, Object.fromEntries(preview.errors.map((error) => [error.field ?? `steps.${position}`, error.message ?? error.code])));
      setRendered(preview.errors.length > 0 ? null : preview);
    } catch (error) {
      if (ticket === latest.current) setFailure(error as ApiError);
    } finally {
      if (ticket === latest.current) setBusy(false);
    }
  }, [customer, position, channel, onErrors]);

  useEffect(() => {
    if (asked > 0) void render();
    // Only a step's "Preview" button (a new `asked`) renders by itself; typing does not.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [asked]);

  async function find(event: FormEvent) {
    event.preventDefault();
    event.stopPropagation();
    if (!search.trim()) return;
    const { data } = await request(PreviewCustomersDocument, { search: search.trim() });
    setFound(nodes(data?.crmCustomers));
  }

  const stepOptions = steps.map((_, index) => ({ label: `Step ${index + 1}`, value: String(index + 1) }));
  return (
    <Card title="Preview" testId="crm-flow-preview">
      <Box display="flex" flexDirection="column" gap={3}>
        <Text size={2}>
          For{" "}
          <Text size={2} fontWeight="medium" data-test-id="crm-preview-customer">
            {customer ? `${customer.name || customer.email} (${customer.email})` : "no customer chosen"}
          </Text>
        </Text>
        <Box display="flex" gap={2} alignItems="flex-end">
          <Box __flex="1 1 auto">
            <Input
              size="small"
              label="Another customer"
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === "Enter") void find(event);
              }}
              data-test-id="crm-preview-search"
            />
          </Box>
          <Button type="button" variant="secondary" size="small" onClick={(event) => void find(event)}>
            Find
          </Button>
        </Box>
        {found && (
          <Box display="flex" flexDirection="column" gap={1}>
            {found.length === 0 ? (
              <Hint>No customer matches.</Hint>
            ) : (
              found.map((match) => (
                <Button
                  key={match.id}
                  type="button"
                  variant="tertiary"
                  size="small"
                  onClick={() => {
                    setCustomer(match);
                    setFound(null);
                  }}
                >
                  {match.name || match.email} · {match.email}
                </Button>
              ))
            )}
          </Box>
        )}
        <Box display="grid" __gridTemplateColumns="1fr 1fr" gap={2}>
          <Select size="small" label="Step" options={stepOptions} value={stepOptions[position - 1] ?? stepOptions[0]} onChange={(option) => onPosition(Number(option.value))} />
          <Input size="small" label="Channel (translation)" value={channel} onChange={(event) => setChannel(event.target.value)} />
        </Box>
        <Button type="button" onClick={() => void render()} disabled={!customer || busy} data-test-id="crm-preview-render">
          {busy ? "Rendering…" : `Render step ${position}`}
        </Button>
        {failure && <ErrorState error={failure} onRetry={() => void render()} />}
        {rendered && (
          <Box display="flex" flexDirection="column" gap={2} data-test-id="crm-preview-result">
            <Text size={1} color="default2">
              Subject{rendered.language ? ` (${rendered.language})` : ""}
            </Text>
            <Text size={3} fontWeight="medium" data-test-id="crm-preview-subject">
              {rendered.subject}
            </Text>
            {rendered.html && (
              <Box borderStyle="solid" borderWidth={1} borderColor="default1" borderRadius={3} overflow="hidden" backgroundColor="default1">
                <iframe title="HTML preview" sandbox="" srcDoc={rendered.html} style={{ width: "100%", height: 220, border: 0, background: "white" }} data-test-id="crm-preview-html" />
              </Box>
            )}
            <Text size={1} color="default2">
              Text
            </Text>
            <Box as="pre" margin={0} padding={3} borderRadius={3} backgroundColor="default2" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }} data-test-id="crm-preview-text">
              <Text size={2}>{rendered.text}</Text>
            </Box>
          </Box>
        )}
      </Box>
    </Card>
  );
}
