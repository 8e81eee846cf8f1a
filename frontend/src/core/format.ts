/** Money, points and dates in the staff member's locale, exact from the API's minor units. */
export interface MoneyValue {
  amount: number;
  currency: string;
  fractionalAmount: number;
  fractionDigits: number;
}

export function formatMoney(money: MoneyValue): string {
  const amount = money.fractionalAmount / 10 ** money.fractionDigits;
  return new Intl.NumberFormat(undefined, {
    style: "currency",
    currency: money.currency,
    minimumFractionDigits: money.fractionDigits,
    maximumFractionDigits: money.fractionDigits,
  }).format(amount);
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat().format(value);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(iso));
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

/** "3 days ago" for recent activity; the full date past a month. */
export function formatRelative(iso: string | null | undefined): string {
  if (!iso) return "—";
  const days = Math.round((Date.now() - new Date(iso).getTime()) / 86_400_000);
  if (days > 30 || days < 0) return formatDate(iso);
  return new Intl.RelativeTimeFormat(undefined, { numeric: "auto" }).format(-days, "day");
}

/** SNAKE_CASE or snake_case API values as words: "PENDING" → "Pending". */
export function humanize(value: string): string {
  const words = value.replace(/_/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * An exact Decimal amount from the API (a string) in its currency. Intl formats the string itself
 * (no float on the way), to the currency's own minor unit.
 */
export function formatAmount(amount: string, currency: string): string {
  // ES2023 Intl takes decimal strings; TypeScript 5.8 lib types only know numbers.
  const format = new Intl.NumberFormat(undefined, { style: "currency", currency }).format as unknown as (value: string) => string;
  return format(amount);
}

/** A chart axis' amount: "$2.5K" (approximate, for reading the scale only). */
export function formatCompactAmount(amount: number, currency: string): string {
  return new Intl.NumberFormat(undefined, { style: "currency", currency, notation: "compact" }).format(amount);
}

/** A share 0..1 (Decimal string or number) as a percentage, one decimal place. */
export function formatShare(share: string | number | null | undefined): string {
  if (share === null || share === undefined) return "—";
  return new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 }).format(Number(share));
}

/** Seconds as the largest sensible unit: "45 min", "3.5 h", "2.1 days". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const one = (value: number) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(value);
  if (seconds < 3600) return `${one(seconds / 60)} min`;
  if (seconds < 86_400) return `${one(seconds / 3600)} h`;
  return `${one(seconds / 86_400)} days`;
}
