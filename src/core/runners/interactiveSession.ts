/**
 * Continue in Terminal: a finished run's session continued by a person in the agent CLI's own
 * interactive session (`claude --resume <id>`, `codex resume <id>`, `opencode -s <id>`, …), in the
 * run's folder (its worktree when it has one), with the binary and settings its runner has and the
 * run's model. What to start is argv, never a shell string; why it cannot be is said in words.
 */
import * as fs from 'node:fs';
import type { RunnerConfig } from '../config';
import { SwitchboardError } from '../errors';
import { isFinished, type RunRecord } from '../runs/types';
import { findBinary } from './findBinary';
import { findRunner } from './runnerTable';

export interface TerminalLaunch {
  /** The terminal's name: `<run> · <CLI>`. */
  name: string;
  /** The CLI, found as a run would find it. */
  command: string;
  args: string[];
  /** Set over the terminal's own environment. */
  env: Record<string, string>;
  cwd: string;
}

/** Why the run's session cannot be continued at a terminal now; undefined when it can. */
export function interactiveRefusal(run: RunRecord): string | undefined {
  const runner = findRunner(run.runner);
  if (!runner) return `Run ${run.name} was made by a runner this version does not know (${run.runner}).`;
  if (!runner.interactive) return runner.interactiveRefusal ?? `${runner.displayName} has no interactive session to continue.`;
  if (!run.sessionId) return `Run ${run.name} has no session to continue: ${runner.displayName} reported none.`;
  if (!isFinished(run.status)) return `Run ${run.name} is still ${run.status}: two processes must not share its session. Wait for it to end, or kill it first.`;
  return undefined;
}

/** What the terminal starts; throws with the reason when the session cannot be continued. */
export function interactiveSession(run: RunRecord, runners: Record<string, RunnerConfig>, env: NodeJS.ProcessEnv): TerminalLaunch {
  const refusal = interactiveRefusal(run);
  if (refusal) throw new SwitchboardError('invalid_argument', refusal);
  const runner = findRunner(run.runner)!;
  if (!fs.existsSync(run.cwd)) {
    const hint = run.worktree ? `Its worktree was removed; its branch ${run.worktree.branch} may still be there.` : undefined;
    throw new SwitchboardError('bad_cwd', `Run ${run.name}'s folder ${run.cwd} is gone.`, hint);
  }
  const settings = runners[runner.id] ?? {};
  const spec = runner.interactive!({
    sessionId: run.sessionId!,
    cwd: run.cwd,
    settings: { binary: settings.binary || runner.defaultBinary, extraArgs: settings.extraArgs ?? [], model: run.model ?? settings.model, permissionMode: settings.permissionMode },
  });
  const lookup = findBinary(spec.command, env, run.cwd);
  if (!lookup.found) {
    throw new SwitchboardError('runner_not_installed', `${runner.displayName} is not installed: "${spec.command}" was not found (looked in ${lookup.lookedIn.join(', ') || 'an empty PATH'}).`, runner.installHint);
  }
  return { name: `${run.name} · ${runner.displayName}`, command: lookup.path, args: spec.args, env: spec.env, cwd: run.cwd };
}
