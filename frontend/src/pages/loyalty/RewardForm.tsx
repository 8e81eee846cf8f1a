import { Box, Button, Checkbox, Input, Text } from "@saleor/macaw-ui";
import { type FormEvent, useState } from "react";

import { ApiError, useMutation } from "../../core/api";
import { notify } from "../../core/dashboard";
import { graphql } from "../../gql";
import type { LoyaltyPageQuery } from "../../gql/graphql";

export type RewardRow = LoyaltyPageQuery["loyaltyRewards"][number];

const SaveReward = graphql(`
  mutation SaveReward($id: ID, $input: LoyaltyRewardInput!) {
    loyaltyRewardSave(id: $id, input: $input) {
      reward {
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

type Fields = { name: string; description: string; pointsCost: string; value: string; channel: string; isActive: boolean };

/** Creates or edits one reward; the API's refusals are shown at the field they name. */
export function RewardForm({ reward, defaultChannel, onDone }: { reward: RewardRow | null; defaultChannel: string; onDone: (saved: boolean) => void }) {
  const [fields, setFields] = useState<Fields>({
    name: reward?.name ?? "",
    description: reward?.description ?? "",
    pointsCost: reward ? String(reward.pointsCost) : "",
    value: reward ? String(reward.value.amount) : "",
    channel: reward?.channel ?? defaultChannel,
    isActive: reward?.isActive ?? true,
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [save, { loading }] = useMutation(SaveReward);

  const change = (name: keyof Fields) => (event: { target: { value: string } }) => setFields((previous) => ({ ...previous, [name]: event.target.value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const points = Number.parseInt(fields.pointsCost, 10);
    try {
      const result = await save({
        id: reward?.id ?? null,
        input: {
          name: fields.name,
          description: fields.description,
          pointsCost: Number.isNaN(points) ? null : points,
          value: fields.value.trim() || null,
          channel: fields.channel.trim(),
          isActive: fields.isActive,
        },
      });
      const refused = result.loyaltyRewardSave?.errors ?? [];
      if (refused.length > 0) {
        setErrors(Object.fromEntries(refused.map((error) => [error.field ?? "form", error.message ?? error.code])));
        return;
      }
      void notify("success", reward ? "Reward saved" : "Reward added");
      onDone(true);
    } catch (error) {
      setErrors({ form: error instanceof ApiError ? error.message : "The reward could not be saved." });
    }
  }

  return (
    <Box
      as="form"
      onSubmit={submit}
      display="grid"
      __gridTemplateColumns="2fr 1fr 1fr 1fr"
      gap={3}
      padding={4}
      marginBottom={4}
      borderRadius={4}
      borderStyle="solid"
      borderWidth={1}
      borderColor="default1"
      data-test-id="crm-reward-form"
      aria-label={reward ? `Edit ${reward.name}` : "New reward"}
    >
      <Input label="Name" value={fields.name} onChange={change("name")} error={!!errors.name} helperText={errors.name} name="name" autoFocus data-test-id="crm-reward-name" />
      <Input label="Points" type="number" value={fields.pointsCost} onChange={change("pointsCost")} error={!!errors.pointsCost} helperText={errors.pointsCost} name="pointsCost" data-test-id="crm-reward-points" />
      <Input label="Value" value={fields.value} onChange={change("value")} error={!!errors.value} helperText={errors.value ?? "In the channel's currency"} name="value" data-test-id="crm-reward-value" />
      <Input label="Channel" value={fields.channel} onChange={change("channel")} error={!!errors.channel} helperText={errors.channel} name="channel" data-test-id="crm-reward-channel" />
      <Box __gridColumn="1 / span 3">
        <Input label="Description" value={fields.description} onChange={change("description")} error={!!errors.description} helperText={errors.description} name="description" />
      </Box>
      <Box display="flex" alignItems="center">
        <Checkbox checked={fields.isActive} onCheckedChange={(checked) => setFields((previous) => ({ ...previous, isActive: checked === true }))} data-test-id="crm-reward-active">
          <Text size={2}>Active</Text>
        </Checkbox>
      </Box>
      <Box __gridColumn="1 / -1" display="flex" justifyContent="space-between" alignItems="center" gap={2}>
        <Text size={2} color="critical1" role="alert">
          {errors.form ?? ""}
        </Text>
        <Box display="flex" gap={2}>
          <Button type="button" variant="secondary" onClick={() => onDone(false)}>
            Cancel
          </Button>
          <Button type="submit" disabled={loading} data-test-id="crm-reward-save">
            {loading ? "Saving…" : "Save reward"}
          </Button>
        </Box>
      </Box>
    </Box>
  );
}
