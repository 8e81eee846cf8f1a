import { Box, Button, Input, Select, Text } from "@saleor/macaw-ui";
import { ArrowDown, ArrowUp, ChevronLeft, ChevronRight } from "lucide-react";
import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { Link } from "wouter";

import { Pill } from "../../components/layout";
import { EmptyState, ErrorState, Loading } from "../../components/states";
import { type ApiError, request } from "../../core/api";
import { formatDate, formatMoney, formatNumber } from "../../core/format";
import { graphql } from "../../gql";
import type {
  CrmCustomerFilterInput,
  CrmCustomerSortField,
  CustomerListQuery,
  CustomerListQueryVariables,
} from "../../gql/graphql";
import { cell, HeadCell, nodes, Table, TopBar } from "./parts";
import { useRouteState } from "./routing";

/**
 * One request per screen: the page of customers, and on the first screen the filter choices
 * (segments, tags in use, currencies) in the same request (`withOptions`). The total is counted once
 * per filter (`withCount`), not on every page turn: a COUNT over 100k customers costs more than the
 * keyset page itself.
 */
const CustomerListQueryDocument = graphql(`
  query CustomerList(
    $first: Int
    $after: String
    $last: Int
    $before: String
    $filter: CrmCustomerFilterInput
    $sortBy: CrmCustomerSortingInput
    $withOptions: Boolean!
    $withCount: Boolean!
  ) {
    crmCustomers(first: $first, after: $after, last: $last, before: $before, filter: $filter, sortBy: $sortBy) {
      totalCount @include(if: $withCount)
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
          tags
          spend {
            amount
            currency
            fractionalAmount
            fractionDigits
          }
          predictions {
            currency
            available
            predictedClv {
              ...MoneyFields
            }
            churnRisk
            churnRiskBand
          }
        }
      }
    }
    crmSegments(first: 100) @include(if: $withOptions) {
      edges {
        node {
          id
          name
          slug
          count
        }
      }
    }
    crmCustomerTags(first: 100) @include(if: $withOptions) {
      name
      customers
    }
    crmCustomerCurrencies @include(if: $withOptions)
  }
`);

type Options = {
  segments: { label: string; value: string }[];
  tags: { label: string; value: string }[];
  currencies: string[];
};

const LAST_ORDER = [
  { label: "Any time", value: "" },
  { label: "In the last 30 days", value: "30d" },
  { label: "In the last 90 days", value: "90d" },
  { label: "In the last year", value: "365d" },
  { label: "Over a year ago", value: "over365d" },
  { label: "Never ordered", value: "never" },
];
const PAGE_SIZES = ["20", "50", "100"];
const SORTABLE: Record<string, CrmCustomerSortField> = {
  name: "LAST_NAME",
  email: "EMAIL",
  orders: "ORDERS_COUNT",
  spend: "SPENT",
  lastOrder: "LAST_ORDER_AT",
  clv: "PREDICTED_CLV",
  churn: "CHURN_RISK",
};
/** Kept per currency: these sorts and filters need one. */
const PER_CURRENCY_SORTS = ["spend", "clv", "churn"];
const PER_CURRENCY_FILTERS = ["min", "max", "clvMin", "churn"];
const CHURN = [
  { label: "Any", value: "" },
  { label: "30% or more", value: "0.3" },
  { label: "70% or more", value: "0.7" },
];
const BAND_TONE = { LOW: "success", MEDIUM: "warning", HIGH: "critical" } as const;

/** Today's midnight minus `days`, in UTC: stable all day, so the request (and its cache key) is too. */
function daysAgo(days: number): string {
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  return new Date(today.getTime() - days * 86_400_000).toISOString();
}

function lastOrderFilter(preset: string): CrmCustomerFilterInput {
  switch (preset) {
    case "30d":
    case "90d":
    case "365d":
      return { lastOrderAfter: daysAgo(parseInt(preset, 10)) };
    case "over365d":
      return { lastOrderBefore: daysAgo(365) };
    case "never":
      return { hasOrders: false };
    default:
      return {};
  }
}

