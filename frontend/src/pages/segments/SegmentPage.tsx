import { Box, Button, Text } from "@saleor/macaw-ui";
import { ArrowLeft, ChevronLeft, ChevronRight, Download, Pencil } from "lucide-react";
import { useState } from "react";
import { Link, useParams } from "wouter";

import { Pill } from "../../components/layout";
import { EmptyState, ErrorState, Loading } from "../../components/states";
import { nodes, useQuery } from "../../core/api";
import { notify } from "../../core/dashboard";
import { formatDate, formatDateTime, formatNumber, formatRelative } from "../../core/format";
import { currentToken } from "../../core/session";
import { graphql } from "../../gql";
import { Card, cell, DetailLayout, HeadCell, Hint, Row, Table, TopBar } from "../customers/parts";
import { useRouteState } from "../customers/routing";
import { HistoryChart } from "./Trend";

const MEMBERS_PAGE = 25;
const HISTORY = 60;

/** One request per screen: the segment, a page of members, its history, recent changes and the mirror. */
const SegmentPageQuery = graphql(`
  query SegmentPage($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $history: Int!) {
    crmSegment(id: $id) {
      id
      name
      slug
      description
      query
      isBuiltin
      timeRelative
      count
      evaluatedAt
      countHistory(limit: $history) {
        evaluatedAt
        count
        entered
        left
      }
      members(first: $first, after: $after, last: $last, before: $before) {
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
            email
            ordersCount
            lastOrderAt
          }
        }
      }
    }
    crmSegmentChanges(segment: $id, first: 20) {
      change
      occurredAt
      customer {
        id
        name
        email
      }
    }
    crmSegmentMirror {
      enabled
      metadataKey
    }
  }
`);

const EXPORT_URL = "/plugins/global/saleor.crm/segments";

/**
 * The CSV comes from a streaming endpoint (the server reads members through a cursor and sends rows as
 * it goes); the browser saves it as a file. The token travels in the header, never in a URL.
 */
