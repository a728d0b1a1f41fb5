/**
 * What a resumed session had already spent in this state directory: CLIs that report running
 * totals (Claude's cost, Codex and Qwen tokens) report it again in the run that resumes it, so that
 * run subtracts it as a baseline and records only what it added.
 */
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { StateMap, type RunPaths } from '../state/stateMap';
import { recordOnDisk, runFolderIdsOrNone } from '../runs/recordFile';
import type { RunRecord } from '../runs/types';
import type { UsageBaseline } from '../runs/usageMeter';

/** Raises `into` to the largest figures of the usage reports in an events file (read in pieces: it may be long). */
function raiseToReportedUsage(eventsFile: string, into: UsageBaseline): void {
  let fd: number;
  try {
    fd = fs.openSync(eventsFile, 'r');
  } catch {
    return;
  }
  try {
    const buffer = Buffer.alloc(1024 * 1024);
    const decoder = new StringDecoder('utf8');
    let pending = '';
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, buffer.length, null);
      const lines = (pending + (read > 0 ? decoder.write(buffer.subarray(0, read)) : decoder.end())).split('\n');
      pending = read > 0 ? lines.pop()! : '';
      for (const line of lines) {
        if (!line.includes('"type":"usage"')) continue;
        try {
          const event = JSON.parse(line) as { type?: string; inputTokens?: unknown; outputTokens?: unknown; usd?: unknown };
          if (event.type === 'usage' && !(event as { provisional?: boolean }).provisional) raiseTo(into, event);
        } catch {
          // A torn line: the others still count.
        }
      }
      if (read === 0) return;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function raiseTo(into: UsageBaseline, figures: { inputTokens?: unknown; outputTokens?: unknown; usd?: unknown }): void {
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  into.inputTokens = Math.max(into.inputTokens, num(figures.inputTokens));
  into.outputTokens = Math.max(into.outputTokens, num(figures.outputTokens));
  if (typeof figures.usd === 'number' && Number.isFinite(figures.usd)) into.usd = Math.max(into.usd ?? 0, figures.usd);
}

/**
 * How far a session had got in the runs of this state directory that used it (other than
 * `excludeRunId`): the largest running totals its CLI reported there, which a run resuming the
 * session will report again on top of its own. Undefined when no run here used the session
 * (one started outside Switchboard: what it spent before is not known).
 */
export function sessionUsageBaseline(stateDir: string, runner: string, sessionId: string, excludeRunId?: string): UsageBaseline | undefined {
  let baseline: UsageBaseline | undefined;
  for (const { run, record } of runsOfSession(stateDir, runner, sessionId, excludeRunId)) {
    baseline ??= { inputTokens: 0, outputTokens: 0 };
    // What a run recorded never exceeds the session's total (it may be only what that run added)...
    const usage = record.usage;
    if (usage) raiseTo(baseline, { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, usd: usage.usdSource === 'reported' ? usage.usd : undefined });
    // ...and the CLI's own reports, kept in the events, are the session's totals as they were then.
    raiseToReportedUsage(run.events, baseline);
  }
  return baseline;
}

/** The runs of this state directory (other than `excludeRunId`) whose runner reported the session `sessionId`. */
export function* runsOfSession(stateDir: string, runner: string, sessionId: string, excludeRunId?: string): Generator<{ run: RunPaths; record: Partial<RunRecord> }> {
  const paths = new StateMap(stateDir);
  for (const id of runFolderIdsOrNone(paths.runs)) {
    if (id === excludeRunId) continue;
    const run = paths.run(id);
    // Not readRecord: a record another process finds corrupt is its to set aside.
    const record = recordOnDisk(run);
    if (record?.runner === runner && record.sessionId === sessionId) yield { run, record };
  }
}
