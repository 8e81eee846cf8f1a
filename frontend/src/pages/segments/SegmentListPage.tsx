import { Box, Button, Text } from "@saleor/macaw-ui";
import { ChevronLeft, ChevronRight, Plus } from "lucide-react";
import { Link } from "wouter";

import { Pill } from "../../components/layout";
import { EmptyState, ErrorState, Loading } from "../../components/states";
import { nodes, useQuery } from "../../core/api";
import { formatNumber, formatRelative } from "../../core/format";
import { graphql } from "../../gql";
import { cell, HeadCell, Hint, Table, TopBar } from "../customers/parts";
import { useRouteState } from "../customers/routing";
import { Sparkline } from "./Trend";

const PAGE = 50;
const TREND_POINTS = 30;

/** One request: a page of segments with their counts and recent history (batched per page by the API). */
const SegmentListQuery = graphql(`
  query SegmentList($first: Int, $after: String, $last: Int, $before: String, $trend: Int!) {
    crmSegments(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          id
          name
          slug
          description
          isBuiltin
          timeRelative
          count
          evaluatedAt
          countHistory(limit: $trend) {
            evaluatedAt
            count
          }
        }
      }
    }
  }
`);

function plural(count: number, noun: string): string {
  return `${formatNumber(count)} ${noun}${count === 1 ? "" : "s"}`;
}

/** "+12 (4%)" between the oldest and newest point of the trend. */
function change(counts: number[]): string | null {
  if (counts.length < 2) return null;
  const delta = counts[counts.length - 1] - counts[0];
  if (delta === 0) return "no change";
  const percent = counts[0] ? ` (${Math.round((delta / counts[0]) * 100)}%)` : "";
  return `${delta > 0 ? "+" : "−"}${formatNumber(Math.abs(delta))}${percent}`;
}

/** Customers → Segments: every segment with its size and a small trend; built-ins marked. */
export default function SegmentListPage() {
  const { params, setParams, go } = useRouteState();
  const before = params.get("before");
  const page = before ? { last: PAGE, before } : { first: PAGE, after: params.get("after") || undefined };
  const { data, error, loading, refetch } = useQuery(SegmentListQuery, { ...page, trend: TREND_POINTS });

  const segments = nodes(data?.crmSegments);
  const info = data?.crmSegments?.pageInfo;
  return (
    <Box>
      <TopBar
        title="Segments"
        subtitle={data?.crmSegments ? plural(data.crmSegments.totalCount ?? 0, "segment") : undefined}
      >
        {!error && (
          <Button onClick={() => go("/segments/new")} data-test-id="crm-segment-new">
            <Plus size={16} /> Create segment
          </Button>
        )}
      </TopBar>
      <Box padding={6}>
        {loading && !data ? (
          <Loading />
        ) : error ? (
          <ErrorState error={error} onRetry={refetch} />
        ) : segments.length === 0 ? (
          <EmptyState title="No segments yet">Create one to group customers by what they do.</EmptyState>
        ) : (
          <Table
            testId="crm-segment-list"
            head={
              <>
                <HeadCell>Segment</HeadCell>
                <HeadCell align="right">Members</HeadCell>
                <HeadCell>Last {TREND_POINTS} evaluations</HeadCell>
                <HeadCell>Evaluated</HeadCell>
              </>
            }
          >
            {segments.map((segment) => {
              const counts = [...segment.countHistory].reverse().map((point) => point.count);
              return (
                <Box as="tr" key={segment.id} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1">
                  <Box as="td" {...cell}>
                    <Box display="flex" flexDirection="column" gap={0.5}>
                      <Box display="flex" gap={2} alignItems="center">
                        <Link href={`/segments/${encodeURIComponent(segment.id)}`}>
                          <Text size={3} fontWeight="medium" color="default1" textDecoration="underline">
                            {segment.name}
                          </Text>
                        </Link>
                        {segment.isBuiltin && <Pill tone="info">Built-in</Pill>}
                        {segment.timeRelative && <Pill>Hourly</Pill>}
                      </Box>
                      {segment.description && <Hint>{segment.description}</Hint>}
                    </Box>
                  </Box>
                  <Box as="td" {...cell} textAlign="right">
                    <Text size={3} data-test-id="crm-segment-count">
                      {formatNumber(segment.count)}
                    </Text>
                  </Box>
                  <Box as="td" {...cell}>
                    <Box display="flex" gap={2} alignItems="center">
                      <Sparkline counts={counts} label={`Trend of ${segment.name}`} />
                      <Text size={1} color="default2">
                        {change(counts) ?? "—"}
                      </Text>
                    </Box>
                  </Box>
                  <Box as="td" {...cell}>
                    <Text size={2} color="default2">
                      {segment.evaluatedAt ? formatRelative(segment.evaluatedAt) : "Not yet"}
                    </Text>
                  </Box>
                </Box>
              );
            })}
          </Table>
        )}
        {(info?.hasNextPage || info?.hasPreviousPage) && (
          <Box display="flex" gap={2} justifyContent="flex-end" paddingTop={4}>
            <Button
              variant="secondary"
              disabled={!info.hasPreviousPage}
              aria-label="Previous page"
              onClick={() => setParams({ before: info.startCursor ?? null, after: null })}
            >
              <ChevronLeft size={16} />
            </Button>
            <Button
              variant="secondary"
              disabled={!info.hasNextPage}
              aria-label="Next page"
              onClick={() => setParams({ after: info.endCursor ?? null, before: null })}
            >
              <ChevronRight size={16} />
            </Button>
          </Box>
        )}
      </Box>
    </Box>
  );
}
