/**
 * An iteration measured once it is verified: how many gates passed, a fingerprint of each required
 * gate's failure (the same failure told the same way gives the same one, whatever the timings,
 * counts and temporary paths in it), the score, which files it changed on the goal branch (their
 * blobs before and after, to see a change undone and redone) and what it cost. Stagnation is read
 * from these (stagnation.ts).
 */
import * as crypto from 'node:crypto';
import type { GateResult } from '../gates/gate';
import { git, splitNul } from '../git/gitCommand';
import type { Spend } from './budget';
import type { Iteration, IterationMetrics } from './goalRecord';

/** More changed files than this are counted, not followed one by one. */
const MAX_FILES = 500;

/** A gate's failure with what changes from one run to the next taken out: numbers, hex ids, temporary paths. */
export function failureFingerprint(gate: Pick<GateResult, 'name' | 'stdout' | 'stderr' | 'exitCode' | 'timedOut'>): string {
  const text = `${gate.timedOut ? 'timeout' : `exit ${gate.exitCode ?? 'none'}`}\n${gate.stdout}\n${gate.stderr}`
    .replace(/\/tmp\/[^\s'"]+/g, '<tmp>')
    .replace(/\b[0-9a-f]{7,40}\b/gi, '<hex>')
    .replace(/\d+(\.\d+)?/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  return `${gate.name}#${crypto.createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

/** Blobs of `files` at `commit` ('' for a file it does not have). */
async function blobs(checkout: string, commit: string, files: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (files.length === 0) return found;
  const out = await git(checkout, ['ls-tree', '-z', '--full-tree', commit, '--', ...files]);
  for (const line of splitNul(out.stdout)) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(line);
    if (match) found.set(match[2]!, match[1]!);
  }
  return found;
}

export async function measureIteration(checkout: string, iteration: Iteration, startCommit: string, spend: Pick<Spend, 'usd' | 'tokens'>): Promise<IterationMetrics> {
  const endCommit = (await git(checkout, ['rev-parse', '--verify', 'HEAD^{commit}'])).stdout.trim();
  const gates = iteration.gates ?? [];
  const metrics: IterationMetrics = {
    startCommit,
    endCommit,
    gatesPassed: gates.filter((g) => g.passed).length,
    gatesFailed: gates.filter((g) => !g.passed).length,
    failures: gates.filter((g) => g.required && !g.passed).map(failureFingerprint),
    ...(iteration.score !== undefined ? { score: iteration.score } : {}),
    changedFiles: [],
    linesAdded: 0,
    linesRemoved: 0,
    fileStates: {},
    spentUsd: Math.max(0, spend.usd - (iteration.spentBefore?.usd ?? 0)),
    spentTokens: Math.max(0, spend.tokens - (iteration.spentBefore?.tokens ?? 0)),
  };
  if (startCommit === endCommit) return metrics;
  // --numstat -z: "added\tremoved\tpath\0" (renames are not followed: a file moved is one gone and one new).
  const numstat = await git(checkout, ['diff', '--no-renames', '--numstat', '-z', startCommit, endCommit]);
  for (const entry of splitNul(numstat.stdout)) {
    const [added, removed, ...rest] = entry.split('\t');
    const file = rest.join('\t');
    if (!file) continue;
    metrics.changedFiles.push(file);
    metrics.linesAdded += Number(added) || 0;
    metrics.linesRemoved += Number(removed) || 0;
  }
  const followed = metrics.changedFiles.slice(0, MAX_FILES);
  const [before, after] = await Promise.all([blobs(checkout, startCommit, followed), blobs(checkout, endCommit, followed)]);
  for (const file of followed) metrics.fileStates[file] = [before.get(file) ?? '', after.get(file) ?? ''];
  return metrics;
}
