/**
 * A run's model, and a run in a worktree of its own, with REAL agent CLIs against their scripted
 * providers: the model asked for reaches the provider's requests, and a real tool call's file lands
 * on the run's branch, not in the folder.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { realCliSuite } from '../support/agentClis';
import { gitIn, makeRepo } from '../support/gitRepo';

/** The model a request asked for: in the body (Anthropic, OpenAI), or in the path (Gemini: /v1beta/models/<model>:…). */
const modelOf = (request: { path: string; body: unknown }): string | undefined => (request.body as { model?: string }).model ?? /\/models\/([^:/]+):/.exec(request.path)?.[1];

describe('real claude CLI: a model per run, in a worktree of its own', function () {
  this.timeout(120_000);
  const suite = realCliSuite('claude');

  it('asks the provider for the model given, and its file lands on its branch', async () => {
    const repo = makeRepo();
    let folder = '';
    const registry = await suite.registryFor((r) => (r.turn === 0 && folder ? { kind: 'write_file', path: path.join(folder, 'hello.txt'), content: 'hello from a worktree\n' } : { kind: 'text', text: 'I wrote hello.txt.' }));
    const run = await registry.run({ runner: 'claude', prompt: 'Create hello.txt saying hello', cwd: repo, model: 'claude-sonnet-4-5', worktree: true });
    folder = run.cwd;
    assert.equal(run.model, 'claude-sonnet-4-5');
    const { record } = await registry.wait(run.id, 90_000);
    assert.equal(record.status, 'done', record.lastError);
    const asked = suite.provider().requests.map(modelOf);
    assert.ok(asked.includes('claude-sonnet-4-5'), `the provider was asked for claude-sonnet-4-5: ${asked.join(', ')}`);
    assert.equal(fs.existsSync(path.join(repo, 'hello.txt')), false, 'not in the folder');
    assert.equal(gitIn(repo, 'show', `${record.worktree!.branch}:hello.txt`), 'hello from a worktree');
    const changes = await suite.switchboardOf(registry).worktrees.changes(run.id);
    assert.deepEqual(changes.files.map((f) => f.path), ['hello.txt']);
  });
});

for (const [runner, model] of [['codex', 'gpt-5-mini'], ['gemini', 'gemini-2.5-flash']] as const) {
  describe(`real ${runner} CLI: a model per run`, function () {
    this.timeout(120_000);
    const suite = realCliSuite(runner);

    it(`asks the provider for ${model}`, async () => {
      const registry = await suite.registryFor(() => ({ kind: 'text', text: 'hello' }));
      const run = await registry.run({ runner, prompt: 'Say hello', cwd: suite.work, model });
      const { record } = await registry.wait(run.id, 90_000);
      assert.equal(record.status, 'done', record.lastError);
      assert.equal(record.model, model);
      // Codex's app-server is given the model in thread/start, not on its command line.
      if (record.protocol !== 'app-server') assert.ok(record.commandLine.includes(model));
      const asked = suite.provider().requests.map(modelOf);
      assert.ok(asked.length > 0 && asked.every((m) => m === model), `every request asked for ${model}: ${asked.join(', ')}`);
    });
  });
}
