/**
 * Redacting output that arrives in pieces (an agent's output as it is read), as bytes: only whole
 * lines are redacted and passed on, so a secret cut in two by a read is never half shown; a private
 * key block is held until its END line. A line that never ends is passed on once it is very long
 * (cut at a space), and a key block that never ends is hidden up to its END line whenever that comes.
 * Only the lines around a needle (redactScan.ts), with the next and previous lines that are not
 * blank (a `name =` and its value may be on two), are decoded and redacted; the rest is passed on
 * as the bytes it came as.
 */
import type { Redactor } from './redact';
import { NeedleScan } from './redactScan';

/** Held at most this much before it is passed on anyway. */
const MAX_HELD = 64 * 1024;
const NL = 0x0a;
const BEGIN = Buffer.from('-----BEGIN');
const BLOCK_BEGIN = /^-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
const END = Buffer.from('-----END');
const BLOCK_END = /^-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
/** Longer than any BEGIN or END line the patterns above match in practice. */
const MARKER_BYTES = 128;
const EMPTY = Buffer.alloc(0);
/** More than a needle in this many bytes on average: everything is redacted, not the lines around each. */
const DENSE_BYTES = 1024;

export class StreamRedactor {
  private held = EMPTY;
  /** Inside a key block that was passed on before its end: bytes are dropped until the END line. */
  private inBlock = false;
  /** Undefined when a config pattern could match anywhere: then all is redacted. */
  private readonly scan: NeedleScan | undefined;

  constructor(
    private readonly redactor: Redactor,
    /** Receives what is passed on; a Buffer only for the length of the call. */
    private readonly write: (piece: Buffer | string) => void,
  ) {
    const needles = redactor.needles();
    this.scan = needles && new NeedleScan(needles);
  }

  push(chunk: Buffer): void {
    const bytes = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.from(bytes.subarray(this.take(bytes, false)));
  }

  /** Passes on what is held (the output has ended). */
  end(): void {
    this.take(this.held, true);
    this.held = EMPTY;
  }

  /**
   * Passes on what of `bytes` (what follows all that was taken before) can be, or all of it when
   * `final`; returns how many bytes were taken: the rest must come again, at the start of the next call.
   */
  take(bytes: Buffer, final: boolean): number {
    let start = 0;
    if (this.inBlock) {
      const end = blockEnd(bytes, 0, bytes.length);
      if (end < 0) return final ? bytes.length : Math.max(0, bytes.length - MARKER_BYTES);
      start = end;
      this.inBlock = false;
    }
    const size = bytes.length;
    let cut = final ? size : Math.max(start, bytes.lastIndexOf(NL) + 1);
    const long = !final && cut === start && size - start > MAX_HELD;
    // Where needles are dense (code, logs full of `=` and `:`), the lines around them are all of it.
    const needles = this.scan?.find(bytes, start, size, (size - start) / DENSE_BYTES);
    // A key block begun in the whole lines (or in a line too long to wait for) and not ended there.
    const open = final ? -1 : openBlock(bytes, needles, start, long ? size : cut);
    const forced = open >= 0 && size - open > MAX_HELD;
    if (forced) cut = size;
    else if (open >= 0) cut = open;
    else if (long) cut = charStart(bytes, Math.max(bytes.lastIndexOf(0x20) + 1, size - 1024));
    if (cut > start) this.pass(bytes, start, cut, needles);
    this.inBlock = forced;
    return cut;
  }

