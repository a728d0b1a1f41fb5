/**
 * How a run ends: what its supervisor learns while it runs (a stop asked for, the agent's last
 * result, a full disk, work a container did not give back), and the status and reason these give
 * once the agent has exited.
 */
import type { Redactor } from '../redact';
import { clipMessage } from '../runners/argLimits';
import { readTail } from '../runs/outputLog';
import type { RunRecord } from '../runs/types';
import type { RunPaths } from '../state/stateMap';
import type { AgentExit } from './agentProcess';
import { agentExitWords } from './finishingWork';
import { limitStop } from './runLimits';
import { plainText } from '../terminalText';

/** A stop someone (or a limit) asked for. */
export interface StopReason {
  kind: 'kill' | 'interrupt';
  source: string;
}

export class RunOutcome {
  stopReason: StopReason | undefined;
  /** The reason another process gave when it killed the agent itself, unable to reach this supervisor (its kill marker). */
  killedElsewhere: string | undefined;
  lastResultOk: boolean | undefined;
  /** Why the run is failing for want of disk space, once it is. */
  diskFull: string | undefined;
  /** Copy mode: what of the worktree did not come back, and where it is (the run then ends failed). */
  copyFailed: string | undefined;
  /** The agent stayed after its last turn and was stopped (RunControl.retire): the signal it died of is not a failure. */
  retired = false;

  constructor(private readonly paths: RunPaths, private readonly redactor: Redactor) {}

  status(exit: AgentExit): RunRecord['status'] {
    if (this.diskFull) return 'failed';
    if (exit.vanished) return 'orphaned';
    if (this.stopReason || this.killedElsewhere) return 'killed';
    const stoppedWhenDone = this.retired && this.lastResultOk === true;
    if (!stoppedWhenDone && (exit.spawnError || exit.signal || exit.exitCode !== 0)) return 'failed';
    return this.lastResultOk === false || this.copyFailed ? 'failed' : 'done';
  }

  /** Why the run did not end done; `lastError` is the record's. */
  reason(exit: AgentExit, lastError: string | undefined): string {
    if (this.diskFull) return this.diskFull;
    if (exit.vanished) return exit.vanished;
    const byLimit = this.stopReason && limitStop(this.stopReason.source);
    if (byLimit) return byLimit;
    if (this.stopReason) return `${this.stopReason.kind === 'kill' ? 'killed' : 'interrupted'} by ${this.stopReason.source}`;
    if (this.killedElsewhere) return this.killedElsewhere;
    if (exit.spawnError) return clipMessage(exit.spawnError);
    if (this.lastResultOk === false && lastError) return lastError;
    if (this.copyFailed) return this.copyFailed;
    const how = agentExitWords(exit);
    // The last line as a terminal shows it: no colour codes, and of a line redrawn with carriage returns (a progress bar) its last drawing.
    const lastLine = plainText(readTail(this.paths, 2048).toString('utf8')).trim().split('\n').pop()?.split('\r').map((part) => part.trim()).filter(Boolean).pop();
    return this.redactor.text(lastLine ? `the agent ${how}: ${lastLine}` : `the agent ${how}`);
  }
}

/** The reason of a run failing for want of disk space in its state folder, after `what` happened; its output is kept up to byte `bytes`. */
export function diskFullReason(stateDir: string, bytes: number, what: string): string {
  return `disk full: the disk of the state folder ${stateDir} has no space left, ${what} (its output is kept up to byte ${bytes}); free some space and run it again`;
}
