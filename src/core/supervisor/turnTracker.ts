/**
 * Decides when a stdin-driven agent (stream-json input) has nothing left to do, so its stdin can be
 * closed and it can exit. A steering message sent mid-turn may be folded into that turn or start a
 * new one, so after a turn that received steering we wait briefly for a new turn to begin.
 */
const NEXT_TURN_WAIT_MS = 4000;

export class TurnTracker {
  private steeredThisTurn = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly endInput: () => void) {}

  reset(): void {
    this.clear();
    this.steeredThisTurn = false;
  }

  messageSent(): void {
    this.clear();
    this.steeredThisTurn = true;
  }

  /** Any new output after a turn ended means another turn is under way. */
  sawOutput(): void {
    this.clear();
  }

  turnEnded(stopping: boolean): void {
    this.clear();
    if (stopping || !this.steeredThisTurn) {
      this.endInput();
      return;
    }
    this.steeredThisTurn = false;
    this.timer = setTimeout(() => this.endInput(), NEXT_TURN_WAIT_MS);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
