import { Box, Button, Checkbox, Input, Select, Text, Textarea } from "@saleor/macaw-ui";
import { ArrowLeft } from "lucide-react";
import { type FormEvent, useEffect, useState } from "react";
import { useParams } from "wouter";

import { Pill } from "../../components/layout";
import { EmptyState, ErrorState, Loading } from "../../components/states";
import { ApiError, nodes, useMutation, useQuery } from "../../core/api";
import { markDataShown, notify } from "../../core/dashboard";
import { graphql } from "../../gql";
import type { FlowEditorQuery } from "../../gql/graphql";
import { Card, DetailLayout, Hint, TopBar } from "../customers/parts";
import { useRouteState } from "../customers/routing";
import { FlowPreview } from "./FlowPreview";
import { duration } from "./parts";
import { type FieldErrors, type StepForm, stepInput, whole } from "./steps";

/** One request: the flow, what its fields can hold (triggers, goals, segments, placeholders) and a customer to preview for. */
const FlowEditorDocument = graphql(`
  query FlowEditor($id: ID!) {
    crmFlow(id: $id) {
      id
      name
      slug
      description
      trigger
      triggerSegment
      segmentFilter
      goals
      isActive
      isBuiltin
      steps {
        position
        waitMinutes
        sendWindowHours
        subject
        text
        html
        translations
        incentivePoints
        discountCode
      }
    }
    crmAutomationTriggers {
      name
      description
      needsSegment
    }
    crmAutomationGoals {
      name
      description
    }
    crmAutomationPlaceholders {
      name
      description
    }
    crmSegments(first: 100) {
      edges {
        node {
          slug
          name
        }
      }
    }
    crmCustomers(first: 1) {
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

const UpdateFlow = graphql(`
  mutation UpdateFlow($id: ID!, $input: CrmFlowInput!) {
    crmFlowUpdate(id: $id, input: $input) {
      flow {
        id
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

type Flow = NonNullable<FlowEditorQuery["crmFlow"]>;
interface FlowForm {
  name: string;
  description: string;
  trigger: string;
  triggerSegment: string;
  segmentFilter: string;
  goals: string[];
  steps: StepForm[];
}

const EMPTY_STEP: StepForm = { waitMinutes: "1440", sendWindowHours: "0", subject: "", text: "", html: "", translations: "{}", incentivePoints: "0", discountCode: "" };

function formOf(flow: Flow): FlowForm {
  return {
    name: flow.name,
    description: flow.description,
    trigger: flow.trigger,
    triggerSegment: flow.triggerSegment ?? "",
    segmentFilter: flow.segmentFilter ?? "",
    goals: flow.goals,
    steps: flow.steps.map((step) => ({
      waitMinutes: String(step.waitMinutes),
      sendWindowHours: String(step.sendWindowHours),
      subject: step.subject,
      text: step.text,
      html: step.html,
      translations: JSON.stringify(JSON.parse(step.translations || "{}"), null, 2),
      incentivePoints: String(step.incentivePoints),
      discountCode: step.discountCode,
    })),
  };
}

/** Customers → Automation → a flow: its trigger, filter, goals and steps, with a preview as sending renders it. */
export default function FlowEditorPage() {
  const { id = "" } = useParams<{ id: string }>();
  const flowId = decodeURIComponent(id);
  const { go } = useRouteState();
  const { data, error, refetch } = useQuery(FlowEditorDocument, { id: flowId });

  useEffect(() => {
    if (data) markDataShown();
  }, [data]);

  const back = (
    <Button variant="tertiary" size="small" icon={<ArrowLeft size={16} />} onClick={() => go("/automation")} aria-label="Back to flows" />
  );
  if (error) {
    return (
      <Box display="flex" flexDirection="column">
        <TopBar title="Flow" back={back} />
        <Box padding={6}>
          <ErrorState error={error} onRetry={refetch} />
        </Box>
      </Box>
    );
  }
  if (!data) return <Loading lines={10} />;
  if (!data.crmFlow) {
    return (
      <Box display="flex" flexDirection="column">
        <TopBar title="Flow" back={back} />
        <EmptyState title="There is no such flow">It may have been deleted. Go back to the flow list.</EmptyState>
      </Box>
    );
  }
  return <Editor key={data.crmFlow.id} data={data} flow={data.crmFlow} back={back} onSaved={refetch} />;
}

function Editor({ data, flow, back, onSaved }: { data: FlowEditorQuery; flow: Flow; back: React.ReactNode; onSaved: () => void }) {
  const [form, setForm] = useState<FlowForm>(() => formOf(flow));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [previewStep, setPreviewStep] = useState(1);
  const [previewRequest, setPreviewRequest] = useState(0);
  const [save, { loading }] = useMutation(UpdateFlow);
  const segments = nodes(data.crmSegments);
  const segmentOptions = [{ label: "Everyone", value: "" }, ...segments.map((segment) => ({ label: segment.name, value: segment.slug }))];
  const triggerOptions = data.crmAutomationTriggers.map((trigger) => ({ label: trigger.description, value: trigger.name }));
  const needsSegment = data.crmAutomationTriggers.find((trigger) => trigger.name === form.trigger)?.needsSegment ?? false;

  const set = <K extends keyof FlowForm>(name: K, value: FlowForm[K]) => setForm((previous) => ({ ...previous, [name]: value }));
  const setStep = (index: number, name: keyof StepForm, value: string) =>
    setForm((previous) => ({ ...previous, steps: previous.steps.map((step, at) => (at === index ? { ...step, [name]: value } : step)) }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: FieldErrors = {};
    const steps = form.steps.map((step, index) => stepInput(step, index + 1, found));
    if (Object.keys(found).length > 0) {
      setErrors(found);
      return;
    }
    try {
      const result = await save({
        id: flow.id,
        input: {
          name: form.name,
          description: form.description,
          ...(flow.isBuiltin ? {} : { trigger: form.trigger }),
          triggerSegment: needsSegment ? form.triggerSegment : "",
          segmentFilter: form.segmentFilter,
          goals: form.goals,
          steps,
        },
      });
      const refused = result.crmFlowUpdate?.errors ?? [];
      setErrors(Object.fromEntries(refused.map((problem) => [problem.field ?? "form", problem.message ?? problem.code])));
      if (refused.length === 0) {
        void notify("success", "Flow saved");
        onSaved();
      }
    } catch (problem) {
      setErrors({ form: problem instanceof ApiError ? problem.message : "The flow could not be saved." });
    }
  }

  /** Errors the preview found replace that step's earlier ones. */
  function previewErrors(position: number, found: FieldErrors) {
    setErrors((previous) => ({
      ...Object.fromEntries(Object.entries(previous).filter(([field]) => !field.startsWith(`steps.${position}.`))),
      ...found,
    }));
  }

  const unplaced = Object.entries(errors).filter(([field]) => !isShownAtField(field, form.steps.length));

  return (
    <Box as="form" onSubmit={submit} display="flex" flexDirection="column" data-test-id="crm-flow-editor" noValidate>
      <TopBar title={flow.name} subtitle="Automation" back={back}>
        <Pill tone={flow.isActive ? "success" : "default"}>{flow.isActive ? "Active" : "Paused"}</Pill>
        <Button type="submit" disabled={loading} data-test-id="crm-flow-save">
          {loading ? "Saving…" : "Save"}
        </Button>
      </TopBar>
      {unplaced.length > 0 && (
        <Box paddingX={6} paddingTop={4} role="alert" data-test-id="crm-flow-errors">
          {unplaced.map(([field, message]) => (
            <Text key={field} size={2} color="critical1" display="block">
              {field === "form" ? message : `${field}: ${message}`}
            </Text>
          ))}
        </Box>
      )}
      <DetailLayout
        main={
          <>
            <Card title="Flow">
              <Box display="grid" __gridTemplateColumns="minmax(0, 1fr) minmax(0, 1fr)" gap={3}>
                <Input label="Name" value={form.name} onChange={(event) => set("name", event.target.value)} error={!!errors.name} helperText={errors.name} name="name" />
                <Select
                  label="Trigger"
                  options={triggerOptions}
                  value={triggerOptions.find((option) => option.value === form.trigger) ?? null}
                  onChange={(option) => set("trigger", option.value)}
                  disabled={flow.isBuiltin}
                  error={!!errors.trigger}
                  helperText={errors.trigger ?? (flow.isBuiltin ? "A built-in flow keeps its trigger." : undefined)}
                />
                {needsSegment && (
                  <Select
                    label="Trigger segment"
                    options={segmentOptions.slice(1)}
                    value={segmentOptions.find((option) => option.value === form.triggerSegment) ?? null}
                    onChange={(option) => set("triggerSegment", option.value)}
                    error={!!errors.triggerSegment}
                    helperText={errors.triggerSegment}
                  />
                )}
                <Select
                  label="Only customers in"
                  options={segmentOptions}
                  value={segmentOptions.find((option) => option.value === form.segmentFilter) ?? segmentOptions[0]}
                  onChange={(option) => set("segmentFilter", option.value)}
                  error={!!errors.segmentFilter}
                  helperText={errors.segmentFilter}
                  data-test-id="crm-flow-segment-filter"
                />
                <Box __gridColumn="1 / -1">
                  <Input label="Description" value={form.description} onChange={(event) => set("description", event.target.value)} name="description" />
                </Box>
              </Box>
              <Box display="flex" flexDirection="column" gap={2} marginTop={4}>
                <Text size={2} color="default2">
                  Goals: a customer who reaches one leaves the flow
                </Text>
                <Box display="flex" flexWrap="wrap" gap={4}>
                  {data.crmAutomationGoals.map((goal) => (
                    <Checkbox
                      key={goal.name}
                      checked={form.goals.includes(goal.name)}
                      onCheckedChange={(checked) => set("goals", checked === true ? [...form.goals, goal.name] : form.goals.filter((name) => name !== goal.name))}
                    >
                      <Text size={2}>{goal.description}</Text>
                    </Checkbox>
                  ))}
                </Box>
                {errors.goals && (
                  <Text size={2} color="critical1">
                    {errors.goals}
                  </Text>
                )}
              </Box>
            </Card>
            {form.steps.map((step, index) => (
              <StepCard
                key={index}
                position={index + 1}
                step={step}
                errors={errors}
                onChange={(name, value) => setStep(index, name, value)}
                onRemove={form.steps.length > 1 ? () => set("steps", form.steps.filter((_, at) => at !== index)) : undefined}
                onPreview={() => {
                  setPreviewStep(index + 1);
                  setPreviewRequest((count) => count + 1);
                }}
              />
            ))}
            <Box paddingX={6} paddingBottom={6} display="flex" gap={3} alignItems="center">
              <Button type="button" variant="secondary" onClick={() => set("steps", [...form.steps, { ...EMPTY_STEP }])} disabled={form.steps.length >= 10}>
                Add step
              </Button>
              {errors.steps && (
                <Text size={2} color="critical1">
                  {errors.steps}
                </Text>
              )}
            </Box>
          </>
        }
        side={
          <>
            <FlowPreview
              steps={form.steps}
              position={Math.min(previewStep, form.steps.length)}
              onPosition={setPreviewStep}
              request={previewRequest}
              firstCustomer={nodes(data.crmCustomers)[0] ?? null}
              onErrors={previewErrors}
            />
            <Card title="Placeholders" testId="crm-placeholders">
              <Hint>Write them as {"{{ name }}"} in a subject, text or HTML.</Hint>
              <Box display="flex" flexDirection="column" gap={2} __maxHeight="360px" overflowY="auto" tabIndex={0} aria-label="Placeholders">
                {data.crmAutomationPlaceholders.map((placeholder) => (
                  <Box key={placeholder.name}>
                    <Text as="strong" size={2} fontWeight="medium">
                      <code>{`{{ ${placeholder.name} }}`}</code>
                    </Text>
                    <Text size={1} color="default2" display="block">
                      {placeholder.description}
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

const STEP_PARTS = ["waitMinutes", "sendWindowHours", "subject", "text", "html", "translations", "incentivePoints", "discountCode"];

function isShownAtField(field: string, steps: number): boolean {
  if (["name", "trigger", "triggerSegment", "segmentFilter", "goals", "steps"].includes(field)) return true;
  const match = /^steps\.(\d+)\.(\w+)/.exec(field);
  return !!match && Number(match[1]) <= steps && STEP_PARTS.includes(match[2]);
}

function StepCard({ position, step, errors, onChange, onRemove, onPreview }: {
  position: number;
  step: StepForm;
  errors: FieldErrors;
  onChange: (name: keyof StepForm, value: string) => void;
  onRemove?: () => void;
  onPreview: () => void;
}) {
  const prefix = `steps.${position}`;
  const error = (name: string) => errors[`${prefix}.${name}`];
  const translationErrors = Object.entries(errors)
    .filter(([field]) => field.startsWith(`${prefix}.translations`))
    .map(([field, message]) => (field === `${prefix}.translations` ? message : `${field.slice(prefix.length + 14)}: ${message}`));
  const text = (name: keyof StepForm, label: string, extra: Record<string, unknown> = {}) => (
    <Input
      label={label}
      value={step[name]}
      onChange={(event) => onChange(name, event.target.value)}
      error={!!error(name)}
      helperText={error(name)}
      name={`${prefix}.${name}`}
      data-test-id={`crm-step-${position}-${name}`}
      {...extra}
    />
  );
  const area = (name: keyof StepForm, label: string, rows: number) => (
    <Textarea
      label={label}
      value={step[name]}
      onChange={(event) => onChange(name, event.target.value)}
      error={!!error(name) || (name === "translations" && translationErrors.length > 0)}
      helperText={name === "translations" ? translationErrors.join(" ") || undefined : error(name)}
      rows={rows}
      name={`${prefix}.${name}`}
      data-test-id={`crm-step-${position}-${name}`}
    />
  );
  const wait = whole(step.waitMinutes);
  return (
    <Card
      title={`Step ${position}`}
      testId={`crm-step-${position}`}
      toolbar={
        <>
          <Button type="button" variant="secondary" size="small" onClick={onPreview} data-test-id={`crm-step-${position}-preview`}>
            Preview
          </Button>
          {onRemove && (
            <Button type="button" variant="tertiary" size="small" onClick={onRemove}>
              Remove
            </Button>
          )}
        </>
      }
    >
      <Box display="grid" __gridTemplateColumns="repeat(4, minmax(0, 1fr))" gap={3}>
        {text("waitMinutes", "Wait (minutes)", { type: "number", helperText: error("waitMinutes") ?? (wait !== null ? duration(wait) : undefined) })}
        {text("sendWindowHours", "Send window (hours)", { type: "number", helperText: error("sendWindowHours") ?? "0: as soon as due" })}
        {text("incentivePoints", "Incentive points", { type: "number" })}
        {text("discountCode", "Discount code")}
        <Box __gridColumn="1 / -1">{text("subject", "Subject")}</Box>
        <Box __gridColumn="1 / -1">{area("text", "Text", 5)}</Box>
        <Box __gridColumn="1 / -1">{area("html", "HTML (optional; placeholders are escaped)", 5)}</Box>
        <Box __gridColumn="1 / -1">{area("translations", "Translations (JSON per language)", 3)}</Box>
      </Box>
    </Card>
  );
}