async function downloadMembers(segmentId: string, slug: string) {
  const response = await fetch(`${EXPORT_URL}/${encodeURIComponent(segmentId)}/members.csv`, {
    headers: { Authorization: `Bearer ${currentToken() ?? ""}` },
    credentials: "omit",
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `The export failed (HTTP ${response.status}).`);
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = `segment-${slug}.csv`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `/segments/:id`: members (paged), size over time, who entered and left, export, metadata mirror. */
export default function SegmentPage() {
  const { id: rawId } = useParams<{ id: string }>();
  const id = decodeURIComponent(rawId);
  const { params, setParams, go } = useRouteState();
  const before = params.get("before");
  const page = before ? { last: MEMBERS_PAGE, before } : { first: MEMBERS_PAGE, after: params.get("after") || undefined };
  const { data, error, loading, refetch } = useQuery(SegmentPageQuery, { id, ...page, history: HISTORY });
  const [exporting, setExporting] = useState(false);

  if (loading && !data) return <Loading lines={8} />;
  if (error) return <ErrorState error={error} onRetry={refetch} />;
  const segment = data?.crmSegment;
  if (!segment) return <ErrorState error={new Error("This segment doesn't exist any more.")} />;

  const members = nodes(segment.members);
  const info = segment.members.pageInfo;
  const history = [...segment.countHistory].reverse();
  const changes = data?.crmSegmentChanges ?? [];
  const mirror = data?.crmSegmentMirror;

  async function exportCsv() {
    setExporting(true);
    try {
      await downloadMembers(segment!.id, segment!.slug);
    } catch (failure) {
      void notify("error", "Export failed", failure instanceof Error ? failure.message : undefined);
    } finally {
      setExporting(false);
    }
  }

  return (
    <Box>
      <TopBar
        title={segment.name}
        subtitle="Segments"
        back={
          <Link href="/segments" aria-label="Back to segments">
            <ArrowLeft size={20} />
          </Link>
        }
      >
        <Button variant="secondary" onClick={exportCsv} disabled={exporting || !segment.evaluatedAt} data-test-id="crm-segment-export">
          <Download size={16} /> {exporting ? "Exporting…" : "Export CSV"}
        </Button>
        <Button onClick={() => go(`/segments/${encodeURIComponent(segment.id)}/edit`)} data-test-id="crm-segment-edit">
          <Pencil size={16} /> Edit
        </Button>
      </TopBar>
      <DetailLayout
        main={
          <>
            <Card title="Size over time" testId="crm-segment-size">
              {history.length === 0 ? (
                <Hint>Not evaluated yet: the CRM evaluates new segments within a few minutes.</Hint>
              ) : (
                <Box display="flex" flexDirection="column" gap={2}>
                  <HistoryChart history={history} />
                  <Hint>
                    Members at each of the last {history.length} evaluations; below the line, customers who entered (green)
                    and left (red).
                  </Hint>
                </Box>
              )}
            </Card>
            <Card
              title={`Members (${formatNumber(segment.count)})`}
              testId="crm-segment-members"
              toolbar={
                (info.hasNextPage || info.hasPreviousPage) && (
                  <>
                    <Button
                      variant="secondary"
                      size="small"
                      aria-label="Previous page"
                      disabled={!info.hasPreviousPage}
                      onClick={() => setParams({ before: info.startCursor ?? null, after: null })}
                    >
                      <ChevronLeft size={16} />
                    </Button>
                    <Button
                      variant="secondary"
                      size="small"
                      aria-label="Next page"
                      disabled={!info.hasNextPage}
                      onClick={() => setParams({ after: info.endCursor ?? null, before: null })}
                    >
                      <ChevronRight size={16} />
                    </Button>
                  </>
                )
              }
            >
              {members.length === 0 ? (
                <EmptyState title="No members">{segment.evaluatedAt ? "Nobody matches the query now." : "Not evaluated yet."}</EmptyState>
              ) : (
                <Table
                  head={
                    <>
                      <HeadCell>Customer</HeadCell>
                      <HeadCell align="right">Orders</HeadCell>
                      <HeadCell>Last order</HeadCell>
                    </>
                  }
                >
                  {members.map((member) => (
                    <Box as="tr" key={member.id} borderBottomStyle="solid" borderBottomWidth={1} borderColor="default1">
                      <Box as="td" {...cell}>
                        <Link href={`/customers/${encodeURIComponent(member.id)}`}>
                          <Text size={2} fontWeight="medium" textDecoration="underline">
                            {member.name || member.email}
                          </Text>
                        </Link>
                        {member.name && (
                          <Text size={1} color="default2" display="block">
                            {member.email}
                          </Text>
                        )}
                      </Box>
                      <Box as="td" {...cell} textAlign="right">
                        <Text size={2}>{formatNumber(member.ordersCount)}</Text>
                      </Box>
                      <Box as="td" {...cell}>
                        <Text size={2}>{formatDate(member.lastOrderAt)}</Text>
                      </Box>
                    </Box>
                  ))}
                </Table>
              )}
            </Card>
          </>
        }
        side={
          <>
            <Card title="Details">
              <Box display="flex" flexDirection="column">
                <Row label="Members">{formatNumber(segment.count)}</Row>
                <Row label="Evaluated">{segment.evaluatedAt ? formatDateTime(segment.evaluatedAt) : "Not yet"}</Row>
                <Row label="Kind">
                  {segment.isBuiltin ? <Pill tone="info">Built-in</Pill> : "Custom"}
                  {segment.timeRelative ? " · re-evaluated hourly" : ""}
                </Row>
                <Row label="Saleor metadata">
                  <span data-test-id="crm-segment-mirror">
                    {mirror?.enabled ? `Mirrored to “${mirror.metadataKey}”` : "Not mirrored"}
                  </span>
                </Row>
                <Box as="pre" margin={0} marginTop={3} padding={3} borderRadius={3} backgroundColor="default2" __whiteSpace="pre-wrap">
                  <Text size={2} __fontFamily="ui-monospace, monospace">
                    {segment.query}
                  </Text>
                </Box>
                {segment.description && <Hint>{segment.description}</Hint>}
                {!mirror?.enabled && (
                  <Hint>Turn on “Segments mirror to metadata” in the CRM plugin settings to copy segment slugs to customers.</Hint>
                )}
              </Box>
            </Card>
            <Card title="Entered and left recently" testId="crm-segment-changes">
              {changes.length === 0 ? (
                <Hint>No one entered or left yet.</Hint>
              ) : (
                <Box as="ul" margin={0} padding={0} display="flex" flexDirection="column" gap={2}>
                  {changes.map((change, index) => (
                    <Box as="li" key={index} listStyleType="none" display="flex" justifyContent="space-between" gap={2}>
                      <Box display="flex" gap={2} alignItems="center" minWidth={0}>
                        <Pill tone={change.change === "ENTERED" ? "success" : "critical"}>
                          {change.change === "ENTERED" ? "Entered" : "Left"}
                        </Pill>
                        <Text size={2} ellipsis>
                          {change.customer ? change.customer.name || change.customer.email : "Deleted customer"}
                        </Text>
                      </Box>
                      <Text size={1} color="default2" whiteSpace="nowrap">
                        {formatRelative(change.occurredAt)}
                      </Text>
                    </Box>
                  ))}
                </Box>
              )}
            </Card>
          </>
        }
      />
    </Box>
  );
}
