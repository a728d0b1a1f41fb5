/**
 * Runs in worktrees of their own and comparisons over the real MCP server: run_agent with worktree
 * and model, run_diff, run_merge, run_cleanup, compare_agents and compare_show (the comparison runs in
 * the server's process), with the official SDK client over HTTP, and over stdio (the built CLI).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpService } from '../../src/mcp/mcpService';
import { call, connectHttp, connectStdio, textOf } from '../support/mcpClients';
import { CHECK_SCRIPT, fakeCli } from '../support/fakeClis';
import { gitIn, makeRepo } from '../support/gitRepo';
import { createHarness, tempDir, type Harness } from '../support/harness';

type Structured = Record<string, unknown>;
const structured = async (client: Client, tool: string, args: Record<string, unknown>): Promise<Structured> => {
  const result = await call(client, tool, args);
  assert.ok(!result.isError, `${tool}: ${textOf(result)}`);
  return result.structuredContent!;
};

describe('MCP: runs in worktrees of their own, and comparisons', function () {
  this.timeout(90_000);
  let h: Harness;
  let service: McpService;
  let http: Client;
  let repo: string;

  before(async () => {
    h = await createHarness();
    const runners = { claude: { binary: fakeCli('claude', 'sleep 1; echo good > answer.txt') }, codex: { binary: fakeCli('codex', 'echo bad > answer.txt') } };
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify({ version: 1, runners }));
    const registry = await h.open({ runners });
    service = new McpService({ switchboard: h.switchboardOf(registry), logger: { trace() {}, info() {}, warn() {}, error: (m) => console.error(m) }, doctor: () => Promise.reject(new Error('not here')), defaultCwd: () => tempDir('sb-mcp-cwd-'), guard: () => {} });
    const host = await service.startHttp();
    http = await connectHttp(host.url, service.token(), 'wt-client');
  });
  beforeEach(() => (repo = makeRepo({ 'README.md': 'hello\n', 'check.mjs': CHECK_SCRIPT })));
  after(async () => {
    await http.close();
    await service.dispose();
    await h.cleanup();
  });

  it('run_agent with worktree and model, then run_diff, run_merge and run_cleanup (the diff also over stdio)', async () => {
    const started = await call(http, 'run_agent', { runner: 'claude', prompt: 'Write the answer', cwd: repo, worktree: true, model: 'claude-opus-4-1', name: 'mcp-answer' });
    assert.ok(!started.isError, textOf(started));
    const run = started.structuredContent as { id: string; model: string; worktree: { branch: string; folder: string; base_branch: string } };
    assert.deepEqual([run.model, run.worktree.branch, run.worktree.base_branch], ['claude-opus-4-1', 'switchboard/run/mcp-answer', 'main']);
    assert.match(textOf(started), /It works on branch switchboard\/run\/mcp-answer in /);
    const waited = await structured(http, 'wait_agent', { id: run.id, timeout_ms: 20_000 });
    assert.equal((waited.agent as Structured).status, 'done');
    assert.equal(((waited.agent as Structured).worktree as Structured).branch, 'switchboard/run/mcp-answer');

    const stdio = await connectStdio(h.stateDir, 'wt-stdio');
    try {
      const diff = await structured(stdio, 'run_diff', { id: 'mcp-answer' });
      assert.deepEqual([diff.from, diff.commits, diff.files, diff.merged], ['branch', 1, [{ status: 'A', path: 'answer.txt', insertions: 1, deletions: 0 }], false]);
      assert.match(String(diff.patch), /^\+good$/m);
    } finally {
      await stdio.close();
    }
    const stat = await structured(http, 'run_diff', { id: run.id, stat: true });
    assert.match(String(stat.stat), /answer\.txt \| 1 \+/);
    assert.equal(stat.patch, undefined);

    const kept = await call(http, 'run_cleanup', { id: run.id });
    assert.ok(kept.isError);
    assert.match(textOf(kept), /not merged into main/);
    const merged = await structured(http, 'run_merge', { id: run.id });
    assert.deepEqual([merged.already_merged, merged.base, merged.files], [false, 'main', ['answer.txt']]);
    assert.equal(fs.readFileSync(path.join(repo, 'answer.txt'), 'utf8'), 'good\n');
    const cleaned = await structured(http, 'run_cleanup', { id: run.id, delete_branch: true });
    assert.deepEqual([cleaned.removed_folder, cleaned.deleted_branch], [true, true]);
    assert.equal(gitIn(repo, 'branch', '--list', 'switchboard/*'), '');
  });

  it('refuses a model for the custom runner and a worktree outside a git repository, naming why', async () => {
    const custom = await call(http, 'run_agent', { runner: 'custom', prompt: 'x', command: 'echo {prompt}', model: 'gpt-5', cwd: repo });
    assert.ok(custom.isError);
    assert.match(textOf(custom), /The custom runner takes no model/);
    const outside = await call(http, 'run_agent', { runner: 'claude', prompt: 'x', cwd: tempDir('sb-plain-'), worktree: true });
    assert.ok(outside.isError);
    assert.match(textOf(outside), /bad_cwd.*is not in a git repository/s);
    const plain = await call(http, 'run_diff', { id: (await structured(http, 'run_agent', { runner: 'claude', prompt: 'x', cwd: repo })).id as string });
    assert.match(textOf(plain), /not started with a worktree of its own/);
  });

  it('compare_agents returns at once with the run names, compare_show waits for the table; with wait it returns the table', async () => {
    const started = await structured(http, 'compare_agents', { prompt: 'Write the answer', runners: ['claude', 'codex'], models: ['', 'gpt-5'], gates: ['check=node check.mjs'], cwd: repo });
    assert.equal(started.status, 'running');
    const names = (started.entries as Structured[]).map((e) => [e.runner, e.model, e.name]);
    assert.deepEqual(names.map(([runner, model]) => [runner, model]), [['claude', undefined], ['codex', 'gpt-5']]);
    assert.ok(names.every(([, , name]) => typeof name === 'string'));
    const table = await structured(http, 'compare_show', { id: started.id, wait: true, timeout_ms: 30_000 });
    assert.deepEqual([table.status, table.timed_out], ['done', false]);
    const [claude, codex] = table.entries as { name: string; status: string; gates: { passed: boolean }; files: number }[];
    assert.deepEqual([claude!.status, claude!.gates.passed, claude!.files, codex!.status, codex!.gates.passed], ['done', true, 1, 'done', false]);
    const merged = await structured(http, 'run_merge', { id: claude!.name });
    assert.equal(merged.base, 'main');
    assert.equal(fs.readFileSync(path.join(repo, 'answer.txt'), 'utf8'), 'good\n');

    const waited = await structured(http, 'compare_agents', { prompt: 'Again', runners: ['codex'], gates: ['check=node check.mjs'], cwd: repo, wait: true, timeout_ms: 30_000 });
    assert.deepEqual([waited.status, (waited.entries as { gates: { passed: boolean } }[])[0]!.gates.passed], ['done', false]);
    const bad = await call(http, 'compare_agents', { prompt: 'x', runners: ['claude'], gates: ['no name'], cwd: repo });
    assert.ok(bad.isError);
    assert.match(textOf(bad), /names no gate/);
  });
});
