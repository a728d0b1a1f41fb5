/** Ids that sort by day and say what they name: `goal-20261206-abc123`, `cmp-20261206-k7m2pq`. */
import * as crypto from 'node:crypto';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** `<prefix>-YYYYMMDD-<6 chars>`, drawn again while `taken` says it is. */
export function datedId(prefix: string, taken: (id: string) => boolean, now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  for (;;) {
    const id = `${prefix}-${day}-${[...crypto.randomBytes(6)].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;
    if (!taken(id)) return id;
  }
}
