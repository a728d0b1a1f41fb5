/**
 * Decides when a stdin-driven agent (stream-json input) has nothing left to do, so its stdin can be
 * closed and it can exit. A steering message sent mid-turn may be folded into that turn or start a
 * new one, so after a turn that received steering we wait briefly for a new turn to begin.
 *
 * An agent whose input is closed after its last turn should then exit on its own. One that stays,
 * silent, is retired after a while: Gemini CLI over ACP, given an HTTP MCP server, keeps running as
 * long as that server's event stream is open (its event loop never drains), so its run would never
 * end. One that still prints is at work, and is left to it.
 */
const NEXT_TURN_WAIT_MS = 4000;
/** How long an agent may stay after its input is closed (a CLI saving its session takes a moment). */
export const LINGER_MS = 10_000;

export class TurnTracker {
  private steeredThisTurn = false;
  private timer: NodeJS.Timeout | undefined;
  private lingering: NodeJS.Timeout | undefined;
  private lastOutputAt = 0;

  constructor(
    private readonly endInput: () => void,
    /** The agent is still there, silent for `lingerMs`, after its input was closed. */
    private readonly retire: () => void,
    private readonly lingerMs = LINGER_MS,
  ) {}

  /** A new process (or none any more): nothing is waited for. */
  reset(): void {
    this.clear();
    if (this.lingering) clearTimeout(this.lingering);
    this.lingering = undefined;
    this.steeredThisTurn = false;
  }

  messageSent(): void {
    this.clear();
    this.steeredThisTurn = true;
  }

  /** Any new output after a turn ended means another turn is under way. */
  sawOutput(): void {
    this.clear();
    this.lastOutputAt = Date.now();
  }

  turnEnded(stopping: boolean): void {
    this.clear();
    if (stopping || !this.steeredThisTurn) {
      this.close();
      return;
    }
    this.steeredThisTurn = false;
    this.timer = setTimeout(() => this.close(), NEXT_TURN_WAIT_MS);
  }

  private close(): void {
    this.endInput();
    this.lingering ??= this.lingerFor(this.lingerMs);
  }

  private lingerFor(ms: number): NodeJS.Timeout {
    return setTimeout(() => {
      const silentFor = Date.now() - this.lastOutputAt;
      // Printing still: given as long again from its last output.
      if (silentFor < this.lingerMs) this.lingering = this.lingerFor(this.lingerMs - silentFor);
      else this.retire();
    }, ms);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