function variablesFrom(params: URLSearchParams, currency: string | null): Omit<CustomerListQueryVariables, "withOptions" | "withCount"> {
  const size = Number(PAGE_SIZES.includes(params.get("rows") ?? "") ? params.get("rows") : "20");
  const filter: CrmCustomerFilterInput = {
    search: params.get("q") || undefined,
    segment: params.get("segment") || undefined,
    tags: params.get("tag") ? [params.get("tag") as string] : undefined,
    spentGte: params.get("min") || undefined,
    spentLte: params.get("max") || undefined,
    predictedClvGte: params.get("clvMin") || undefined,
    churnRiskGte: params.get("churn") ? Number(params.get("churn")) : undefined,
    currency: currency ?? undefined,
    ...lastOrderFilter(params.get("lastOrder") ?? ""),
  };
  const wanted = SORTABLE[params.get("sort") ?? ""] ?? "LAST_ORDER_AT";
  const field = PER_CURRENCY_SORTS.some((name) => SORTABLE[name] === wanted) && !currency ? "LAST_ORDER_AT" : wanted;
  const direction = params.get("dir") === "asc" ? "ASC" : "DESC";
  const before = params.get("before");
  const page = before ? { last: size, before } : { first: size, after: params.get("after") || undefined };
  return { ...page, filter, sortBy: { field, direction } };
}

interface ListState {
  data: CustomerListQuery | null;
  error: ApiError | null;
  loading: boolean;
}

