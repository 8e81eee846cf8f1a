import { Box, Button, Input, Text, Textarea } from "@saleor/macaw-ui";
import { ArrowLeft } from "lucide-react";
import { useState } from "react";
import { Link, useParams } from "wouter";

import { ErrorState, Loading } from "../../components/states";
import { ApiError, useMutation, useQuery } from "../../core/api";
import { notify } from "../../core/dashboard";
import { formatNumber } from "../../core/format";
import { graphql } from "../../gql";
import type { SegmentEditorQuery } from "../../gql/graphql";
import { Card, DetailLayout, Hint, TopBar } from "../customers/parts";
import { useRouteState } from "../customers/routing";
import { type Problem, QueryEditor, signature, type Term } from "./QueryEditor";
import { usePreview } from "./usePreview";

/** One request: the language's vocabulary (for completion and help) and, when editing, the segment. */
const SegmentEditor = graphql(`
  query SegmentEditor($id: ID, $editing: Boolean!) {
    crmSegmentFields {
      name
      kind
      type
      description
      choices
      params {
        name
        type
        required
      }
    }
    crmSegment(id: $id) @include(if: $editing) {
      id
      name
      description
      query
      isBuiltin
    }
  }
`);

const CreateSegment = graphql(`
  mutation SegmentCreate($input: CrmSegmentInput!) {
    crmSegmentCreate(input: $input) {
      segment {
        id
      }
      errors {
        field
        code
        message
        line
        column
      }
    }
  }
`);
const UpdateSegment = graphql(`
  mutation SegmentUpdate($id: ID!, $input: CrmSegmentInput!) {
    crmSegmentUpdate(id: $id, input: $input) {
      segment {
        id
      }
      errors {
        field
        code
        message
        line
        column
      }
    }
  }
`);

/** `/segments/new` and `/segments/:id/edit`: the query editor with completion and a live preview. */
export default function SegmentEditorPage() {
  const { id } = useParams<{ id?: string }>();
  const editing = Boolean(id);
  const { data, error, loading, refetch } = useQuery(SegmentEditor, {
    id: id ? decodeURIComponent(id) : null,
    editing,
  });
  if (loading && !data) return <Loading lines={8} />;
  if (error) return <ErrorState error={error} onRetry={refetch} />;
  if (!data) return null;
  if (editing && !data.crmSegment) return <ErrorState error={new Error("This segment doesn't exist any more.")} />;
  return <Editor key={data.crmSegment?.id ?? "new"} data={data} />;
}

