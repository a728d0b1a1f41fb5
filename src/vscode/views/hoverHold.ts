/**
 * The row whose tooltip is on screen, so that a view's clock leaves it alone for a while. VS Code
 * draws a row again by giving it a new label, which closes the row's tooltip even under a mouse at
 * rest: a view redrawing its running rows every second for their elapsed time would let nobody read
 * a running row's tooltip. VS Code asks for a row's tooltip (resolveTreeItem) just before it shows
 * it, which is how the view knows the row.
 */

/**
 * How long a row's clock stands still once its tooltip was asked for: time to read it. VS Code does
 * not say when the mouse leaves, so a row hovered briefly shows its clock late by up to this much.
 */
const HOLD_MS = 10_000;

export class HoverHold {
  private key: string | undefined;
  private since = 0;

  /** VS Code asked for the tooltip of the row `key`. */
  hovered(key: string, now = Date.now()): void {
    this.key = key;
    this.since = now;
  }

  /** Whether the row `key` keeps its clock as drawn: its tooltip was asked for less than HOLD_MS ago. */
  holds(key: string, now = Date.now()): boolean {
    return key === this.key && now - this.since < HOLD_MS;
  }
}
