import { Box, Text } from "@saleor/macaw-ui";

/**
 * Small SVG charts drawn with macaw's colour tokens (CSS variables), so they follow the dashboard's
 * light and dark themes. A chart library would weigh more than the page it sits on.
 */
export interface Series {
  label: string;
  /** A macaw colour token, e.g. "var(--mu-colors-text-success1)". */
  color: string;
  values: (number | null)[];
}

const HEIGHT = 160;
const TOP = 10; // room for the top axis label
const LEFT = 48;
const RIGHT = 24; // room for the last period's label

function scale(values: number[]): { min: number; max: number } {
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  return { min, max: max === min ? min + 1 : max };
}

/** Colour key of a chart's series, shared by every chart in the App. */
export function Legend({ series }: { series: Pick<Series, "label" | "color">[] }) {
  return (
    <Box display="flex" gap={4} flexWrap="wrap">
      {series.map((entry) => (
        <Box key={entry.label} display="flex" alignItems="center" gap={1.5}>
          <Box as="span" __width="10px" __height="10px" borderRadius={2} __backgroundColor={entry.color} />
          <Text size={2} color="default2">
            {entry.label}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

function Axis({ min, max, width, format }: { min: number; max: number; width: number; format: (value: number) => string }) {
  const y = (value: number) => TOP + ((max - value) / (max - min)) * HEIGHT;
  return (
    <>
      {[max, (max + min) / 2, min].map((value) => (
        <g key={value}>
          <line x1={LEFT} x2={width - RIGHT} y1={y(value)} y2={y(value)} stroke="var(--mu-colors-border-default1)" />
          <text x={LEFT - 6} y={y(value) + 4} textAnchor="end" fontSize={11} fill="var(--mu-colors-text-default2)">
            {format(value)}
          </text>
        </g>
      ))}
    </>
  );
}

/** Bars per period, the series side by side; each bar has a tooltip with its exact value. */
export function BarChart({ labels, series, format, label, testId, width = 720 }: {
  labels: string[];
  series: Series[];
  format: (value: number) => string;
  label: string;
  testId?: string;
  /** Drawing units across: smaller for a narrow column keeps the text legible. */
  width?: number;
}) {
  const all = series.flatMap((entry) => entry.values.filter((value): value is number => value !== null));
  const { min, max } = scale(all);
  const y = (value: number) => TOP + ((max - value) / (max - min)) * HEIGHT;
  const slot = (width - LEFT - RIGHT) / Math.max(labels.length, 1);
  const bar = Math.max(2, (slot * 0.8) / Math.max(series.length, 1));
  return (
    <Box display="flex" flexDirection="column" gap={2} data-test-id={testId}>
      <Legend series={series} />
      <svg viewBox={`0 0 ${width} ${TOP + HEIGHT + 22}`} width="100%" role="img" aria-label={label} style={{ display: "block" }}>
        <Axis min={min} max={max} width={width} format={format} />
        {labels.map((period, index) => (
          <g key={period}>
            {series.map((entry, position) => {
              const value = entry.values[index] ?? 0;
              const x = LEFT + index * slot + slot * 0.1 + position * bar;
              return (
                <rect key={entry.label} x={x} y={Math.min(y(value), y(0))} width={bar} height={Math.max(Math.abs(y(value) - y(0)), value ? 1 : 0)} fill={entry.color}>
                  <title>{`${period} · ${entry.label}: ${format(value)}`}</title>
                </rect>
              );
            })}
            {(index % Math.ceil(labels.length / (width / 60)) === 0) && (
              <text x={LEFT + index * slot + slot / 2} y={TOP + HEIGHT + 16} textAnchor="middle" fontSize={11} fill="var(--mu-colors-text-default2)">
                {period}
              </text>
            )}
          </g>
        ))}
      </svg>
    </Box>
  );
}

/** One or more lines over the periods; a null value leaves a gap (e.g. no answers that week). */
export function LineChart({ labels, series, format, label, testId, range, width = 720 }: {
  labels: string[];
  series: Series[];
  format: (value: number) => string;
  label: string;
  testId?: string;
  range?: { min: number; max: number };
  width?: number;
}) {
  const all = series.flatMap((entry) => entry.values.filter((value): value is number => value !== null));
  const { min, max } = range ?? scale(all);
  const y = (value: number) => TOP + ((max - value) / (max - min)) * HEIGHT;
  const step = (width - LEFT - RIGHT - 8) / Math.max(labels.length - 1, 1);
  const x = (index: number) => LEFT + 4 + index * step;
  return (
    <Box display="flex" flexDirection="column" gap={2} data-test-id={testId}>
      <Legend series={series} />
      <svg viewBox={`0 0 ${width} ${TOP + HEIGHT + 22}`} width="100%" role="img" aria-label={label} style={{ display: "block" }}>
        <Axis min={min} max={max} width={width} format={format} />
        {series.map((entry) => {
          const segments: string[][] = [[]];
          entry.values.forEach((value, index) => {
            if (value === null) segments.push([]);
            else segments[segments.length - 1].push(`${x(index)},${y(value)}`);
          });
          return (
            <g key={entry.label}>
              {segments.filter((points) => points.length > 1).map((points) => (
                <polyline key={points[0]} points={points.join(" ")} fill="none" stroke={entry.color} strokeWidth={2} strokeLinejoin="round" />
              ))}
              {entry.values.map((value, index) =>
                value === null ? null : (
                  <circle key={labels[index]} cx={x(index)} cy={y(value)} r={3} fill={entry.color}>
                    <title>{`${labels[index]} · ${entry.label}: ${format(value)}`}</title>
                  </circle>
                ),
              )}
            </g>
          );
        })}
        {labels.map((period, index) =>
          index % Math.ceil(labels.length / (width / 60)) === 0 ? (
            <text key={period} x={x(index)} y={TOP + HEIGHT + 16} textAnchor="middle" fontSize={11} fill="var(--mu-colors-text-default2)">
              {period}
            </text>
          ) : null,
        )}
      </svg>
    </Box>
  );
}

/** "3 Mar" for a day or week, "Mar 2026" for a month. */
export function periodLabel(iso: string, period: "DAY" | "WEEK" | "MONTH"): string {
  const date = new Date(iso);
  const options: Intl.DateTimeFormatOptions =
    period === "MONTH" ? { month: "short", year: "numeric", timeZone: "UTC" } : { day: "numeric", month: "short", timeZone: "UTC" };
  return new Intl.DateTimeFormat(undefined, options).format(date);
}
