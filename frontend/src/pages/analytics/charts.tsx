import { AxisBottom, AxisLeft, AxisRight } from "@visx/axis";
import { Group } from "@visx/group";
import { scaleBand, scaleLinear } from "@visx/scale";
import { Bar, BarStack, LinePath } from "@visx/shape";
import { Box } from "@saleor/macaw-ui";
import { Legend } from "../../components/charts";

/**
 * The Analytics page's charts, drawn with visx (scales, axes, shapes as React SVG) in macaw's colour
 * tokens, so they follow the dashboard's light and dark themes. visx loads only with this page's
 * chunk (vite.config.ts keeps it out of the shared vendor chunk). Every bar has a tooltip with its
 * value (money sums are rounded for drawing; the exact figures are the cards' text), every chart an aria-label.
 */
export interface Series {
  label: string;
  /** A CSS colour, usually a macaw token: "var(--mu-colors-text-success1)". */
  color: string;
  values: number[];
}

export const TOKENS = {
  accent: "var(--mu-colors-text-accent1)",
  success: "var(--mu-colors-text-success1)",
  warning: "var(--mu-colors-text-warning1)",
  critical: "var(--mu-colors-text-critical1)",
  info: "var(--mu-colors-text-info1)",
  muted: "var(--mu-colors-text-default2)",
};

/** A token at a strength, for shades of one hue (RFM groups, heatmap cells). */
export const shade = (token: string, percent: number) => `color-mix(in srgb, ${token} ${percent}%, transparent)`;

const HEIGHT = 200;
const MARGIN = { top: 10, right: 56, bottom: 28, left: 64 };
const AXIS = "var(--mu-colors-text-default2)";
const GRID = "var(--mu-colors-border-default1)";
const LABEL_STYLE = { fill: AXIS, fontSize: 11, fontFamily: "inherit" };
const leftLabel = () => ({ ...LABEL_STYLE, textAnchor: "end" as const, dx: -6, dy: "0.33em" });
const rightLabel = () => ({ ...LABEL_STYLE, textAnchor: "start" as const, dx: 6, dy: "0.33em" });
const bottomLabel = () => ({ ...LABEL_STYLE, textAnchor: "middle" as const });

/** Up to four round ticks; whole numbers only for a count (no "0.5 orders"). */
function ticks(scale: { ticks: (count: number) => number[] }, whole: boolean): number[] {
  return scale.ticks(4).filter((tick) => !whole || Number.isInteger(tick));
}

/** Which band labels to print so they don't overlap: about one per 64 drawing units. */
function sparseTicks(labels: string[], width: number): string[] {
  const every = Math.max(1, Math.ceil(labels.length / ((width - MARGIN.left - MARGIN.right) / 64)));
  return labels.filter((_, index) => index % every === 0);
}

/**
 * Bars per label, the series side by side (left axis), and optionally one line on its own right axis
 * (e.g. revenue bars with the orders count as a line).
 */
