import { Box, Text } from "@saleor/macaw-ui";

import { Pill } from "../../../components/layout";
import { formatDate, formatNumber } from "../../../core/format";
import type { Customer } from "../CustomerPage";
import { Card, Hint, Row } from "../parts";

export function SegmentsCard({ customer }: { customer: Customer }) {
  const segments = customer.segments ?? [];
  return (
    <Card title="Segments" testId="crm-segments">
      {segments.length === 0 ? (
        <Hint>In no segment yet. Segments are re-evaluated as the customer buys and on schedule.</Hint>
      ) : (
        <Box display="flex" gap={1.5} flexWrap="wrap">
          {segments.map((segment) => (
            <Pill key={segment.id} tone="info">
              {segment.name}
            </Pill>
          ))}
        </Box>
      )}
    </Card>
  );
}

/** What the customer buys most, by units: categories and products. */
export function FavouritesCard({ customer }: { customer: Customer }) {
  const lists = [
    { title: "Categories", items: customer.favouriteCategories },
    { title: "Products", items: customer.favouriteProducts },
  ];
  return (
    <Card title="Favourites" testId="crm-favourites">
      {lists.every(({ items }) => items.length === 0) ? (
        <Hint>Appears after the first paid order.</Hint>
      ) : (
        lists.map(({ title, items }) =>
          items.length === 0 ? null : (
            <Box key={title} paddingBottom={2}>
              <Text size={2} fontWeight="medium" display="block" paddingBottom={1}>
                {title}
              </Text>
              {items.map((item) => (
                <Row key={item.id} label={item.name}>
                  {formatNumber(item.quantity)} ×
                </Row>
              ))}
            </Box>
          ),
        )
      )}
      {customer.channels.length > 0 && <Row label="Channels">{customer.channels.join(", ")}</Row>}
    </Card>
  );
}

type Touch = Customer["attribution"]["firstTouch"];

function describe(touch: Touch): string {
  if (!touch) return "—";
  const parts = [touch.source, touch.medium, touch.campaign].filter(Boolean);
  return parts.length ? parts.join(" / ") : "Direct";
}

/** Where the customer came from: first and last UTM-tagged visits that led to a checkout or order. */
export function AttributionCard({ customer }: { customer: Customer }) {
  const { firstTouch, lastTouch } = customer.attribution;
  return (
    <Card title="Attribution" testId="crm-attribution">
      {!firstTouch && !lastTouch ? (
        <Hint>No campaign recorded: the customer's checkouts and orders carried no UTM parameters.</Hint>
      ) : (
        <>
          <Row label="First touch">{describe(firstTouch)}</Row>
          {firstTouch?.at && <Hint>{`${formatDate(firstTouch.at)}${firstTouch.via ? ` · ${firstTouch.via}` : ""}`}</Hint>}
          <Row label="Last touch">{describe(lastTouch)}</Row>
          {lastTouch?.at && <Hint>{`${formatDate(lastTouch.at)}${lastTouch.via ? ` · ${lastTouch.via}` : ""}`}</Hint>}
        </>
      )}
    </Card>
  );
}
