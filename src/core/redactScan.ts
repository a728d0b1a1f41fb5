/**
 * Where in a run's output a secret could be, found in its bytes without decoding them: every rule
 * (redactRules.ts) names needles, literals one of which is in each of its matches (`sk-`, `AKIA`,
 * `=`), and literal secrets are needles of their own. Each needle is looked for by one of its bytes,
 * the rarest in ordinary output (punctuation first), with Buffer.indexOf, which skips ahead natively:
 * output without those bytes (most of it) costs a few passes of memchr, and only the lines around
 * a needle go through the rules' regular expressions.
 */

/** A literal that every match of some rule contains; `caseless`: in any case (the rule ignores case). */
export interface Needle {
  text: string;
  caseless?: boolean;
}

interface Anchored {
  /** The needle's bytes, lower case when caseless. */
  bytes: Buffer;
  /** Which of them is looked for. */
  at: number;
  caseless: boolean;
}

/** Bytes looked for first: rare in ordinary output (and absent from base64 and hex), each shared by several needles. */
const PREFERRED = Buffer.from('-_=:./@Aa');

/** How rare a byte is taken to be (lower: rarer): the preferred ones, then other punctuation, capitals, digits, small letters. */
function rank(byte: number): number {
  const preferred = PREFERRED.indexOf(byte);
  if (preferred >= 0) return preferred;
  if (byte >= 0x61 && byte <= 0x7a) return 13;
  if (byte >= 0x30 && byte <= 0x39) return 12;
  if (byte >= 0x41 && byte <= 0x5a) return 11;
  return byte === 0x20 ? 14 : 10;
}

const lower = (byte: number): number => (byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte);
const upper = (byte: number): number => (byte >= 0x61 && byte <= 0x7a ? byte & ~0x20 : byte);

/** The needles looked for by one byte, and which bytes may follow it in one of them (most hits of a common byte end there). */
interface Group {
  needles: Anchored[];
  next: Uint8Array;
}

export class NeedleScan {
  /** Needles by the byte they are looked for by. */
  private readonly byAnchor = new Map<number, Group>();

  constructor(needles: readonly Needle[]) {
    const seen = new Set<string>();
    for (const needle of needles) {
      const caseless = !!needle.caseless && needle.text.toLowerCase() !== needle.text.toUpperCase();
      const bytes = Buffer.from(caseless ? needle.text.toLowerCase() : needle.text);
      const key = `${caseless ? 'i' : 's'}${bytes.toString('latin1')}`;
      if (bytes.length === 0 || seen.has(key)) continue;
      seen.add(key);
      let at = 0;
      for (let i = 1; i < bytes.length; i++) if (rank(bytes[i]!) < rank(bytes[at]!)) at = i;
      const anchors = caseless ? new Set([lower(bytes[at]!), upper(bytes[at]!)]) : [bytes[at]!];
      for (const anchor of anchors) {
        const group = this.byAnchor.get(anchor) ?? { needles: [], next: new Uint8Array(256) };
        group.needles.push({ bytes, at, caseless });
        if (at + 1 === bytes.length) group.next.fill(1);
        else for (const next of caseless ? [lower(bytes[at + 1]!), upper(bytes[at + 1]!)] : [bytes[at + 1]!]) group.next[next] = 1;
        this.byAnchor.set(anchor, group);
      }
    }
  }

  /**
   * Where needles are in `bytes` from `from` to `to`: start and end of each, sorted by start (a flat
   * list of pairs); undefined once there are more than `most` (they are everywhere: all of it is to be redacted).
   */
  find(bytes: Buffer, from: number, to: number, most = Infinity): number[] | undefined {
    const found: [number, number][] = [];
    for (const [anchor, { needles, next }] of this.byAnchor) {
      for (let p = bytes.indexOf(anchor, from); p >= 0 && p < to; p = bytes.indexOf(anchor, p + 1)) {
        if (next[bytes[p + 1] ?? 0] === 0) continue;
        for (const needle of needles) {
          const start = p - needle.at;
          const end = start + needle.bytes.length;
          if (start >= from && end <= to && matches(bytes, start, needle)) found.push([start, end]);
        }
        if (found.length > most) return undefined;
      }
    }
    found.sort((a, b) => a[0] - b[0]);
    return found.flat();
  }
}

function matches(bytes: Buffer, start: number, needle: Anchored): boolean {
  const want = needle.bytes;
  for (let i = 0; i < want.length; i++) {
    const byte = bytes[start + i]!;
    if ((needle.caseless ? lower(byte) : byte) !== want[i]) return false;
  }
  return true;
}
