import { Box, Button, Input, Text, Textarea } from "@saleor/macaw-ui";
import { Trash2, X } from "lucide-react";
import { useState } from "react";

import { formatDateTime } from "../../../core/format";
import { useCustomerAction } from "../actions";
import type { Customer } from "../CustomerPage";
import { Card, Hint } from "../parts";
import { NoteAdd, NoteDelete, TagsUpdate } from "../queries";

function Problem({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Text size={2} color="critical1" role="alert">
      {message}
    </Text>
  );
}

/** Staff tags: free words (vip, wholesale) that segments and the list filter can use. */
export function TagsCard({ customer, onChanged }: { customer: Customer; onChanged: () => void }) {
  const [tag, setTag] = useState("");
  const { run, running, error } = useCustomerAction(TagsUpdate, { success: "Tags saved", onDone: onChanged });
  const tags = customer.tags ?? [];
  const add = async () => {
    const name = tag.trim();
    if (name && (await run({ id: customer.id, add: [name] }))) setTag("");
  };
  return (
    <Card title="Tags" testId="crm-tags">
      <Box display="flex" gap={1.5} flexWrap="wrap" paddingBottom={3}>
        {tags.length === 0 && <Hint>No tags.</Hint>}
        {tags.map((name) => (
          <Box
            key={name}
            display="inline-flex"
            alignItems="center"
            gap={1}
            paddingLeft={2}
            paddingRight={1}
            paddingY={0.5}
            borderRadius={3}
            backgroundColor="default2"
            data-test-id="crm-tag"
          >
            <Text size={2}>{name}</Text>
            <Box
              as="button"
              type="button"
              display="inline-flex"
              backgroundColor="transparent"
              borderWidth={0}
              padding={0}
              cursor="pointer"
              color="default2"
              aria-label={`Remove tag ${name}`}
              disabled={running}
              onClick={() => void run({ id: customer.id, remove: [name] })}
            >
              <X size={14} />
            </Box>
          </Box>
        ))}
      </Box>
      <Box
        as="form"
        display="flex"
        gap={2}
        alignItems="flex-start"
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <Box __flex="1 1 auto">
          <Input
            size="small"
            label="Add a tag"
            value={tag}
            maxLength={64}
            onChange={(event) => setTag(event.target.value)}
            data-test-id="crm-tag-input"
          />
        </Box>
        <Button type="submit" variant="secondary" disabled={!tag.trim() || running} data-test-id="crm-tag-add">
          Add
        </Button>
      </Box>
      <Problem message={error} />
    </Card>
  );
}

/** Staff notes: internal, never shown to the shopper; each also lands on the timeline. */
export function NotesCard({ customer, onChanged }: { customer: Customer; onChanged: () => void }) {
  const [message, setMessage] = useState("");
  const adding = useCustomerAction(NoteAdd, { success: "Note added", onDone: onChanged });
  const deleting = useCustomerAction(NoteDelete, { success: "Note deleted", onDone: onChanged });
  const notes = customer.notes ?? [];
  const add = async () => {
    if (message.trim() && (await adding.run({ id: customer.id, message: message.trim() }))) setMessage("");
  };
  return (
    <Card title="Notes" testId="crm-notes">
      <Box display="flex" flexDirection="column" gap={3} paddingBottom={3}>
        {notes.length === 0 && <Hint>No notes. Only staff see them.</Hint>}
        {notes.map((note) => (
          <Box key={note.id} display="flex" gap={2} alignItems="flex-start" data-test-id="crm-note">
            <Box __flex="1 1 auto" minWidth={0}>
              <Text size={2} display="block" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
                {note.message}
              </Text>
              <Text size={1} color="default2">
                {formatDateTime(note.createdAt)}
              </Text>
            </Box>
            <Button
              variant="tertiary"
              size="small"
              icon={<Trash2 size={16} />}
              aria-label="Delete note"
              disabled={deleting.running}
              onClick={() => void deleting.run({ id: note.id })}
              data-test-id="crm-note-delete"
            />
          </Box>
        ))}
      </Box>
      <Box
        as="form"
        display="flex"
        flexDirection="column"
        gap={2}
        onSubmit={(event) => {
          event.preventDefault();
          void add();
        }}
      >
        <Textarea
          label="Add a note"
          rows={3}
          value={message}
          onChange={(event) => setMessage(event.target.value)}
          data-test-id="crm-note-input"
        />
        <Box display="flex" justifyContent="flex-end">
          <Button type="submit" variant="secondary" disabled={!message.trim() || adding.running} data-test-id="crm-note-add">
            Add note
          </Button>
        </Box>
      </Box>
      <Problem message={adding.error ?? deleting.error} />
    </Card>
  );
}