/** Customers → CRM: every customer the CRM knows, searchable and filterable, in keyset pages. */
export default function CustomerListPage() {
  const { params, setParams } = useRouteState();
  const [options, setOptions] = useState<Options | null>(null);
  const [state, setState] = useState<ListState>({ data: null, error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  const [total, setTotal] = useState<{ filter: string; count: number } | null>(null);
  const needOptions = useRef(true);
  const countedFilter = useRef<string | null>(null);

  const currency = params.get("currency") || options?.currencies[0] || null;
  // Spend and predictions are kept per currency: only their filters and sorts need one (the first screen has none).
  const spendCurrency =
    PER_CURRENCY_FILTERS.some((name) => params.get(name)) || PER_CURRENCY_SORTS.includes(params.get("sort") ?? "") ? currency : null;
  const variables = useMemo(() => variablesFrom(params, spendCurrency), [params, spendCurrency]);
  const key = JSON.stringify(variables);

  useEffect(() => {
    let cancelled = false;
    setState((previous) => ({ ...previous, loading: true }));
    const variables = JSON.parse(key) as CustomerListQueryVariables;
    const withOptions = needOptions.current;
    const filterKey = JSON.stringify(variables.filter);
    const withCount = countedFilter.current !== filterKey;
    request(CustomerListQueryDocument, { ...variables, withOptions, withCount }).then(
      ({ data, errors }) => {
        if (cancelled) return;
        const count = data?.crmCustomers?.totalCount;
        if (withCount && typeof count === "number") {
          countedFilter.current = filterKey;
          setTotal({ filter: filterKey, count });
        }
        if (data && withOptions) {
          needOptions.current = false;
          setOptions({
            segments: nodes(data.crmSegments).map((node) => ({
              label: `${node.name} (${formatNumber(node.count)})`,
              value: node.slug,
            })),
            tags: (data.crmCustomerTags ?? []).map((tag) => ({
              label: `${tag.name} (${formatNumber(tag.customers)})`,
              value: tag.name,
            })),
            currencies: data.crmCustomerCurrencies ?? [],
          });
        }
        setState({ data, error: data?.crmCustomers ? null : (errors[0] ?? null), loading: false });
      },
      (error: ApiError) => !cancelled && setState({ data: null, error, loading: false }),
    );
    return () => {
      cancelled = true;
    };
  }, [key, generation]);

  /** A filter or sort change starts again from the first page. */
  const refine = (change: Record<string, string | null>) =>
    setParams({ ...change, after: null, before: null }, { replace: true });

  const page = state.data?.crmCustomers;
  const filtered = ["q", "segment", "tag", "lastOrder", ...PER_CURRENCY_FILTERS].some((name) => params.get(name));

  return (
    <Box display="flex" flexDirection="column" __minHeight="100vh" backgroundColor="default1">
      <TopBar title="Customers">
        {total && total.filter === JSON.stringify(variables.filter) && (
          <Text size={2} color="default2" data-test-id="crm-customer-count">
            {formatNumber(total.count)} {total.count === 1 ? "customer" : "customers"}
          </Text>
        )}
      </TopBar>
      <Filters params={params} options={options} currency={currency} refine={refine} />
      {state.error && !page ? (
        <Box padding={6}>
          <ErrorState error={state.error} onRetry={() => setGeneration((value) => value + 1)} />
        </Box>
      ) : !page ? (
        <Loading lines={8} />
      ) : nodes(page).length === 0 ? (
        <Box padding={6}>
          <EmptyState title={filtered ? "No customers match these filters" : "No customers yet"}>
            {filtered
              ? "Try a shorter search or remove a filter."
              : "Customers appear here as shoppers register or place orders (or after a backfill of existing ones)."}
          </EmptyState>
        </Box>
      ) : (
        <Box paddingX={6} paddingBottom={6} __opacity={state.loading ? 0.6 : 1} aria-busy={state.loading}>
          <CustomerTable page={page} params={params} currency={spendCurrency} outlookCurrency={currency} refine={refine} />
          <Pagination
            pageInfo={page.pageInfo}
            rows={params.get("rows") ?? "20"}
            onRows={(rows) => refine({ rows })}
            onNext={() => setParams({ after: page.pageInfo.endCursor ?? null, before: null })}
            onPrevious={() => setParams({ before: page.pageInfo.startCursor ?? null, after: null })}
          />
        </Box>
      )}
    </Box>
  );
}

function Filters({
  params,
  options,
  currency,
  refine,
}: {
  params: URLSearchParams;
  options: Options | null;
  currency: string | null;
  refine: (change: Record<string, string | null>) => void;
}) {
  const [search, setSearch] = useState(params.get("q") ?? "");
  const typed = useRef(false);
  useEffect(() => {
    if (!typed.current) return;
    const timer = setTimeout(() => refine({ q: search.trim() || null }), 300);
    return () => clearTimeout(timer);
    // Only typing triggers a search; refine changes with every route change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  const any = { label: "Any", value: "" };
  const segmentOptions = [any, ...(options?.segments ?? [])];
  const tagOptions = [any, ...(options?.tags ?? [])];
  const currencyOptions = (options?.currencies ?? []).map((code) => ({ label: code, value: code }));
  const pick = (list: { label: string; value: string }[], value: string | null) =>
    list.find((option) => option.value === (value ?? "")) ?? list[0];

  return (
    <Box display="flex" flexDirection="column" gap={3} paddingX={6} paddingY={4} data-test-id="crm-customer-filters">
      <Input
        size="small"
        label="Search customers by name or email"
        value={search}
        data-test-id="crm-customer-search"
        onChange={(event) => {
          typed.current = true;
          setSearch(event.target.value);
        }}
      />
      <Box display="flex" flexWrap="wrap" gap={3} alignItems="flex-start">
        <Box __width="200px">
          <Select
            size="small"
            label="Segment"
            options={segmentOptions}
            value={pick(segmentOptions, params.get("segment"))}
            onChange={(option) => refine({ segment: option.value || null })}
            data-test-id="crm-filter-segment"
          />
        </Box>
        <Box __width="160px">
          <Select
            size="small"
            label="Tag"
            options={tagOptions}
            value={pick(tagOptions, params.get("tag"))}
            onChange={(option) => refine({ tag: option.value || null })}
            data-test-id="crm-filter-tag"
          />
        </Box>
        <Box __width="180px">
          <Select
            size="small"
            label="Last order"
            options={LAST_ORDER}
            value={pick(LAST_ORDER, params.get("lastOrder"))}
            onChange={(option) => refine({ lastOrder: option.value || null })}
            data-test-id="crm-filter-last-order"
          />
        </Box>
        <Box __width="96px">
          <Select
            size="small"
            label="Currency"
            options={currencyOptions}
            value={currencyOptions.find((option) => option.value === currency) ?? null}
            onChange={(option) => refine({ currency: option.value })}
            disabled={currencyOptions.length === 0}
            data-test-id="crm-filter-currency"
          />
        </Box>
        <AmountInput label="Spent at least" name="min" params={params} refine={refine} />
        <AmountInput label="Spent at most" name="max" params={params} refine={refine} />
        <AmountInput label="Predicted CLV at least" name="clvMin" params={params} refine={refine} width="180px" />
        <Box __width="150px">
          <Select
            size="small"
            label="Churn risk"
            options={CHURN}
            value={pick(CHURN, params.get("churn"))}
            onChange={(option) => refine({ churn: option.value || null })}
            data-test-id="crm-filter-churn"
          />
        </Box>
      </Box>
    </Box>
  );
}

/** A spend bound, applied when the field is left or Enter is pressed (not on every keystroke). */
function AmountInput({
  label,
  name,
  params,
  refine,
  width = "130px",
}: {
  label: string;
  name: string;
  width?: string;
  params: URLSearchParams;
  refine: (change: Record<string, string | null>) => void;
}) {
  const [value, setValue] = useState(params.get(name) ?? "");
  const apply = () => {
    const cleaned = value.trim();
    if (cleaned === (params.get(name) ?? "")) return;
    if (cleaned === "" || /^\d+(\.\d{1,4})?$/.test(cleaned)) refine({ [name]: cleaned || null });
  };
  const invalid = value.trim() !== "" && !/^\d+(\.\d{1,4})?$/.test(value.trim());
  return (
    <Box __width={width}>
      <Input
        size="small"
        label={label}
        inputMode="decimal"
        value={value}
        error={invalid}
        helperText={invalid ? "A number, e.g. 250" : undefined}
        onChange={(event) => setValue(event.target.value)}
        onBlur={apply}
        onKeyDown={(event) => event.key === "Enter" && apply()}
        data-test-id={`crm-filter-${name}`}
      />
    </Box>
  );
}

type Page = NonNullable<CustomerListQuery["crmCustomers"]>;

function CustomerTable({
  page,
  params,
  currency,
  outlookCurrency,
  refine,
}: {
  page: Page;
  params: URLSearchParams;
  currency: string | null;
  /** Whose predictions the outlook columns show: the filter's currency, else the store's first. */
  outlookCurrency: string | null;
  refine: (change: Record<string, string | null>) => void;
}) {
  const sort = params.get("sort") ?? "lastOrder";
  const direction = params.get("dir") === "asc" ? "asc" : "desc";
  const header = (name: string, label: string, align: "left" | "right" = "left"): ReactNode => {
    const active = sort === name;
    const Arrow = direction === "asc" ? ArrowUp : ArrowDown;
    return (
      <HeadCell align={align}>
        <Box
          as="button"
          type="button"
          display="inline-flex"
          alignItems="center"
          gap={1}
          backgroundColor="transparent"
          borderWidth={0}
          padding={0}
          cursor="pointer"
          color={active ? "default1" : "default2"}
          onClick={() => refine({ sort: name, dir: active && direction === "desc" ? "asc" : "desc" })}
          data-test-id={`crm-sort-${name}`}
          aria-sort={active ? (direction === "asc" ? "ascending" : "descending") : undefined}
        >
          <Text size={2} fontWeight="medium" color={active ? "default1" : "default2"}>
            {label}
          </Text>
          {active && <Arrow size={14} />}
        </Box>
      </HeadCell>
    );
  };
  return (
    <Table
      testId="crm-customer-table"
      head={
        <>
          {header("name", "Customer")}
          {header("orders", "Orders", "right")}
          {header("spend", currency ? `Spent (${currency})` : "Spent", "right")}
          {header("clv", outlookCurrency ? `Predicted CLV (${outlookCurrency})` : "Predicted CLV", "right")}
          {header("churn", "Churn risk", "right")}
          {header("lastOrder", "Last order")}
          <HeadCell>Tags</HeadCell>
        </>
      }
    >
      {nodes(page).map((node) => {
        const spend = node.spend.filter((money) => !currency || money.currency === currency);
        const outlook = (node.predictions ?? []).find((prediction) => prediction.currency === outlookCurrency && prediction.available);
        return (
          <Box
            as="tr"
            key={node.id}
            borderBottomStyle="solid"
            borderBottomWidth={1}
            borderColor="default1"
            backgroundColor={{ default: "default1", hover: "default1Hovered" }}
            data-test-id="crm-customer-row"
          >
            <Box as="td" {...cell}>
              <Link href={`/customers/${encodeURIComponent(node.id)}`} className="crm-row-link">
                <Text size={3} fontWeight="medium" display="block">
                  {node.name || node.email}
                </Text>
                {node.name && (
                  <Text size={2} color="default2" display="block">
                    {node.email}
                  </Text>
                )}
              </Link>
            </Box>
            <Box as="td" {...cell} textAlign="right">
              <Text size={3}>{formatNumber(node.ordersCount)}</Text>
            </Box>
            <Box as="td" {...cell} textAlign="right">
              <Text size={3}>{spend.length ? spend.map(formatMoney).join(" · ") : "—"}</Text>
            </Box>
            <Box as="td" {...cell} textAlign="right" data-test-id="crm-customer-clv">
              <Text size={3}>{outlook?.predictedClv ? formatMoney(outlook.predictedClv) : "—"}</Text>
            </Box>
            <Box as="td" {...cell} textAlign="right" data-test-id="crm-customer-churn">
              {outlook?.churnRiskBand ? (
                <Pill tone={BAND_TONE[outlook.churnRiskBand]}>{`${Math.round((outlook.churnRisk ?? 0) * 100)}%`}</Pill>
              ) : (
                <Text size={3}>—</Text>
              )}
            </Box>
            <Box as="td" {...cell}>
              <Text size={3}>{node.lastOrderAt ? formatDate(node.lastOrderAt) : "Never"}</Text>
            </Box>
            <Box as="td" {...cell}>
              <Box display="flex" gap={1} flexWrap="wrap">
                {(node.tags ?? []).slice(0, 3).map((tag) => (
                  <Pill key={tag}>{tag}</Pill>
                ))}
                {(node.tags ?? []).length > 3 && <Pill>+{(node.tags ?? []).length - 3}</Pill>}
              </Box>
            </Box>
          </Box>
        );
      })}
    </Table>
  );
}

function Pagination({
  pageInfo,
  rows,
  onRows,
  onNext,
  onPrevious,
}: {
  pageInfo: Page["pageInfo"];
  rows: string;
  onRows: (rows: string) => void;
  onNext: () => void;
  onPrevious: () => void;
}) {
  const sizes = PAGE_SIZES.map((size) => ({ label: size, value: size }));
  return (
    <Box display="flex" justifyContent="space-between" alignItems="center" paddingTop={4}>
      <Box display="flex" alignItems="center" gap={2}>
        <Text size={2} color="default2">
          Number of rows
        </Text>
        <Box __width="80px">
          <Select
            size="small"
            options={sizes}
            value={sizes.find((size) => size.value === rows) ?? sizes[0]}
            onChange={(option) => onRows(option.value)}
          />
        </Box>
      </Box>
      <Box display="flex" gap={2}>
        <Button
          variant="secondary"
          size="small"
          icon={<ChevronLeft size={16} />}
          disabled={!pageInfo.hasPreviousPage}
          onClick={onPrevious}
          aria-label="Previous page"
          data-test-id="crm-page-previous"
        />
        <Button
          variant="secondary"
          size="small"
          icon={<ChevronRight size={16} />}
          disabled={!pageInfo.hasNextPage}
          onClick={onNext}
          aria-label="Next page"
          data-test-id="crm-page-next"
        />
      </Box>
    </Box>
  );
}
