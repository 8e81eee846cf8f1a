import { formatNumber } from "../../core/format";

/** "1 point", "2 points", "1,000 members". */
export function plural(count: number, noun: string): string {
  return `${formatNumber(count)} ${noun}${count === 1 ? "" : "s"}`;
}
