/**
 * Removes secrets from what Switchboard stores and returns: agent output, command lines, events,
 * error messages. A secret becomes a numbered placeholder (`<<REDACTED_AWS_KEY_1>>`); one Redactor
 * gives the same secret the same placeholder every time (a run's supervisor holds one per run).
 * The rules are in redactRules.ts; the literal secrets are the values of environment variables
 * named like secrets and those listed in config.
 */
import { BUILT_IN_RULES, customRule, type CustomPattern, type RedactRule } from './redactRules';
import type { Needle } from './redactScan';

export type { CustomPattern } from './redactRules';

/** Secrets and patterns from config (`redaction` in config.json, `switchboard.redaction.*` in VS Code). */
export interface RedactionConfig {
  /** Regular expressions; the first group, when there is one, is the secret. */
  patterns: CustomPattern[];
  /** Literal values hidden wherever they appear. */
  secrets: string[];
}

export interface RedactorOptions {
  /** Literal secrets (config's, the environment's). */
  secrets?: readonly string[];
  patterns?: readonly CustomPattern[];
  /** Numbers already given by kind: new placeholders count on from there. */
  counts?: Readonly<Record<string, number>>;
}

const SECRET_FLAG = /^--?(api[-_]?key|token|secret|password|passwd|auth|authorization|bearer)$/i;
const SECRET_ASSIGNMENT = /^(--?[\w-]*(?:api[-_]?key|token|secret|password|passwd)[\w-]*=)(.+)$/i;
const PLACEHOLDER = /<<REDACTED_([A-Z0-9_]+?)_(\d+)>>/g;
/** Shorter literals would hide ordinary words. */
const MIN_LITERAL = 4;

interface Span {
  start: number;
  end: number;
  kind: string;
  priority: number;
}

/** How many secrets a long-lived redactor (the event stream's, `events --follow`'s) remembers before it forgets them. */
export const LONG_LIVED_SECRETS = 1000;

export class Redactor {
  private readonly rules: RedactRule[];
  private readonly literals: { value: string; kind: string }[];
  private readonly given = new Map<string, string>();
  private readonly numbers: Record<string, number>;

  constructor(options: RedactorOptions = {}) {
    this.rules = [...(options.patterns ?? []).map(customRule), ...BUILT_IN_RULES];
    const literals = [...new Set(options.secrets ?? [])].filter((s) => s.length >= MIN_LITERAL).sort((a, b) => b.length - a.length);
    this.literals = literals.map((value) => ({ value, kind: this.kindOf(value) }));
    this.numbers = { ...options.counts };
  }

  /** How many placeholders of each kind have been given. */
  get counts(): Record<string, number> {
    return { ...this.numbers };
  }

  /** How many secrets it remembers (to give each the same placeholder again). */
  get remembered(): number {
    return this.given.size;
  }

  /**
   * Forgets the secrets it has seen, not how many: a secret seen again gets a new placeholder, never
   * one another secret had. For a redactor that lives long (the event stream's), to bound its memory.
   */
  forget(): void {
    this.given.clear();
  }

  /** Forgets the secrets it has seen once it remembers more than `limit` (see forget): a long-lived redactor's bound. */
  forgetPast(limit = LONG_LIVED_SECRETS): void {
    if (this.given.size > limit) this.forget();
  }

  /** Literals one of which every secret this redactor hides contains (redactScan.ts); undefined when a rule (a config pattern) names none. */
  needles(): Needle[] | undefined {
    if (this.rules.some((r) => !r.needles)) return undefined;
    const ruled = this.rules.flatMap((r) => r.needles!.map((text) => ({ text, caseless: r.re.ignoreCase })));
    return [...ruled, ...this.literals.map(({ value }) => ({ text: value }))];
  }

  /** The text with every secret replaced by its placeholder. */
  text(text: string): string {
    if (!text) return text;
    const spans = this.spans(text);
    if (spans.length === 0) return text;
    let out = '';
    let at = 0;
    for (const span of spans) {
      out += text.slice(at, span.start) + this.placeholder(span.kind, text.slice(span.start, span.end));
      at = span.end;
    }
    return out + text.slice(at);
  }

