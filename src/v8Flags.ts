/**
 * V8 flags changed in a running process (`switchboard mcp` and `serve` do: see mcp.ts), and said so
 * where the code cache looks: a cache that V8 makes after a flag changed is stamped with it, and
 * every process started without that flag would reject it (codeCache.ts then saves none). A global
 * symbol, so that the bin's copy of this module and the bundle's see the same mark. Built-ins only.
 */
import * as v8 from 'node:v8';

const CHANGED = Symbol.for('switchboard.v8FlagsChanged');
const marks = globalThis as unknown as Record<symbol, boolean | undefined>;

export function setV8Flags(flags: string): void {
  v8.setFlagsFromString(flags);
  marks[CHANGED] = true;
}

/** Whether this process changed V8's flags since it started. */
export const v8FlagsChanged = (): boolean => marks[CHANGED] === true;
