import { Box, Text } from "@saleor/macaw-ui";
import { type KeyboardEvent, useMemo, useRef, useState } from "react";

/** A field or function of the segment language, as `crmSegmentFields` serves it. */
export interface Term {
  name: string;
  kind: "FIELD" | "FUNCTION";
  type?: string | null;
  description: string;
  choices: string[];
  params: { name: string; type: string; required: boolean }[];
}

/** Where the API says the query goes wrong (1-based, like the API). */
export interface Problem {
  message: string;
  line?: number | null;
  column?: number | null;
  tone: "critical" | "warning";
}

const MAX_SUGGESTIONS = 8;
const FONT = "13px/20px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace";
const PADDING = "8px 12px";
const WORD = /[a-z_][a-z0-9_]*$/i;

/** Offset in `text` of a 1-based line and column (clamped to the text). */
function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split("\n");
  let offset = 0;
  for (let index = 0; index < Math.min(line - 1, lines.length - 1); index += 1) offset += lines[index].length + 1;
  return Math.min(offset + Math.max(column - 1, 0), text.length);
}

/** The span a problem points at: the word (or quoted text) starting there, else one character. */
function spanOf(text: string, problem: Problem): [number, number] | null {
  if (!problem.line || !problem.column) return null;
  const start = offsetOf(text, problem.line, problem.column);
  const rest = text.slice(start);
  const token = /^("[^"\n]*"?|[A-Za-z0-9_.-]+)/.exec(rest);
  const length = token ? token[0].length : rest.length > 0 ? 1 : 0;
  return [start, start + length];
}

/** `orders_count` for a field; `spent(currency)` for a function: what the list shows. */
export function signature(term: Term): string {
  if (term.kind === "FIELD") return term.name;
  return `${term.name}(${term.params.map((param) => (param.required ? param.name : `${param.name}?`)).join(", ")})`;
}

/**
 * The segment query editor: a plain textarea (every keyboard and screen-reader habit works) over a
 * mirror of its text in which the problems the API reports are underlined at their line and column,
 * and a completion list of the language's field and function names (from the API's registry).
 * Tab or Enter takes the highlighted name, arrows move, Escape closes.
 */
