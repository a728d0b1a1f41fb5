/** A week of heavy use, for the history benches and the Agents view tests: finished runs written straight into a state folder. */
import * as fs from 'node:fs';
import { writeRecord } from '../../src/core/runs/recordFile';
import type { RunRecord } from '../../src/core/runs/types';
import { StateMap } from '../../src/core/state/stateMap';

export const RUNS = 10_000;

/** Writes `runs` finished runs a minute apart (the newest is named `claude-<runs>`). */
export function fillHistory(stateDir: string, runs = RUNS): void {
  const map = new StateMap(stateDir);
  fs.mkdirSync(map.runs, { recursive: true, mode: 0o700 });
  const now = Date.now();
  for (let i = 0; i < runs; i++) {
    const id = `bench${String(i).padStart(5, '0')}`;
    const paths = map.run(id);
    fs.mkdirSync(paths.dir, { mode: 0o700 });
    const createdAt = now - (runs - i) * 60_000;
    const record: RunRecord = {
      version: 1, id, name: `claude-${i + 1}`, runner: 'claude', commandLine: ['claude', '-p', 'fix the flaky test in parser.test.ts', '--output-format', 'stream-json'],
      cwd: '/home/dev/project', prompt: 'fix the flaky test in parser.test.ts and explain the cause', status: i % 10 === 0 ? 'failed' : 'done',
      createdAt, startedAt: createdAt + 100, endedAt: createdAt + 95_000, exitCode: i % 10 === 0 ? 1 : 0,
      usage: { inputTokens: 12_000 + i, outputTokens: 900, usd: 0.04, usdSource: 'reported' }, links: {}, outputBytes: 48_000, eventCount: 40, sessionId: `session-${i}`,
    };
    writeRecord(paths, record, { durable: false });
  }
}