function Editor({ data }: { data: SegmentEditorQuery }) {
  const segment = data.crmSegment ?? null;
  const { go } = useRouteState();
  const terms = data.crmSegmentFields as Term[];
  const [name, setName] = useState(segment?.name ?? "");
  const [description, setDescription] = useState(segment?.description ?? "");
  const [query, setQuery] = useState(segment?.query ?? "");
  const [saveErrors, setSaveErrors] = useState<{ field?: string | null; message: string; line?: number | null; column?: number | null }[]>([]);
  const [create, { loading: creating }] = useMutation(CreateSegment);
  const [update, { loading: updating }] = useMutation(UpdateSegment);
  const queryLocked = segment?.isBuiltin ?? false;
  const { preview, previewedQuery, error: previewError, pending } = usePreview(query, !queryLocked);

  const current = previewedQuery === query ? preview : null;
  const problems: Problem[] = [
    ...(current?.errors ?? []).map((e) => ({ message: e.message ?? "Invalid query", line: e.line, column: e.column, tone: "critical" as const })),
    ...(current?.warnings ?? []).map((w) => ({ message: w.message, line: w.line, column: w.column, tone: "warning" as const })),
    ...saveErrors
      .filter((e) => e.field === "query" && previewedQuery !== query)
      .map((e) => ({ message: e.message, line: e.line, column: e.column, tone: "critical" as const })),
  ];
  const otherErrors = saveErrors.filter((e) => e.field !== "query");

  async function save() {
    const input = queryLocked ? { name, description } : { name, description, query };
    try {
      const result = segment
        ? (await update({ id: segment.id, input })).crmSegmentUpdate
        : (await create({ input })).crmSegmentCreate;
      const errors = result?.errors ?? [];
      setSaveErrors(errors.map((e) => ({ ...e, message: e.message ?? "Invalid" })));
      if (errors.length === 0 && result?.segment) {
        void notify("success", segment ? "Segment saved" : "Segment created");
        go(`/segments/${encodeURIComponent(result.segment.id)}`);
      }
    } catch (failure) {
      setSaveErrors([{ message: failure instanceof ApiError ? failure.message : "The segment could not be saved." }]);
    }
  }

  const back = segment ? `/segments/${encodeURIComponent(segment.id)}` : "/segments";
  return (
    <Box>
      <TopBar
        title={segment ? `Edit ${segment.name}` : "New segment"}
        subtitle="Segments"
        back={
          <Link href={back} aria-label="Back">
            <ArrowLeft size={20} />
          </Link>
        }
      >
        <Button variant="secondary" onClick={() => go(back)}>
          Cancel
        </Button>
        <Button onClick={save} disabled={creating || updating} data-test-id="crm-segment-save">
          {segment ? "Save" : "Create segment"}
        </Button>
      </TopBar>
      <DetailLayout
        main={
          <>
            <Card title="Segment">
              <Box display="flex" flexDirection="column" gap={4}>
                <Input
                  label="Name"
                  value={name}
                  onChange={(event) => setName(event.target.value)}
                  data-test-id="crm-segment-name"
                  error={otherErrors.some((e) => e.field === "name")}
                />
                <Textarea
                  label="Description"
                  value={description}
                  rows={2}
                  onChange={(event) => setDescription(event.target.value)}
                />
                {queryLocked ? (
                  <Box display="flex" flexDirection="column" gap={1}>
                    <Text size={2} color="default2">
                      Query (built-in, can't be changed)
                    </Text>
                    <Box as="pre" margin={0} padding={3} borderRadius={3} backgroundColor="default2" __whiteSpace="pre-wrap">
                      <Text size={2}>{segment?.query}</Text>
                    </Box>
                  </Box>
                ) : (
                  <QueryEditor value={query} onChange={setQuery} terms={terms} problems={problems} />
                )}
                {otherErrors.map((e, index) => (
                  <Text key={index} size={2} color="critical1" data-test-id="crm-segment-save-error">
                    {e.message}
                  </Text>
                ))}
                <Hint>
                  Example: <code>orders_count &gt;= 2 and spent("USD") &gt; 100 and last_order_at &gt; -90d</code>. Type a
                  name for suggestions (Ctrl+Space opens them), Tab or Enter to take one.
                </Hint>
              </Box>
            </Card>
          </>
        }
        side={
          <>
            <Card title="Preview">
              <PreviewPanel
                locked={queryLocked}
                empty={!query.trim()}
                pending={pending}
                error={previewError}
                count={current?.count ?? null}
                stale={previewedQuery !== query}
                members={current?.members ?? preview?.members ?? []}
              />
            </Card>
            <Card title="Fields and functions">
              <Box display="flex" flexDirection="column" gap={2} __maxHeight="420px" overflowY="auto" data-test-id="crm-segment-vocabulary">
                {terms.map((term) => (
                  <Box key={term.name} display="flex" flexDirection="column">
                    <Text size={2} fontWeight="medium" __fontFamily="ui-monospace, monospace">
                      {signature(term)}
                      {term.type ? ` → ${term.type}` : ""}
                    </Text>
                    <Text size={1} color="default2">
                      {term.description}
                      {term.choices.length > 0 ? ` (${term.choices.join(", ")})` : ""}
                    </Text>
                  </Box>
                ))}
              </Box>
            </Card>
          </>
        }
      />
    </Box>
  );
}

function PreviewPanel({
  locked,
  empty,
  pending,
  error,
  count,
  stale,
  members,
}: {
  locked: boolean;
  empty: boolean;
  pending: boolean;
  error: ApiError | null;
  count: number | null;
  stale: boolean;
  members: { id: string; name: string; email: string }[];
}) {
  if (locked) return <Hint>Built-in segments are evaluated by the CRM; see the members on the segment page.</Hint>;
  if (empty) return <Hint>Write a query to see how many customers it matches.</Hint>;
  if (error) return <ErrorState error={error} />;
  return (
    <Box display="flex" flexDirection="column" gap={3} aria-busy={pending} data-test-id="crm-segment-preview">
      <Box display="flex" alignItems="baseline" gap={2}>
        <Text size={8} fontWeight="bold" data-test-id="crm-preview-count" opacity={stale ? "0.6" : "1"}>
          {count === null ? "—" : formatNumber(count)}
        </Text>
        <Text size={2} color="default2">
          {pending ? "updating…" : count === 1 ? "customer matches" : "customers match"}
        </Text>
      </Box>
      <Box as="ul" margin={0} padding={0} display="flex" flexDirection="column" gap={1} data-test-id="crm-preview-members">
        {members.map((member) => (
          <Box as="li" key={member.id} listStyleType="none" display="flex" flexDirection="column">
            <Text size={2}>{member.name || member.email}</Text>
            {member.name && (
              <Text size={1} color="default2">
                {member.email}
              </Text>
            )}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
