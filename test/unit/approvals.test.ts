/** Pending approvals: answered oldest first, published as what the run waits for, denied when nobody answers in time. */
import * as assert from 'node:assert/strict';
import type { SwitchboardError } from '../../src/core/errors';
import type { AgentEventBody, RunRecord } from '../../src/core/runs/types';
import { Approvals } from '../../src/core/supervisor/approvals';

function setup(timeoutMs = 60_000) {
  const answers: { id: string; allow: boolean; message?: string }[] = [];
  const events: AgentEventBody[] = [];
  const waits: RunRecord['waiting'][] = [];
  const approvals = new Approvals(
    { answer: (request, allow, message) => (answers.push({ id: request.id, allow, message }), true), waiting: (w) => void waits.push(w), emit: (e) => void events.push(e) },
    timeoutMs,
  );
  return { approvals, answers, events, waits };
}

describe('approvals', () => {
  it('answers the oldest request first and says what the run waits for after each answer', () => {
    const { approvals, answers, events, waits } = setup();
    approvals.ask({ id: 'a', tool: 'Bash' }, 'approval to use Bash: ls');
    approvals.ask({ id: 'b', tool: 'WebFetch' }, 'approval to use WebFetch');
    assert.deepEqual(approvals.answer(false, 'vscode', 'no'), { tool: 'Bash', allow: false });
    assert.deepEqual(approvals.answer(true, 'mcp:x'), { tool: 'WebFetch', allow: true });
    assert.deepEqual(answers, [{ id: 'a', allow: false, message: 'no' }, { id: 'b', allow: true, message: undefined }]);
    assert.deepEqual(events, [{ type: 'approval', tool: 'Bash', allow: false, source: 'vscode', message: 'no' }, { type: 'approval', tool: 'WebFetch', allow: true, source: 'mcp:x' }]);
    assert.deepEqual(waits.map((w) => w?.tool), ['Bash', 'Bash', 'WebFetch', undefined]);
    assert.throws(() => approvals.answer(true, 'vscode'), (e: SwitchboardError) => e.code === 'not_waiting');
  });

  it('denies a request nobody answers in time, with the reason', async () => {
    const { approvals, answers, events, waits } = setup(50);
    approvals.ask({ id: 'a', tool: 'Bash' }, 'approval to use Bash: ls');
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(answers[0]?.allow, false);
    assert.match(answers[0]?.message ?? '', /No one answered within/);
    assert.deepEqual(events.map((e) => e.type === 'approval' && e.source), ['timeout']);
    assert.equal(waits.at(-1), undefined);
  });

  it('forgets what was asked when the turn or the agent ends', () => {
    const { approvals, answers, waits } = setup();
    approvals.ask({ id: 'a', tool: 'Bash' }, 'x');
    approvals.clear();
    assert.deepEqual(answers, []);
    assert.equal(waits.at(-1), undefined);
  });
});
