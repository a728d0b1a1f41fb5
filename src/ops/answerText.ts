/**
 * The JSON text of answers with long lists, made without serializing again what did not change:
 * an operation marks the list of its answer whose items it made once and keeps unchanged
 * (list_agents: finished runs' briefs, see OpAnswer.checkedItems), each such item keeps its JSON
 * text while it lives, and a transport writes a message holding that list by joining the items'
 * texts (a frozen list's whole text is kept too, as bytes). The bytes are JSON.stringify's, to the
 * byte; only the work of making them is saved.
 */

/** Lists whose items are never changed once made (an item's text, once made, stays its text). */
const keptLists = new WeakSet<readonly unknown[]>();
const itemTexts = new WeakMap<object, string>();
/** Stands for a marked list while the rest of a message is serialized; a NUL no answer text holds unescaped, and a nonce. */
const PLACE = `\u0000kept-list-${Math.random().toString(36).slice(2)}`;
const PLACE_TEXT = JSON.stringify(PLACE);

/** Marks `items` as a list of unchanging items: their texts are kept (each is frozen, so a change is an error, never a stale text). */
export function keepItemTexts(items: readonly unknown[]): void {
  keptLists.add(items);
}

/** A value deep-frozen: what keepItemTexts' items must be once their text may be kept. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

function itemText(item: unknown): string {
  if (item === null || typeof item !== 'object') return JSON.stringify(item) ?? 'null';
  let text = itemTexts.get(item);
  if (text === undefined) {
    text = JSON.stringify(item) ?? 'null';
    // A frozen item cannot change under its text; another (a running run's summary, made for this answer) is serialized each time.
    if (Object.isFrozen(item)) itemTexts.set(item, text);
  }
  return text;
}

/**
 * A tool answer as text for a model: its one-line summary, then the structured answer as JSON on the
 * next line (JSON holds no raw line break, so the last line break is where it starts). MCP's text
 * block and the VS Code chat's tool results are this.
 */
export function summaryAndJson(summary: string, structured: Record<string, unknown>): string {
  return `${summary}\n${answerText(structured)}`;
}

/** The JSON text of `value` (JSON.stringify's), with any marked list among its own fields or its `result.structuredContent`'s joined from its items' texts. */
export function answerText(value: unknown): string {
  return answerPieces(value).map((piece) => (typeof piece === 'string' ? piece : piece.toString('utf8'))).join('');
}

/**
 * The same text as pieces to write one after another (a transport writes them corked, never joined):
 * a marked list that is frozen itself (list_agents' kept page, answered again while nothing changed)
 * is UTF-8 bytes made once, so answering it again serializes and encodes only the few fields around it.
 */
export function answerPieces(value: unknown): (string | Buffer)[] {
  const holder = keptListHolder(value);
  if (!holder) return [JSON.stringify(value)];
  const { list, rebuild } = holder;
  const text = JSON.stringify(rebuild(PLACE));
  const at = text.indexOf(PLACE_TEXT);
  if (at < 0) return [JSON.stringify(value)];
  return [text.slice(0, at), listText(list), text.slice(at + PLACE_TEXT.length)];
}

/** Writes pieces corked, as one write (no string joined); false when the writer asks to wait for 'drain'. */
export function writePieces(out: { cork(): void; uncork(): void; write(chunk: string | Buffer): boolean }, pieces: (string | Buffer)[]): boolean {
  out.cork();
  let flowing = true;
  for (const piece of pieces) flowing = out.write(piece);
  out.uncork();
  return flowing;
}

/** Frozen lists of frozen items: their whole text as bytes. */
const listBytes = new WeakMap<readonly unknown[], Buffer>();

function listText(list: readonly unknown[]): string | Buffer {
  const bytes = listBytes.get(list);
  if (bytes) return bytes;
  const text = `[${list.map(itemText).join(',')}]`;
  // Only a list that cannot change, of items that cannot, keeps its bytes (a running run's summary is made anew for each answer).
  if (!Object.isFrozen(list) || !list.every((item) => item === null || typeof item !== 'object' || Object.isFrozen(item))) return text;
  const made = Buffer.from(text, 'utf8');
  listBytes.set(list, made);
  return made;
}

type Holder = { list: readonly unknown[]; rebuild: (place: string) => unknown };

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function keptField(obj: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (Array.isArray(v) && keptLists.has(v)) return key;
  }
  return undefined;
}

/** Where the marked list is: a field of `value` (an HTTP API answer) or of a JSON-RPC tool result's structured content. */
function keptListHolder(value: unknown): Holder | undefined {
  if (!isRecord(value)) return undefined;
  const own = keptField(value);
  if (own) return { list: value[own] as unknown[], rebuild: (place) => ({ ...value, [own]: place }) };
  const result = value.result;
  if (!isRecord(result) || !isRecord(result.structuredContent)) return undefined;
  const structured = result.structuredContent;
  const field = keptField(structured);
  if (!field) return undefined;
  return { list: structured[field] as unknown[], rebuild: (place) => ({ ...value, result: { ...result, structuredContent: { ...structured, [field]: place } } }) };
}
