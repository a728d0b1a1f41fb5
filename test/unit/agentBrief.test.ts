/** list_agents' briefs: what a list shows of a run (clipped texts, its branch, how many calls were refused), and what only get_agent_status gives. */
import * as assert from 'node:assert/strict';
import type { RunRecord } from '../../src/core/runs/types';
import { agentBrief, agentBriefShape, agentShape, agentSummary } from '../../src/ops/schemas';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

function record(more: Partial<RunRecord>): RunRecord {
  return {
    version: 1, id: 'r-1', name: 'fixer', runner: 'claude', commandLine: ['claude', '-p'], cwd: '/w', prompt: 'p'.repeat(600), status: 'running',
    agent: { pid: 4242, startToken: 't' }, sessionId: 's-1', createdAt: T0, startedAt: T0 + 10, usage: { inputTokens: 1200, outputTokens: 300, usd: 0.02, usdSource: 'estimated', models: { m: { inputTokens: 1200, outputTokens: 300 } } },
    links: { team: 'crew', task: 'T1' }, outputBytes: 0, eventCount: 0, lastError: 'e'.repeat(300),
    worktree: { workspace: '/w', repo: '/w', folder: '/wt/fixer', branch: 'switchboard/run/fixer', baseCommit: 'abc' },
    retrying: { status: 429, attempt: 3, of: 10, since: T0 + 20 }, permissionDenials: [{ tool: 'Bash', what: 'rm -rf /' }, { tool: 'Write' }],
    ...more,
  } as RunRecord;
}

describe('agent briefs (list_agents)', () => {
  it('keeps what a list shows, clipped, and leaves the rest to get_agent_status', () => {
    const brief = agentBriefShape.parse(agentBrief(record({}), T0 + 1000));
    assert.equal(brief.pid, 4242, 'a live run has its pid');
    assert.equal(brief.prompt, `${'p'.repeat(200)}…`);
    assert.equal(brief.last_error, `${'e'.repeat(200)}…`);
    assert.deepEqual(brief.usage, { input_tokens: 1200, output_tokens: 300, usd: 0.02, usd_estimated: true });
    assert.equal(brief.branch, 'switchboard/run/fixer');
    assert.equal(brief.retrying, 'retrying (429, attempt 3 of 10)');
    assert.equal(brief.refused_tools, 2);
    // Elapsed from its start.
    assert.deepEqual([brief.team, brief.task, brief.elapsed_ms, brief.created_at], ['crew', 'T1', 990, new Date(T0).toISOString()]);
    for (const gone of ['session_id', 'started_at', 'steering', 'worktree', 'permission_denials']) assert.ok(!(gone in brief), `${gone} is not in a brief`);
    const full = agentShape.parse(agentSummary(record({}), T0 + 1000));
    assert.equal(full.session_id, 's-1');
    assert.equal(full.usage.usd_source, 'estimated');
    assert.equal(full.permission_denials?.length, 2);
    assert.ok(JSON.stringify(brief).length < JSON.stringify(full).length * 0.7);
  });

  it('a finished run: no pid, no wait, no retry; nothing refused is no count', () => {
    const brief = agentBriefShape.parse(agentBrief(record({ status: 'done', endedAt: T0 + 500, exitCode: 0, worktree: undefined, permissionDenials: [], waiting: { reason: 'approval', since: T0 } }), T0 + 1000));
    assert.deepEqual([brief.pid, brief.retrying, brief.waiting, brief.refused_tools, brief.branch], [undefined, undefined, undefined, undefined, undefined]);
    assert.equal(brief.ended_at, new Date(T0 + 500).toISOString());
    const reported = agentBriefShape.parse(agentBrief(record({ status: 'done', usage: { inputTokens: 1, outputTokens: 1, usd: 0.5, usdSource: 'reported' } }), T0));
    assert.deepEqual(reported.usage, { input_tokens: 1, output_tokens: 1, usd: 0.5 }, 'a reported cost is said by its absence of usd_estimated');
  });
});
