/**
 * Progress on stderr while a command follows something (a team, a goal): on a terminal one live
 * line rewritten in place (cleared at the end, cut to the terminal's width); otherwise a plain line
 * each time what it shows changes (its `key`, which leaves out what moves on its own, like time).
 */
import type { Disposable } from '../core/events';

export interface ProgressStream {
  isTTY: boolean;
  /** The terminal's width: the live line is cut to fit, or it would wrap and not be rewritten in place. */
  columns?: number;
  write(text: string): void;
}

export interface Progress extends Disposable {
  /** Prints a line of its own (the live line is put back under it). */
  say(text: string): void;
}

/** How often the live line is redrawn at most, and at least (for the elapsed time). */
const REDRAW_MS = 100;
const TICK_MS = 1000;
const CLEAR_LINE = '\r\x1b[2K';

const fit = (line: string, columns: number | undefined): string => (columns && line.length >= columns ? `${line.slice(0, Math.max(columns - 2, 0))}…` : line);

/** `describe()` gives the line and its key (undefined: nothing to show now); `watch` calls `changed` on each change. */
export function showProgress(stream: ProgressStream, describe: () => { key: string; line: string } | undefined, watch: (changed: () => void) => Disposable[]): Progress {
  let shown = '';
  let lastKey = '';
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    timer = undefined;
    let now: { key: string; line: string } | undefined;
    try {
      now = describe();
    } catch {
      return; // A record being rewritten: the next change draws it.
    }
    if (!now) return;
    if (stream.isTTY) {
      const line = fit(now.line, stream.columns);
      if (line !== shown) stream.write(`${CLEAR_LINE}${line}`);
      shown = line;
    } else if (now.key !== lastKey) {
      lastKey = now.key;
      stream.write(`${now.line}\n`);
    }
  };
  // A plain line for every change of the key; the live line at most every REDRAW_MS.
  const changed = (): void => {
    if (!stream.isTTY) draw();
    else timer ??= setTimeout(draw, REDRAW_MS);
  };
  const subscriptions = watch(changed);
  const tick = stream.isTTY ? setInterval(changed, TICK_MS) : undefined;
  draw();
  return {
    say(text) {
      stream.write(stream.isTTY ? `${CLEAR_LINE}${text}\n${shown}` : `${text}\n`);
    },
    dispose() {
      subscriptions.forEach((s) => s.dispose());
      clearInterval(tick);
      clearTimeout(timer);
      if (stream.isTTY && shown) stream.write(CLEAR_LINE);
      shown = '';
    },
  };
}