  /** Passes on `bytes` from `start` to `cut`: the lines around needles redacted, the rest as it is. */
  private pass(bytes: Buffer, start: number, cut: number, needles: number[] | undefined): void {
    let at = start;
    const redact = (from: number, to: number): void => {
      if (from > at) this.write(bytes.subarray(at, from));
      const text = this.redactor.text(bytes.toString('utf8', from, to));
      if (text) this.write(text);
      at = to;
    };
    if (!needles) {
      redact(start, cut);
      return;
    }
    let window: [number, number] | undefined;
    /** The end of the line of the last needle looked at: another needle within it adds nothing. */
    let lineDone = start;
    for (let i = 0; i < needles.length && needles[i]! < cut; i += 2) {
      const isBlock = isMarker(bytes, needles[i]!, BLOCK_BEGIN);
      if (needles[i + 1]! < lineDone && !isBlock) continue;
      lineDone = lineEnd(bytes, needles[i]!, cut);
      const from = Math.max(start, lineAround(bytes, needles[i]!, -1, start, cut));
      // A key block's window reaches its END line, or the cut when that is inside the block (the block is hidden up to there).
      const blockTo = isBlock ? blockEnd(bytes, needles[i]!, cut) : undefined;
      const to = blockTo === -1 ? cut : lineAround(bytes, Math.max(blockTo ?? 0, needles[i + 1]!), 1, start, cut);
      if (window && from <= window[1]) window[1] = Math.max(window[1], to);
      else {
        if (window) redact(...window);
        window = [from, to];
      }
    }
    if (window) redact(...window);
    if (cut > at) this.write(bytes.subarray(at, cut));
  }
}

/**
 * From `p`, the start (`dir` -1) or end (1) of the line before (after) the one `p` is in that is not
 * blank, kept within `from` and `to`.
 */
function lineAround(bytes: Buffer, p: number, dir: -1 | 1, from: number, to: number): number {
  if (dir < 0) {
    let q = lineStart(bytes, p, from) - 1;
    while (q >= from && isSpace(bytes[q]!)) q--;
    return q < from ? from : lineStart(bytes, q, from);
  }
  let q = lineEnd(bytes, p, to);
  while (q < to && isSpace(bytes[q]!)) q++;
  return q >= to ? to : lineEnd(bytes, q, to);
}

const lineStart = (bytes: Buffer, p: number, from: number): number => (p <= from ? from : Math.max(from, bytes.lastIndexOf(NL, p - 1) + 1));

function lineEnd(bytes: Buffer, p: number, to: number): number {
  const nl = bytes.indexOf(NL, p);
  return nl < 0 || nl >= to ? to : nl + 1;
}

const isSpace = (byte: number): boolean => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);

/** Moves `p` back to the start of the UTF-8 character it is in. */
function charStart(bytes: Buffer, p: number): number {
  while (p > 0 && (bytes[p]! & 0xc0) === 0x80) p--;
  return p;
}

/** Whether a BEGIN or END line of a key block starts at `p`. */
const isMarker = (bytes: Buffer, p: number, marker: RegExp): boolean => bytes[p] === 0x2d && marker.test(bytes.toString('latin1', p, p + MARKER_BYTES));

/** Just after the first END line of a key block from `from` (before `to`); -1 when there is none. */
function blockEnd(bytes: Buffer, from: number, to: number): number {
  for (let p = bytes.indexOf(END, from); p >= 0 && p < to; p = bytes.indexOf(END, p + 1)) {
    const m = BLOCK_END.exec(bytes.toString('latin1', p, Math.min(to, p + MARKER_BYTES)));
    if (m) return p + m[0].length;
  }
  return -1;
}

/** Where the last key block without its END line begins, from `from` to `to` (-1: none is open); `needles`: where to look (undefined: anywhere). */
function openBlock(bytes: Buffer, needles: number[] | undefined, from: number, to: number): number {
  let last = -1;
  if (needles) {
    for (let i = 0; i < needles.length && needles[i]! < to; i += 2) if (isMarker(bytes, needles[i]!, BLOCK_BEGIN)) last = needles[i]!;
  } else {
    for (let p = bytes.indexOf(BEGIN, from); p >= 0 && p < to; p = bytes.indexOf(BEGIN, p + 1)) if (isMarker(bytes, p, BLOCK_BEGIN)) last = p;
  }
  return last >= 0 && blockEnd(bytes, last, to) < 0 ? last : -1;
}