  /** A copy of a JSON-like value with every string in it redacted (the same object when nothing changed). */
  value<T>(value: T): T {
    if (typeof value === 'string') return this.text(value) as T;
    if (Array.isArray(value)) {
      const items = value.map((v) => this.value(v));
      return (items.some((v, i) => v !== value[i]) ? items : value) as T;
    }
    if (value && typeof value === 'object') {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        out[key] = this.value(v);
        changed ||= out[key] !== v;
      }
      return (changed ? out : value) as T;
    }
    return value;
  }

  /** A command line: the value after a secret-looking flag, `--token=…`, and secrets anywhere. */
  args(args: readonly string[]): string[] {
    return args.map((arg, i) => {
      if (i > 0 && SECRET_FLAG.test(args[i - 1]!)) return this.placeholder('SECRET', arg);
      const assignment = SECRET_ASSIGNMENT.exec(arg);
      if (assignment) return assignment[1] + this.placeholder('SECRET', assignment[2]!);
      return this.text(arg);
    });
  }

  private placeholder(kind: string, secret: string): string {
    let found = this.given.get(secret);
    if (!found) {
      const n = (this.numbers[kind] ?? 0) + 1;
      this.numbers[kind] = n;
      found = `<<REDACTED_${kind}_${n}>>`;
      this.given.set(secret, found);
    }
    return found;
  }

  /** A literal's kind: the rule that matches all of it, else SECRET. */
  private kindOf(value: string): string {
    for (const r of this.rules) {
      r.re.lastIndex = 0;
      const m = r.re.exec(value);
      if (m && m.index === 0 && m[0].length === value.length && typeof r.kind === 'string') return r.kind;
    }
    return 'SECRET';
  }

  /** Where the secrets are: sorted, overlaps merged (the earliest, then the highest priority, names the kind). */
  private spans(text: string): Span[] {
    const found: Span[] = [];
    this.rules.forEach((r, priority) => {
      if (r.hint && !(typeof r.hint === 'string' ? text.includes(r.hint) : r.hint.test(text))) return;
      r.re.lastIndex = 0;
      for (let m = r.re.exec(text); m; m = r.re.exec(text)) {
        if (m[0].length === 0) {
          r.re.lastIndex++;
          continue;
        }
        const where = m.indices?.groups?.s ?? (r.firstGroup ? m.indices?.[1] : undefined) ?? m.indices![0]!;
        const secret = text.slice(where[0], where[1]);
        if (!secret || r.skip?.(secret)) continue;
        found.push({ start: where[0], end: where[1], kind: typeof r.kind === 'string' ? r.kind : r.kind(m), priority });
      }
    });
    for (const { value, kind } of this.literals) {
      for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + value.length)) {
        found.push({ start: at, end: at + value.length, kind, priority: this.rules.length });
      }
    }
    found.sort((a, b) => a.start - b.start || a.priority - b.priority || b.end - a.end);
    const merged: Span[] = [];
    for (const span of found) {
      const last = merged.at(-1);
      // An overlapping match widens the one before rather than leaving a piece of itself in clear.
      if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
      else merged.push({ ...span });
    }
    return merged;
  }
}

/** The highest placeholder number of each kind in a text (so that a redactor for it counts on from there). */
export function placeholderCounts(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(PLACEHOLDER)) counts[m[1]!] = Math.max(counts[m[1]!] ?? 0, Number(m[2]));
  return counts;
}

/** The redactor of one run (or one answer): config's patterns and secrets, and the secrets of the environment. */
export function redactorFor(config: RedactionConfig | undefined, env: Record<string, string | undefined>, counts?: Record<string, number>): Redactor {
  return new Redactor({ secrets: [...secretsFromEnv(env), ...(config?.secrets ?? [])], patterns: config?.patterns ?? [], counts });
}

/** Redacts known secret shapes and the exact values given (e.g. API keys from the environment). */
export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  return new Redactor({ secrets: knownSecrets }).text(text);
}

/** Redacts a command line: the value after a secret-looking flag, `--token=...`, and known secret shapes. */
export function redactArgs(args: readonly string[], knownSecrets: readonly string[] = []): string[] {
  return new Redactor({ secrets: knownSecrets }).args(args);
}

/** This process's environment's secrets, found once per turn of the event loop (process.env is slow to read; a listing redacts many records in one turn). */
let processEnvSecrets: readonly string[] | undefined;

/** Values of environment variables whose names say they hold a secret. */
export function secretsFromEnv(env: Record<string, string | undefined>): readonly string[] {
  if (env !== process.env) return envSecrets(env);
  if (!processEnvSecrets) {
    processEnvSecrets = Object.freeze(envSecrets(env));
    queueMicrotask(() => (processEnvSecrets = undefined));
  }
  return processEnvSecrets;
}

function envSecrets(env: Record<string, string | undefined>): string[] {
  // Names first, then the values of those that say they hold a secret: each value read from process.env is a call into the OS's environment.
  return Object.keys(env)
    .filter((name) => /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL/i.test(name))
    .map((name) => env[name])
    .filter((value): value is string => value !== undefined && value.length >= 8);
}
