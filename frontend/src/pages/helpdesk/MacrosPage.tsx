import { Box, Button, Input, Text, Textarea } from "@saleor/macaw-ui";
import { ArrowLeft, Plus } from "lucide-react";
import { useState } from "react";
import { Link } from "wouter";

import { EmptyState, ErrorState, Loading } from "../../components/states";
import { ApiError, nodes, useMutation, useQuery } from "../../core/api";
import { notify } from "../../core/dashboard";
import { graphql } from "../../gql";
import type { MacrosPageQuery } from "../../gql/graphql";
import { Card, DetailLayout, Hint, TopBar } from "../customers/parts";

/** One request: the saved replies and the placeholders they may use (every domain registers its own). */
const MacrosPageDocument = graphql(`
  query MacrosPage {
    crmMacros(first: 100) {
      edges {
        node {
          id
          name
          body
          updatedAt
        }
      }
    }
    crmMacroPlaceholders {
      name
      description
    }
  }
`);
const CreateMacro = graphql(`
  mutation MacroCreate($input: CrmMacroInput!) {
    crmMacroCreate(input: $input) {
      errors {
        field
        message
      }
      macro {
        id
      }
    }
  }
`);
const UpdateMacro = graphql(`
  mutation MacroUpdate($id: ID!, $input: CrmMacroInput!) {
    crmMacroUpdate(id: $id, input: $input) {
      errors {
        field
        message
      }
      macro {
        id
      }
    }
  }
`);
const DeleteMacro = graphql(`
  mutation MacroDelete($id: ID!) {
    crmMacroDelete(id: $id) {
      errors {
        field
        message
      }
    }
  }
`);

type Macro = NonNullable<NonNullable<MacrosPageQuery["crmMacros"]>["edges"][number]>["node"];

/** `/helpdesk/macros`: saved replies with `{{ placeholders }}` filled in from the ticket when sent. */
export default function MacrosPage() {
  const { data, error, loading, refetch } = useQuery(MacrosPageDocument, {});
  const [selected, setSelected] = useState<string | "new" | null>(null);
  if (loading && !data) return <Loading lines={8} />;
  if (error) return <ErrorState error={error} onRetry={refetch} />;
  const macros = nodes(data?.crmMacros).filter((macro): macro is NonNullable<Macro> => Boolean(macro));
  const current = selected === "new" ? null : (macros.find((macro) => macro.id === selected) ?? macros[0] ?? null);
  return (
    <Box>
      <TopBar
        title="Macros"
        subtitle="Helpdesk"
        back={
          <Link href="/helpdesk" aria-label="Back to the inbox">
            <ArrowLeft size={20} />
          </Link>
        }
      >
        <Button onClick={() => setSelected("new")} data-test-id="crm-macro-new">
          <Plus size={16} /> New macro
        </Button>
      </TopBar>
      <DetailLayout
        main={
          <Box display="grid" __gridTemplateColumns="240px minmax(0, 1fr)">
            <Box as="ul" margin={0} padding={4} display="flex" flexDirection="column" gap={0.5} borderRightStyle="solid" borderRightWidth={1} borderColor="default1" aria-label="Macros">
              {macros.length === 0 && <EmptyState title="No macros yet" />}
              {macros.map((macro) => (
                <Box as="li" key={macro.id} listStyleType="none">
                  <Box
                    as="button"
                    width="100%"
                    textAlign="left"
                    paddingX={3}
                    paddingY={2}
                    borderRadius={3}
                    borderWidth={0}
                    cursor="pointer"
                    backgroundColor={current?.id === macro.id && selected !== "new" ? "default1Pressed" : { default: "default1", hover: "default1Hovered" }}
                    onClick={() => setSelected(macro.id)}
                  >
                    <Text size={2}>{macro.name}</Text>
                  </Box>
                </Box>
              ))}
            </Box>
            <MacroForm key={current?.id ?? "new"} macro={selected === "new" ? null : current} onSaved={(id) => { setSelected(id); refetch(); }} />
          </Box>
        }
        side={
          <Card title="Placeholders" testId="crm-macro-placeholders">
            <Box display="flex" flexDirection="column" gap={2}>
              {(data?.crmMacroPlaceholders ?? []).map((placeholder) => (
                <Box key={placeholder.name} display="flex" flexDirection="column">
                  <Text size={2} fontWeight="medium" __fontFamily="ui-monospace, monospace">{`{{ ${placeholder.name} }}`}</Text>
                  <Text size={1} color="default2">
                    {placeholder.description}
                  </Text>
                </Box>
              ))}
              <Hint>Placeholders are filled in from the ticket when the reply is sent; the ticket page previews it.</Hint>
            </Box>
          </Card>
        }
      />
    </Box>
  );
}

function MacroForm({ macro, onSaved }: { macro: NonNullable<Macro> | null; onSaved: (id: string | null) => void }) {
  const [name, setName] = useState(macro?.name ?? "");
  const [body, setBody] = useState(macro?.body ?? "");
  const [problem, setProblem] = useState<string | null>(null);
  const [create, { loading: creating }] = useMutation(CreateMacro);
  const [update, { loading: updating }] = useMutation(UpdateMacro);
  const [remove, { loading: removing }] = useMutation(DeleteMacro);

  async function save() {
    try {
      const result = macro ? (await update({ id: macro.id, input: { name, body } })).crmMacroUpdate : (await create({ input: { name, body } })).crmMacroCreate;
      const failure = result?.errors?.[0]?.message ?? null;
      setProblem(failure);
      if (!failure) {
        void notify("success", "Macro saved");
        onSaved(result?.macro?.id ?? null);
      }
    } catch (failure) {
      setProblem(failure instanceof ApiError ? failure.message : "The macro could not be saved.");
    }
  }

  async function destroy() {
    if (!macro) return;
    try {
      const failure = (await remove({ id: macro.id })).crmMacroDelete?.errors?.[0]?.message ?? null;
      setProblem(failure);
      if (!failure) onSaved(null);
    } catch (failure) {
      setProblem(failure instanceof ApiError ? failure.message : "The macro could not be deleted.");
    }
  }

  return (
    <Card title={macro ? macro.name : "New macro"} testId="crm-macro-form">
      <Box display="flex" flexDirection="column" gap={3}>
        <Input label="Name" value={name} onChange={(event) => setName(event.target.value)} data-test-id="crm-macro-name" />
        <Textarea label="Text" rows={8} value={body} onChange={(event) => setBody(event.target.value)} data-test-id="crm-macro-body" />
        {problem && (
          <Text size={2} color="critical1" role="alert" data-test-id="crm-macro-error">
            {problem}
          </Text>
        )}
        <Box display="flex" gap={2} justifyContent="flex-end">
          {macro && (
            <Button variant="error" onClick={destroy} disabled={removing}>
              Delete
            </Button>
          )}
          <Button onClick={save} disabled={creating || updating || !name.trim() || !body.trim()} data-test-id="crm-macro-save">
            Save
          </Button>
        </Box>
      </Box>
    </Card>
  );
}
