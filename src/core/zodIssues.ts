/**
 * Zod issues as sentences that name the field and say what was expected: for tool arguments
 * (`tasks.0.title`) and for files ("teams.maxAttempts", or a field of a numbered item: task 3: "id").
 */
import { z } from 'zod';

/** How the fields of one kind of input are named. */
export interface IssueStyle {
  /** Puts a field name in quotes. */
  quote(name: string): string;
  /** What the whole input is called (the empty path), quoted as it should be shown. */
  whole: string;
  /** Paths that start with an index are in the numbered item `<item> <n>` (`task 3`). */
  item?: string;
  /** Tell at most this many problems (the rest are counted). */
  max?: number;
  /** Issues come from `checkFile`: a message a schema gives says what its field must be (`must be …`). */
  ownMessages?: boolean;
}

/** Tool arguments: `a.b`; schema messages are zod's unless a schema gives its own. */
export const TOOL_ARGUMENTS: IssueStyle = { quote: (name) => `\`${name}\``, whole: '`arguments`' };

/** Files, read with `checkFile`: "a.b"; `whole` names the document in a sentence (`the list of tasks`). */
export const fileStyle = (whole: string, item?: string): IssueStyle => ({ quote: (name) => `"${name}"`, whole, item, max: 5, ownMessages: true });

/** checkFile has zod put this on every issue whose schema gave no message of its own. */
const GENERATED = '\u0000';

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Parses a document from a file; `problem` names each field that is wrong and what it must be. */
export function checkFile<S extends z.ZodType>(schema: S, value: unknown, style: IssueStyle): Checked<z.output<S>> {
  const parsed = schema.safeParse(value, { error: () => GENERATED });
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problem: describeIssues(parsed.error.issues, value, style) };
}

/** One sentence per problem, each naming the field and what was expected. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], args: unknown, style: IssueStyle = TOOL_ARGUMENTS): string {
  const told = issues.slice(0, style.max ?? issues.length).map((issue) => sentence(issue, args, style));
  const more = issues.length - told.length;
  return [...told, ...(more > 0 ? [`and ${more} more problem${more > 1 ? 's' : ''}`] : [])].join('; ');
}

function sentence(issue: z.core.$ZodIssue, args: unknown, style: IssueStyle): string {
  const numbered = style.item !== undefined && typeof issue.path[0] === 'number';
  const owner = numbered ? `${style.item} ${(issue.path[0] as number) + 1}` : undefined;
  const rest = numbered ? issue.path.slice(1) : issue.path;
  const field = rest.length ? style.quote(rest.map(String).join('.')) : owner ? '' : style.whole;
  const subject = owner && field ? `${owner}: ${field}` : owner || field;
  const given = valueAt(args, issue.path);
  const own = style.ownMessages && issue.message !== GENERATED && issue.code !== 'unrecognized_keys' ? issue.message : undefined;
  if (!given.present && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
    if (owner && field) return `${owner} has no ${field}`;
    const expected = issue.code === 'invalid_type' ? typeName(issue.expected) : `one of ${listValues(issue.values)}`;
    return `${subject} is required (${own ? `it ${own}` : expected})`;
  }
  if (own) return `${subject} ${own}`;
  switch (issue.code) {
    case 'invalid_type':
      return `${subject} must be ${withArticle(typeName(issue.expected))}, not ${describeValue(given.value)}`;
    case 'invalid_value':
      return `${subject} must be one of ${listValues(issue.values)}, not ${describeValue(given.value)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map(style.quote).join(', ')}${issue.path.length ? ` in ${subject}` : ''}`;
    default:
      return issue.message === GENERATED ? `${subject} ${requirement(issue)}` : `${subject}: ${issue.message}`;
  }
}

/** What a bound or format issue asks for, when its schema gave no message. */
function requirement(issue: z.core.$ZodIssue): string {
  const unit = (origin: string) => (origin === 'string' ? ' characters' : origin === 'array' ? ' items' : '');
  switch (issue.code) {
    case 'too_small':
      if (unit(issue.origin) && Number(issue.minimum) === 1) return 'must not be empty';
      return `must ${unit(issue.origin) ? 'have' : 'be'} at least ${String(issue.minimum)}${unit(issue.origin)}`;
    case 'too_big':
      return `must ${unit(issue.origin) ? 'have' : 'be'} at most ${String(issue.maximum)}${unit(issue.origin)}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return 'is not valid';
  }
}

/** The value the arguments hold at `path`, and whether they hold one at all. */
function valueAt(args: unknown, path: readonly PropertyKey[]): { present: boolean; value: unknown } {
  let value = args;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !(key in value)) return { present: false, value: undefined };
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { present: value !== undefined, value };
}

const typeName = (expected: string): string => (expected === 'int' ? 'whole number' : expected);
const withArticle = (noun: string): string => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
const listValues = (values: readonly unknown[]): string => values.map((v) => JSON.stringify(v)).join(', ');

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
