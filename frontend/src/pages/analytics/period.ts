/** The Analytics page's period: a preset (last N days up to today) or custom dates, kept in the URL. */
export interface Period {
  from: string;
  to: string;
  preset: string;
}

export const PRESETS = [
  { label: "Last 7 days", value: "7d", days: 7 },
  { label: "Last 30 days", value: "30d", days: 30 },
  { label: "Last 90 days", value: "90d", days: 90 },
  { label: "Last 12 months", value: "365d", days: 365 },
];
const DEFAULT = "30d";
const DAY = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A UTC day `days` before `iso` (the API's days are UTC days). */
function shift(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** `?from=&to=` when both are valid dates in order, else `?preset=` (default the last 30 days). */
export function periodFrom(params: URLSearchParams): Period {
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  if (ISO_DATE.test(from) && ISO_DATE.test(to) && from <= to) return { from, to, preset: "custom" };
  const preset = PRESETS.find((option) => option.value === params.get("preset")) ?? PRESETS.find((option) => option.value === DEFAULT)!;
  const end = today();
  return { from: shift(end, 1 - preset.days), to: end, preset: preset.value };
}

/** Every day from `from` to `to`, inclusive (the chart's x axis, days without sales included). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to && days.length <= 366; day = shift(day, 1)) days.push(day);
  return days;
}

/** "3 Mar" for a UTC day. */
export function dayLabel(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));
}

export interface Bucket {
  label: string;
  days: string[];
}

/**
 * The period's days grouped for a chart: days up to two months, weeks (from the first day) up to
 * about half a year, calendar months beyond, so a year is 13 readable bars instead of 365 slivers.
 */
export function buckets(from: string, to: string): { unit: "day" | "week" | "month"; buckets: Bucket[] } {
  const days = daysBetween(from, to);
  if (days.length <= 62) return { unit: "day", buckets: days.map((day) => ({ label: dayLabel(day), days: [day] })) };
  if (days.length <= 190) {
    const weeks: Bucket[] = [];
    for (let index = 0; index < days.length; index += 7) weeks.push({ label: dayLabel(days[index]), days: days.slice(index, index + 7) });
    return { unit: "week", buckets: weeks };
  }
  const months = new Map<string, string[]>();
  for (const day of days) months.set(day.slice(0, 7), [...(months.get(day.slice(0, 7)) ?? []), day]);
  const name = new Intl.DateTimeFormat(undefined, { month: "short", year: "2-digit", timeZone: "UTC" });
  return {
    unit: "month",
    buckets: [...months.entries()].map(([month, inMonth]) => ({ label: name.format(new Date(`${month}-01T00:00:00Z`)), days: inMonth })),
  };
}

/** A per-day figure summed over each bucket's days. */
export function sumOver<T>(groups: Bucket[], byDay: Map<string, T>, value: (row: T) => number): number[] {
  return groups.map((bucket) => bucket.days.reduce((sum, day) => sum + (byDay.has(day) ? value(byDay.get(day) as T) : 0), 0));
}
