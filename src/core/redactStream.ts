/**
 * Redacting text that arrives in pieces (an agent's output as it is read): only whole lines are
 * redacted and passed on, so a secret cut in two by a read is never half shown; a private key
 * block is held until its END line. A line that never ends is passed on once it is very long (cut
 * at a space), and a key block that never ends is hidden up to its END line whenever that comes.
 */
import type { Redactor } from './redact';

/** Held at most this much before it is passed on anyway. */
const MAX_HELD = 64 * 1024;
const BLOCK_BEGIN = /-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/g;
const BLOCK_END = /-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;

export class StreamRedactor {
  private held = '';
  /** Inside a key block that was passed on before its end: lines are dropped until the END line. */
  private inBlock = false;

  constructor(
    private readonly redactor: Redactor,
    private readonly write: (text: string) => void,
  ) {}

  push(text: string): void {
    this.held += text;
    if (this.inBlock && !this.skipBlock()) return;
    let cut = this.held.lastIndexOf('\n') + 1;
    const long = cut === 0 && this.held.length > MAX_HELD;
    // A key block begun in the whole lines (or in a line too long to wait for) and not ended there.
    const open = openBlock(this.held.slice(0, long ? this.held.length : cut));
    const forced = open >= 0 && this.held.length - open > MAX_HELD;
    if (forced) cut = this.held.length;
    else if (open >= 0) cut = open;
    else if (long) cut = Math.max(this.held.lastIndexOf(' ') + 1, this.held.length - 1024);
    if (cut > 0) this.pass(cut, forced);
  }

  /** Passes on what is held (the output has ended). */
  end(): void {
    if (this.inBlock && !this.skipBlock()) this.held = '';
    if (this.held) this.pass(this.held.length, false);
  }

  private pass(cut: number, cutInBlock: boolean): void {
    const out = this.redactor.text(this.held.slice(0, cut));
    this.held = this.held.slice(cut);
    this.inBlock = cutInBlock;
    if (out) this.write(out);
  }

  /** Drops the rest of a key block; false while its END line has not come. */
  private skipBlock(): boolean {
    const end = BLOCK_END.exec(this.held);
    if (!end) {
      // Keep only the end of what is held, where an END line may be starting.
      this.held = this.held.slice(-64);
      return false;
    }
    this.held = this.held.slice(end.index + end[0].length);
    this.inBlock = false;
    return true;
  }
}

/** Where the last key block without its END line begins (-1: none is open). */
function openBlock(text: string): number {
  let last = -1;
  for (const m of text.matchAll(BLOCK_BEGIN)) last = m.index;
  return last >= 0 && !BLOCK_END.test(text.slice(last)) ? last : -1;
}
