/**
 * A steer that interrupts the agent to resume its session (Codex-style steering) when the agent has
 * exited: what it resumes with, and the approvals the interrupted process had asked for, cleared (their
 * request ids mean nothing to the process that resumes). Real parts of a supervisor, real files in a temp folder.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { SwitchboardError } from '../../src/core/errors';
import { redactorFor } from '../../src/core/redact';
import { getRunner } from '../../src/core/runners/runnerTable';
import { EventLogWriter } from '../../src/core/runs/eventLog';
import type { RunRecord } from '../../src/core/runs/types';
import { StateMap } from '../../src/core/state/stateMap';
import { AgentStopper } from '../../src/core/supervisor/agentStop';
import { Approvals } from '../../src/core/supervisor/approvals';
import { RecordKeeper } from '../../src/core/supervisor/recordKeeper';
import { RunControl } from '../../src/core/supervisor/runControl';
import { RunFeed } from '../../src/core/supervisor/runFeed';
import { RunOutcome } from '../../src/core/supervisor/runOutcome';
import { TurnTracker } from '../../src/core/supervisor/turnTracker';
import { tempDir } from '../support/harness';

function control(sessionId: string | undefined) {
  const paths = new StateMap(tempDir('sb-steer-resume-')).run('r1');
  fs.mkdirSync(paths.dir, { recursive: true });
  const record = { version: 1, id: 'r1', name: 'codex-1', runner: 'codex', status: 'running', sessionId, usage: { inputTokens: 0, outputTokens: 0 }, eventCount: 0, outputBytes: 0 } as RunRecord;
  const redactor = redactorFor(undefined, {}, undefined);
  const feed = new RunFeed(undefined);
  const events = new EventLogWriter(paths, 0, (error) => assert.fail(error));
  const book = new RecordKeeper(record, { paths, events, redactor, feed, output: { bytes: 0 }, lines: undefined, notify: () => undefined, noSpace: () => undefined });
  const approvals = new Approvals({ answer: () => true, waiting: (waiting) => book.update({ waiting }, true), emit: (body) => void book.emit(body) });
  const outcome = new RunOutcome(paths, redactor);
  const parts = { runner: getRunner('codex'), book, feed, redactor, outcome, stopper: new AgentStopper('r1', 1000, () => false), turns: new TurnTracker(() => undefined, () => undefined), approvals };
  const run = { agent: () => undefined, conversation: () => assert.fail('not used'), finished: Promise.resolve(), write: () => false, exited: () => undefined, stopFinishing: () => undefined, setLimits: () => undefined };
  return { control: new RunControl(run, parts), approvals, book, outcome };
}

describe('steering that resumes the session', () => {
  it('resumes with the steering once the interrupted agent exited, and clears what that process asked approval of', () => {
    const { control: c, approvals, book } = control('s-1');
    approvals.ask({ id: 'call-7', tool: 'Bash' }, 'approval to use Bash: rm -rf build');
    assert.equal(book.record.waiting?.tool, 'Bash');
    // As steer leaves it (it then interrupts the agent).
    c.pendingResume = 'use the other folder';
    assert.equal(c.resumeAfter({ signal: 'SIGINT' }), 'use the other folder');
    assert.equal(c.pendingResume, undefined);
    assert.equal(book.record.waiting, undefined, 'the run no longer says it waits');
    assert.throws(() => approvals.answer(true, 'test'), (e: SwitchboardError) => e.code === 'not_waiting');
  });

  it('does not resume when a stop was asked since, when there is no session, or when nothing was steered; the approvals are then left to the end of the run', () => {
    const killed = control('s-1');
    killed.control.pendingResume = 'more';
    killed.outcome.stopReason = { kind: 'kill', source: 'test' };
    assert.equal(killed.control.resumeAfter({ exitCode: 0 }), undefined);
    const sessionless = control(undefined);
    sessionless.control.pendingResume = 'more';
    assert.equal(sessionless.control.resumeAfter({ exitCode: 0 }), undefined);
    const plain = control('s-1');
    plain.approvals.ask({ id: 'a', tool: 'Bash' }, 'approval to use Bash');
    assert.equal(plain.control.resumeAfter({ exitCode: 0 }), undefined);
    assert.equal(plain.book.record.waiting?.tool, 'Bash');
  });
});
