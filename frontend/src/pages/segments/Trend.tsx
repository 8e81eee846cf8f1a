/** A segment's size over time as a tiny SVG line (oldest left): no chart library for a few dozen points. */
export function Sparkline({
  counts,
  width = 96,
  height = 24,
  label,
}: {
  counts: number[];
  width?: number;
  height?: number;
  label: string;
}) {
  if (counts.length < 2) return null;
  const max = Math.max(...counts);
  const min = Math.min(...counts);
  const span = max - min || 1;
  const step = width / (counts.length - 1);
  const points = counts.map((count, index) => `${(index * step).toFixed(1)},${(height - 2 - ((count - min) / span) * (height - 4)).toFixed(1)}`);
  return (
    <svg width={width} height={height} role="img" aria-label={label} style={{ color: "var(--mu-colors-text-accent1)", display: "block" }}>
      <polyline points={points.join(" ")} fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinejoin="round" />
    </svg>
  );
}

export interface Evaluation {
  evaluatedAt: string;
  count: number;
  entered: number;
  left: number;
}

/**
 * Members per evaluation as bars, with entries (up) and exits (down) below the axis line, oldest left.
 * Each bar has a <title> (hover) and the chart a text summary for screen readers.
 */
export function HistoryChart({ history, height = 140 }: { history: Evaluation[]; height?: number }) {
  const width = 640;
  if (history.length === 0) return null;
  const max = Math.max(...history.map((point) => point.count), 1);
  const moves = Math.max(...history.map((point) => Math.max(point.entered, point.left)), 1);
  const bar = Math.min(width / history.length, 24); // a lone evaluation is a bar, not a wall
  const top = height * 0.7;
  const bottom = height - top - 4;
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      height={height}
      preserveAspectRatio="none"
      role="img"
      aria-label={`Members from ${history[0].count} to ${history[history.length - 1].count} over ${history.length} evaluations`}
      data-test-id="crm-segment-history"
    >
      {history.map((point, index) => {
        const x = index * bar + bar * 0.15;
        const w = Math.max(bar * 0.7, 1);
        const h = (point.count / max) * (top - 4);
        const enteredH = (point.entered / moves) * bottom * 0.5;
        const leftH = (point.left / moves) * bottom * 0.5;
        return (
          <g key={point.evaluatedAt}>
            <title>{`${new Date(point.evaluatedAt).toLocaleString()}: ${point.count} members, +${point.entered} / −${point.left}`}</title>
            <rect x={x} y={top - h} width={w} height={Math.max(h, 1)} fill="var(--mu-colors-background-accent1)" opacity={0.85} />
            <rect x={x} y={top + 4} width={w} height={enteredH} fill="var(--mu-colors-text-success1)" />
            <rect x={x} y={top + 4 + enteredH} width={w} height={leftH} fill="var(--mu-colors-text-critical1)" />
          </g>
        );
      })}
      <line x1={0} x2={width} y1={top + 2} y2={top + 2} stroke="var(--mu-colors-border-default1)" />
    </svg>
  );
}
