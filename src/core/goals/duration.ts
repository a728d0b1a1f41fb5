/** Durations as people write them for budgets: `8h`, `90m`, `1h30m`, `45s`, `2d`; the text is kept as given. */
import { SwitchboardError } from '../errors';

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
const FORM = /^(?:\d+(?:\.\d+)?[dhms])+$/;

/** Milliseconds in `text`; a clear error for anything else. */
export function parseDuration(text: string, what = 'a duration'): number {
  const compact = text.trim().toLowerCase().replace(/\s+/g, '');
  if (!FORM.test(compact)) throw new SwitchboardError('invalid_argument', `"${text}" is not ${what}.`, 'Write it like 8h, 90m, 1h30m or 45s.');
  let ms = 0;
  for (const [, n, unit] of compact.matchAll(/(\d+(?:\.\d+)?)([dhms])/g)) ms += Number(n) * UNIT_MS[unit!]!;
  if (ms <= 0) throw new SwitchboardError('invalid_argument', `${what} must be more than zero, not "${text}".`);
  return Math.round(ms);
}

/** A duration as the budget shows it: `1h30m`, `20m`, `45s`. */
export function formatBudgetTime(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts: string[] = [];
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (!h && !m) parts.push(`${s % 60}s`);
  else if (s % 60 && !h) parts.push(`${s % 60}s`);
  return parts.join('');
}

/** `+1h`, `+30m` (an extension) or `1h` (read the same way). */
export function parseExtension(text: string): number {
  return parseDuration(text.replace(/^\+/, ''), 'a time extension');
}
