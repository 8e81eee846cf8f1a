import { Box, Button, Text } from "@saleor/macaw-ui";
import { ChevronLeft, ChevronRight } from "lucide-react";

export interface Cursor {
  after?: string;
  before?: string;
}

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

/** Previous/next for a card's keyset-paged list; `null` cursor means the first page. */
export function Pager({
  pageInfo,
  total,
  noun,
  onPage,
  testId,
}: {
  pageInfo: PageInfo;
  total: number | null;
  noun: string;
  onPage: (cursor: Cursor) => void;
  testId: string;
}) {
  return (
    <Box display="flex" justifyContent="space-between" alignItems="center" paddingTop={3}>
      <Text size={2} color="default2">
        {total === null ? "" : `${new Intl.NumberFormat().format(total)} ${noun}`}
      </Text>
      <Box display="flex" gap={2}>
        <Button
          variant="secondary"
          size="small"
          icon={<ChevronLeft size={16} />}
          disabled={!pageInfo.hasPreviousPage}
          onClick={() => onPage({ before: pageInfo.startCursor ?? undefined })}
          aria-label="Newer"
          data-test-id={`${testId}-previous`}
        />
        <Button
          variant="secondary"
          size="small"
          icon={<ChevronRight size={16} />}
          disabled={!pageInfo.hasNextPage}
          onClick={() => onPage({ after: pageInfo.endCursor ?? undefined })}
          aria-label="Older"
          data-test-id={`${testId}-next`}
        />
      </Box>
    </Box>
  );
}

/** Variables for a page of `size` at `cursor` (first page when null). */
export function pageVariables(cursor: Cursor | null, size: number) {
  if (cursor?.before) return { last: size, before: cursor.before };
  return { first: size, after: cursor?.after };
}