export function QueryEditor({
  value,
  onChange,
  terms,
  problems,
  label = "Query",
}: {
  value: string;
  onChange: (value: string) => void;
  terms: Term[];
  problems: Problem[];
  label?: string;
}) {
  const area = useRef<HTMLTextAreaElement>(null);
  const mirror = useRef<HTMLDivElement>(null);
  const [caret, setCaret] = useState(0);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);

  const prefix = WORD.exec(value.slice(0, caret))?.[0] ?? "";
  const insideString = (value.slice(0, caret).match(/"/g)?.length ?? 0) % 2 === 1;
  const suggestions = useMemo(() => {
    if (!prefix || insideString) return [];
    const wanted = prefix.toLowerCase();
    const starts = terms.filter((term) => term.name.startsWith(wanted));
    const contains = terms.filter((term) => !term.name.startsWith(wanted) && term.name.includes(wanted));
    return [...starts, ...contains].filter((term) => term.name !== wanted).slice(0, MAX_SUGGESTIONS);
  }, [prefix, insideString, terms]);
  const showing = open && suggestions.length > 0;
  const highlighted = Math.min(active, suggestions.length - 1);

  const underline = problems.flatMap((problem) => {
    const span = spanOf(value, problem);
    return span ? [{ span, problem }] : [];
  })[0];

  function accept(term: Term) {
    const start = caret - prefix.length;
    const insert = term.kind === "FUNCTION" ? `${term.name}(` : term.name;
    const next = value.slice(0, start) + insert + value.slice(caret);
    onChange(next);
    setOpen(false);
    const position = start + insert.length;
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(position, position);
      setCaret(position);
    });
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (!showing) {
      if (event.key === " " && event.ctrlKey) {
        event.preventDefault();
        setOpen(true);
      }
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((highlighted + step + suggestions.length) % suggestions.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      accept(suggestions[highlighted]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      setOpen(false);
    }
  }

  const tone = underline?.problem.tone === "warning" ? "warning1" : "critical1";
  const shared = { font: FONT, padding: PADDING, whiteSpace: "pre-wrap", overflowWrap: "anywhere" } as const;
  return (
    <Box display="flex" flexDirection="column" gap={1}>
      <label htmlFor="crm-segment-query">
        <Text size={2} color="default2">
          {label}
        </Text>
      </label>
      <Box
        position="relative"
        borderStyle="solid"
        borderWidth={1}
        borderRadius={3}
        borderColor={underline ? (underline.problem.tone === "warning" ? "warning1" : "critical1") : "default1"}
        backgroundColor="default1"
        __height="160px"
      >
        <div
          ref={mirror}
          aria-hidden
          data-test-id="crm-query-mirror"
          style={{ ...shared, position: "absolute", inset: 0, overflow: "hidden", color: "transparent", margin: 0 }}
        >
          {underline ? (
            <>
              {value.slice(0, underline.span[0])}
              <span
                data-test-id="crm-query-underline"
                title={underline.problem.message}
                style={{
                  textDecorationLine: "underline",
                  textDecorationStyle: "wavy",
                  textDecorationColor: `var(--mu-colors-text-${tone})`,
                  backgroundColor: `var(--mu-colors-background-${tone})`,
                }}
              >
                {value.slice(underline.span[0], underline.span[1]) || " "}
              </span>
              {value.slice(underline.span[1])}
            </>
          ) : (
            value
          )}
        </div>
        <textarea
          id="crm-segment-query"
          ref={area}
          value={value}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={underline?.problem.tone === "critical"}
          aria-describedby="crm-query-problems"
          aria-autocomplete="list"
          aria-expanded={showing}
          aria-controls="crm-query-completions"
          data-test-id="crm-segment-query"
          onChange={(event) => {
            onChange(event.target.value);
            setCaret(event.target.selectionStart);
            setOpen(true);
            setActive(0);
          }}
          onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={() => setOpen(false)}
          onScroll={(event) => {
            if (mirror.current) mirror.current.scrollTop = event.currentTarget.scrollTop;
          }}
          style={{
            ...shared,
            position: "absolute",
            inset: 0,
            width: "100%",
            height: "100%",
            boxSizing: "border-box",
            resize: "none",
            border: 0,
            outline: "none",
            background: "transparent",
            color: "var(--mu-colors-text-default1)",
            caretColor: "var(--mu-colors-text-default1)",
          }}
        />
      </Box>
      {showing && (
        <Box
          as="ul"
          id="crm-query-completions"
          role="listbox"
          aria-label="Fields and functions"
          data-test-id="crm-query-completions"
          margin={0}
          padding={1}
          borderStyle="solid"
          borderWidth={1}
          borderColor="default1"
          borderRadius={3}
          backgroundColor="default1"
          boxShadow="defaultOverlay"
        >
          {suggestions.map((term, index) => (
            <Box
              as="li"
              key={term.name}
              role="option"
              aria-selected={index === highlighted}
              display="flex"
              justifyContent="space-between"
              gap={3}
              paddingX={2}
              paddingY={1}
              borderRadius={2}
              cursor="pointer"
              backgroundColor={index === highlighted ? "default1Hovered" : undefined}
              onMouseDown={(event) => {
                event.preventDefault(); // keep the textarea focused
                accept(term);
              }}
            >
              <Text size={2} fontWeight="medium" __fontFamily="ui-monospace, monospace">
                {signature(term)}
              </Text>
              <Text size={1} color="default2" ellipsis>
                {term.description}
              </Text>
            </Box>
          ))}
        </Box>
      )}
      <Box id="crm-query-problems" display="flex" flexDirection="column" gap={1} aria-live="polite">
        {problems.map((problem, index) => (
          <Text
            key={index}
            size={2}
            color={problem.tone === "critical" ? "critical1" : "warning1"}
            data-test-id={problem.tone === "critical" ? "crm-query-error" : "crm-query-warning"}
          >
            {problem.line ? `Line ${problem.line}, column ${problem.column}: ` : ""}
            {problem.message.replace(/\s*\(line \d+, column \d+\)$/, "")}
          </Text>
        ))}
      </Box>
    </Box>
  );
}
