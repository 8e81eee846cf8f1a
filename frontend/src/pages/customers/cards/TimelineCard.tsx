import { Box, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import { ErrorState, Loading } from "../../../components/states";
import { useQuery } from "../../../core/api";
import { formatDateTime } from "../../../core/format";
import type { CrmTimelineCategory, TimelinePageFragment } from "../../../gql/graphql";
import { Card, Hint, nodes } from "../parts";
import { CustomerTimelineQuery } from "../queries";
import { type Cursor, Pager, pageVariables } from "./Pager";

const PAGE_SIZE = 10;
const CATEGORIES: { value: CrmTimelineCategory; label: string }[] = [
  { value: "ORDERS", label: "Orders" },
  { value: "CHECKOUTS", label: "Checkouts" },
  { value: "LOYALTY", label: "Loyalty" },
  { value: "MARKETING", label: "Marketing" },
  { value: "SUPPORT", label: "Support" },
  { value: "NOTES", label: "Notes" },
  { value: "SEGMENTS", label: "Segments" },
  { value: "ACCOUNT", label: "Account" },
];

/** Everything that happened with the customer, newest first; filter by kind, page by cursor. */
export function TimelineCard({ customerId, first }: { customerId: string; first: TimelinePageFragment | null }) {
  const [categories, setCategories] = useState<CrmTimelineCategory[]>([]);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const initial = categories.length === 0 && cursor === null;
  const { data, error, loading, refetch } = useQuery(
    CustomerTimelineQuery,
    { id: customerId, categories, ...pageVariables(cursor, PAGE_SIZE) },
    { skip: initial },
  );
  const page = initial ? first : (data?.crmCustomerTimeline ?? null);

  const toggle = (category: CrmTimelineCategory) => {
    setCursor(null);
    setCategories((current) =>
      current.includes(category) ? current.filter((value) => value !== category) : [...current, category],
    );
  };

  return (
    <Card title="Timeline" testId="crm-timeline">
      <Box display="flex" gap={1.5} flexWrap="wrap" paddingBottom={3}>
        {CATEGORIES.map(({ value, label }) => {
          const active = categories.includes(value);
          return (
            <Box
              key={value}
              as="button"
              type="button"
              onClick={() => toggle(value)}
              aria-pressed={active}
              cursor="pointer"
              paddingX={2}
              paddingY={1}
              borderRadius={3}
              borderStyle="solid"
              borderWidth={1}
              borderColor={active ? "accent1" : "default1"}
              backgroundColor={active ? "accent1" : "default1"}
              data-test-id={`crm-timeline-filter-${value}`}
            >
              <Text size={2} color={active ? "buttonDefaultPrimary" : "default1"}>
                {label}
              </Text>
            </Box>
          );
        })}
      </Box>
      {!initial && error && !data ? (
        <ErrorState error={error} onRetry={refetch} />
      ) : !page || (loading && !data) ? (
        <Loading lines={5} />
      ) : nodes(page).length === 0 ? (
        <Hint>{initial ? "Nothing has happened yet." : "Nothing of these kinds."}</Hint>
      ) : (
        <>
          <Box as="ol" display="flex" flexDirection="column" padding={0} margin={0} style={{ listStyle: "none" }}>
            {nodes(page).map((entry) => (
              <Box
                as="li"
                key={entry.id}
                display="grid"
                __gridTemplateColumns="170px minmax(0, 1fr)"
                gap={3}
                paddingY={2}
                borderBottomStyle="solid"
                borderBottomWidth={1}
                borderColor="default1"
                data-test-id="crm-timeline-entry"
              >
                <Text size={2} color="default2">
                  {formatDateTime(entry.occurredAt)}
                </Text>
                <Text size={2}>{entry.summary}</Text>
              </Box>
            ))}
          </Box>
          <Pager pageInfo={page.pageInfo} total={page.totalCount} noun="entries" onPage={setCursor} testId="crm-timeline" />
        </>
      )}
    </Card>
  );
}
