/**
 * A goal worked by a real Claude Code (pinned, against the scripted Anthropic provider): its first
 * iteration's work fails the gate, whose output names what is missing; the provider makes Claude
 * write the missing file only once that output is in the prompt, which it is only because the goal
 * turned the failed gate into the next iteration's task. The goal ends ready, with its usage.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { agentCliBinary, realCliSuite } from '../support/agentClis';
import { gitIn, makeRepo } from '../support/gitRepo';
import type { ProviderRequestInfo, ScriptedStep } from '../support/providers/types';

const MARKER = 'fixed.txt is missing (gate marker 7f3a)';

function workingDirectory(body: unknown): string {
  const messages = (body as { messages?: { content?: unknown }[] }).messages ?? [];
  for (const message of messages) {
    for (const block of Array.isArray(message.content) ? (message.content as { text?: unknown }[]) : []) {
      const found = typeof block.text === 'string' ? /Primary working directory: (.+)/.exec(block.text) : null;
      if (found) return found[1]!.trim();
    }
  }
  throw new Error('the request does not name a working directory');
}

describe('a goal worked by a real Claude Code', function () {
  this.timeout(180_000);
  before(function () {
    try {
      agentCliBinary('claude');
    } catch (error) {
      console.log(`      skipped: ${(error as Error).message}`);
      this.skip();
    }
  });
  const suite = realCliSuite('claude');

  it('fails its gate, sees the gate output in the next iteration, fixes it, and ends ready', async () => {
    const workspace = makeRepo({ 'README.md': '# project\n' });
    const seen: boolean[] = [];
    const script = (r: ProviderRequestInfo): ScriptedStep => {
      if (r.afterToolResult) return { kind: 'text', text: 'Done.' };
      const sawGate = r.lastUserText.includes(MARKER);
      seen.push(sawGate);
      const cwd = workingDirectory(r.body);
      return sawGate ? { kind: 'write_file', path: path.join(cwd, 'fixed.txt'), content: 'fixed\n' } : { kind: 'write_file', path: path.join(cwd, 'part.txt'), content: 'a part\n' };
    };
    const registry = await suite.registryFor(script);
    const goals = suite.switchboardOf(registry).goals;
    const gate = { name: 'check', command: `'${process.execPath}' -e "if (!require('fs').existsSync('fixed.txt')) { console.log('${MARKER}'); process.exit(1) }"` };
    const created = await goals.create({ objective: 'Write the parts and make the check pass', workspace, tasks: [{ title: 'write part.txt' }], runner: 'claude', untilReady: true, maxAgents: 1, gates: [gate], budgetUsd: 5 });
    const goal = await goals.settled(created.id);
    assert.equal(goal.status, 'ready', goal.failure);
    assert.deepEqual(goal.iterations.map((i) => i.passed), [false, true]);
    assert.deepEqual(seen, [false, true], 'the gate output reached Claude only in the second iteration');
    assert.match(goal.iterations[0]!.gates![0]!.stdout, /gate marker 7f3a/);
    assert.deepEqual(gitIn(workspace, 'ls-tree', '--name-only', goal.branch).split('\n').sort(), ['README.md', 'fixed.txt', 'part.txt']);
    const runs = registry.list({ goal: goal.id });
    assert.equal(runs.length, 2);
    assert.ok(runs.every((r) => r.runner === 'claude' && r.status === 'done' && r.usage.usdSource === 'reported' && (r.usage.usd ?? 0) > 0));
    const status = goals.status(goal.id);
    assert.ok(status.budget.spend.usd > 0 && status.budget.spend.tokens > 0);
    assert.equal((await goals.proof(goal.id)).status, 'ready');
  });
});
