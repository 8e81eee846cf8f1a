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
