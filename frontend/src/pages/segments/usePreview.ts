import { useEffect, useRef, useState } from "react";

import { type ApiError, request } from "../../core/api";
import { graphql } from "../../gql";
import type { SegmentPreviewQuery } from "../../gql/graphql";

export const PREVIEW_DELAY_MS = 300;
const PREVIEW_MEMBERS = 5;

const SegmentPreview = graphql(`
  query SegmentPreview($query: String!, $first: Int!) {
    crmSegmentPreview(query: $query, first: $first) {
      count
      members {
        id
        name
        email
      }
      errors {
        message
        code
        line
        column
      }
      warnings {
        message
        code
        line
        column
      }
    }
  }
`);

export type Preview = SegmentPreviewQuery["crmSegmentPreview"];

/**
 * The live preview of an unsaved query: asked `PREVIEW_DELAY_MS` after the last keystroke, and the
 * request still running for an older text is aborted (AbortController), so a slow answer never
 * overwrites a newer one and the server stops working for text nobody looks at any more.
 *
 * Timings go to the Performance timeline: `crm:preview` (last keystroke → preview on screen) and
 * `crm:preview-request` (the request alone), read by the benchmark and the tests.
 */
export function usePreview(query: string, enabled: boolean) {
  const [preview, setPreview] = useState<{ query: string; result: Preview } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [pending, setPending] = useState(false);
  const typedAt = useRef(0);

  useEffect(() => {
    typedAt.current = performance.now();
  }, [query]);

  useEffect(() => {
    if (!enabled || !query.trim()) {
      setPending(false);
      return;
    }
    const controller = new AbortController();
    setPending(true);
    const timer = setTimeout(() => {
      const sentAt = performance.now();
      request(SegmentPreview, { query, first: PREVIEW_MEMBERS }, { signal: controller.signal }).then(
        ({ data, errors }) => {
          if (controller.signal.aborted) return;
          const answeredAt = performance.now();
          if (data?.crmSegmentPreview) {
            setPreview({ query, result: data.crmSegmentPreview });
            setError(null);
          } else {
            setError(errors[0] ?? null);
          }
          setPending(false);
          performance.measure("crm:preview-request", { start: sentAt, end: answeredAt });
          requestAnimationFrame(() => performance.measure("crm:preview", { start: typedAt.current, end: performance.now() }));
        },
        (failure: ApiError) => {
          if (controller.signal.aborted) return; // superseded by newer text
          setError(failure);
          setPending(false);
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, enabled]);

  return { preview: preview?.result ?? null, previewedQuery: preview?.query ?? null, error, pending };
}