export function BarChart({ labels, bars, line, format, formatAxis, formatLine, label, testId, wholeNumbers = false, width = 720 }: {
  labels: string[];
  /** Drawing units across: smaller for a narrow column keeps the text legible. */
  width?: number;
  /** The left axis' labels, shorter than the tooltips' values (e.g. "$2.5K"). */
  formatAxis?: (value: number) => string;
  /** The left axis counts things: whole-number ticks only. */
  wholeNumbers?: boolean;
  bars: Series[];
  line?: Series;
  format: (value: number) => string;
  formatLine?: (value: number) => string;
  label: string;
  testId?: string;
}) {
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const x = scaleBand<string>({ domain: labels, range: [0, innerWidth], padding: 0.2 });
  const inner = scaleBand<string>({ domain: bars.map((entry) => entry.label), range: [0, x.bandwidth()], padding: 0.05 });
  const y = scaleLinear<number>({ domain: [0, Math.max(1, ...bars.flatMap((entry) => entry.values))], range: [HEIGHT, 0], nice: true });
  const yLine = line ? scaleLinear<number>({ domain: [0, Math.max(1, ...line.values)], range: [HEIGHT, 0], nice: true }) : null;
  const center = (name: string) => (x(name) ?? 0) + x.bandwidth() / 2;
  return (
    <Box display="flex" flexDirection="column" gap={2} data-test-id={testId}>
      <Legend series={line ? [...bars, line] : bars} />
      <svg viewBox={`0 0 ${width} ${HEIGHT + MARGIN.top + MARGIN.bottom}`} width="100%" role="img" aria-label={label} style={{ display: "block" }}>
        <Group left={MARGIN.left} top={MARGIN.top}>
          {ticks(y, wholeNumbers).map((tick) => (
            <line key={tick} x1={0} x2={innerWidth} y1={y(tick)} y2={y(tick)} stroke={GRID} />
          ))}
          {labels.map((name, index) => (
            <Group key={name} left={x(name) ?? 0}>
              {bars.map((entry) => {
                const value = entry.values[index] ?? 0;
                return (
                  <Bar key={entry.label} x={inner(entry.label) ?? 0} y={y(value)} width={inner.bandwidth()} height={Math.max(HEIGHT - y(value), value ? 1 : 0)} fill={entry.color}>
                    <title>{`${name} · ${entry.label}: ${format(value)}`}</title>
                  </Bar>
                );
              })}
            </Group>
          ))}
          {line && yLine && (
            <>
              <LinePath data={line.values} x={(_, index) => center(labels[index])} y={(value) => yLine(value)} stroke={line.color} strokeWidth={2} />
              {line.values.map((value, index) => (
                <circle key={labels[index]} cx={center(labels[index])} cy={yLine(value)} r={labels.length > 60 ? 1.5 : 3} fill={line.color}>
                  <title>{`${labels[index]} · ${line.label}: ${(formatLine ?? format)(value)}`}</title>
                </circle>
              ))}
              <AxisRight left={innerWidth} scale={yLine} tickValues={ticks(yLine, true)} hideAxisLine hideTicks tickFormat={(value) => (formatLine ?? format)(Number(value))} tickLabelProps={rightLabel} />
            </>
          )}
          <AxisLeft scale={y} tickValues={ticks(y, wholeNumbers)} hideAxisLine hideTicks tickFormat={(value) => (formatAxis ?? format)(Number(value))} tickLabelProps={leftLabel} />
          <AxisBottom top={HEIGHT} scale={x} tickValues={sparseTicks(labels, width)} hideTicks stroke={GRID} tickLabelProps={bottomLabel} />
        </Group>
      </svg>
    </Box>
  );
}

/** Bars stacked per label: how a whole (customers) splits into parts (RFM groups) over time. */
export function StackedBarChart({ labels, series, label, format, testId, wholeNumbers = true, width = 720 }: {
  labels: string[];
  width?: number;
  wholeNumbers?: boolean;
  series: Series[];
  label: string;
  format: (value: number) => string;
  testId?: string;
}) {
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const rows: Record<string, string | number>[] = labels.map((name, index) => ({
    name,
    ...Object.fromEntries(series.map((entry) => [entry.label, entry.values[index] ?? 0])),
  }));
  const totals = labels.map((_, index) => series.reduce((sum, entry) => sum + (entry.values[index] ?? 0), 0));
  const x = scaleBand<string>({ domain: labels, range: [0, innerWidth], padding: 0.2 });
  const y = scaleLinear<number>({ domain: [0, Math.max(1, ...totals)], range: [HEIGHT, 0], nice: true });
  const colors = Object.fromEntries(series.map((entry) => [entry.label, entry.color]));
  return (
    <Box display="flex" flexDirection="column" gap={2} data-test-id={testId}>
      <Legend series={series} />
      <svg viewBox={`0 0 ${width} ${HEIGHT + MARGIN.top + MARGIN.bottom}`} width="100%" role="img" aria-label={label} style={{ display: "block" }}>
        <Group left={MARGIN.left} top={MARGIN.top}>
          {ticks(y, wholeNumbers).map((tick) => (
            <line key={tick} x1={0} x2={innerWidth} y1={y(tick)} y2={y(tick)} stroke={GRID} />
          ))}
          <BarStack<Record<string, string | number>, string>
            data={rows}
            keys={series.map((entry) => entry.label)}
            x={(row) => String(row.name)}
            xScale={x}
            yScale={y}
            color={(key) => colors[key]}
          >
            {(stacks) =>
              stacks.map((stack) =>
                stack.bars.map((bar) => (
                  <rect key={`${stack.key}-${bar.index}`} x={bar.x} y={bar.y} width={bar.width} height={bar.height} fill={bar.color}>
                    <title>{`${labels[bar.index]} · ${stack.key}: ${format(Number(bar.bar.data[stack.key]))}`}</title>
                  </rect>
                )),
              )
            }
          </BarStack>
          <AxisLeft scale={y} tickValues={ticks(y, wholeNumbers)} hideAxisLine hideTicks tickFormat={(value) => format(Number(value))} tickLabelProps={leftLabel} />
          <AxisBottom top={HEIGHT} scale={x} tickValues={sparseTicks(labels, width)} hideTicks stroke={GRID} tickLabelProps={bottomLabel} />
        </Group>
      </svg>
    </Box>
  );
}
