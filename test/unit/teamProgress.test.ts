/** `team run`'s progress on stderr: one live line on a terminal, plain lines when the counts change otherwise. */
import * as assert from 'node:assert/strict';
import type { Task } from '../../src/core/dag/task';
import type { TeamStatusView } from '../../src/core/teams/teamService';
import { progressLine, showTeamProgress, type ProgressStream } from '../../src/cli/teamProgress';

const task = (id: string, status: Task['status']): Task => ({ id, title: id, dependsOn: [], status, attempts: 1 });

function view(statuses: Task['status'][], usd = 0, status: TeamStatusView['team']['status'] = 'running'): TeamStatusView {
  const counts: TeamStatusView['counts'] = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return {
    team: { version: 1, name: 'alpha', spec: '2:executor', task: 'x', workspace: '/w', status, workers: [], tasks: statuses.map((s, i) => task(`T${i + 1}`, s)), createdAt: Date.now() - 65_000 },
    counts,
    workers: [],
    spend: { runs: 2, usd, usdKnown: true, inputTokens: 0, outputTokens: 0 },
    owned: true,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A stream that keeps what was written, and the progress fed by `current` with a `changed` to call. */
function harness(isTTY: boolean, first: TeamStatusView, columns?: number) {
  let current = first;
  let changed = (): void => {};
  const written: string[] = [];
  const stream: ProgressStream = { isTTY, columns, write: (text) => void written.push(text) };
  const progress = showTeamProgress(stream, () => current, (fire) => ((changed = fire), [{ dispose: () => (changed = () => {}) }]));
  return { written, progress, set: (next: TeamStatusView) => ((current = next), changed()) };
}

describe('team progress', () => {
  it('says tasks done, running and failed of the total, spend and elapsed in one line', () => {
    assert.equal(progressLine(view(['done', 'running', 'running', 'failed', 'pending'], 0.0123)), 'team alpha: 1/5 done, 2 running, 1 failed · $0.0123 · 1m05s');
    assert.equal(progressLine(view([], 0, 'planning')), 'team alpha (planning): no tasks yet · $0.0000 · 1m05s');
    assert.equal(progressLine(view(['done', 'blocked', 'cancelled'], 2, 'failed')), 'team alpha (failed): 1/3 done, 0 running, 0 failed, 1 blocked, 1 cancelled · $2.00 · 1m05s');
  });

  it('without a terminal: a plain line each time the counts change, and nothing to clear', () => {
    const { written, progress, set } = harness(false, view(['running', 'pending']));
    set(view(['running', 'pending'], 0.5));
    set(view(['done', 'running']));
    progress.say('shutting down');
    progress.dispose();
    set(view(['done', 'done']));
    assert.deepEqual(written, ['team alpha: 0/2 done, 1 running, 0 failed · $0.0000 · 1m05s\n', 'team alpha: 1/2 done, 1 running, 0 failed · $0.0000 · 1m05s\n', 'shutting down\n']);
  });

  it('on a terminal: one line rewritten in place, messages above it, cleared at the end', async () => {
    const { written, progress, set } = harness(true, view(['running', 'pending']));
    set(view(['done', 'running'], 0.25));
    set(view(['done', 'running'], 0.5));
    await sleep(250);
    set(view(['done', 'running'], 0.5));
    await sleep(250);
    progress.say('shutting down team alpha');
    progress.dispose();
    const redraw = '\r\x1b[2K';
    assert.deepEqual(written, [
      `${redraw}team alpha: 0/2 done, 1 running, 0 failed · $0.0000 · 1m05s`,
      // Changes close together make one redraw.
      `${redraw}team alpha: 1/2 done, 1 running, 0 failed · $0.5000 · 1m05s`,
      // The same line again is not redrawn.
      `${redraw}shutting down team alpha\nteam alpha: 1/2 done, 1 running, 0 failed · $0.5000 · 1m05s`,
      redraw,
    ]);
  });

  it('on a narrow terminal the live line is cut to fit, so that it does not wrap', () => {
    const { written, progress } = harness(true, view(['running', 'pending']), 24);
    progress.dispose();
    assert.deepEqual(written, ['\r\x1b[2Kteam alpha: 0/2 done, …', '\r\x1b[2K']);
  });
});
