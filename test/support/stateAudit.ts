/**
 * What a test finds in a state folder that the state map does not describe, or that is not
 * owner-only (a worktree's own files count as owner-only when its folder's parent is 0700; a
 * container run's home is not looked into: its files are the agent CLI's).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeStatePath, holdsOthersFiles } from '../../src/core/state/stateMap';

/** Every path under `root` (relative), not descending into git worktrees or container runs' homes. */
export function walkState(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(path.join(root, rel))) {
    const child = rel ? `${rel}/${name}` : name;
    out.push(child);
    if (fs.lstatSync(path.join(root, child)).isDirectory() && !holdsOthersFiles(describeStatePath(child))) out.push(...walkState(root, child));
  }
  return out;
}

/** The paths the map does not know, and those others than the user could read (`rel mode`). */
export function auditState(root: string, rel = ''): { unknown: string[]; open: string[] } {
  const unknown: string[] = [];
  const open: string[] = [];
  for (const child of walkState(root, rel)) {
    const entry = describeStatePath(child);
    if (!entry) unknown.push(child);
    const full = path.join(root, child);
    const mode = (entry?.kind === 'worktree' ? fs.statSync(path.dirname(full)) : fs.lstatSync(full)).mode & 0o777;
    if (mode & 0o077) open.push(`${entry?.kind === 'worktree' ? `${child} (its folder)` : child} ${mode.toString(8)}`);
  }
  return { unknown, open };
}
