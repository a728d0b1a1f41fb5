/** The built CLI over runs in worktrees of their own: run --worktree --model, diff, merge, cleanup, compare (two scripted agents, one passing the gate), models. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../support/cliChild';
import { CHECK_SCRIPT, fakeCli } from '../support/fakeClis';
import { gitIn, makeRepo } from '../support/gitRepo';
import { ensureBuilt, tempDir } from '../support/harness';

const json = <T>(text: string): T => JSON.parse(text) as T;

interface Entry {
  runner: string;
  model?: string;
  name: string;
  status: string;
  gates?: { passed: boolean; results: { name: string; passed: boolean; exit_code: number | null }[] };
  files: number;
  insertions: number;
  usage: { input_tokens: number };
}

describe('CLI: runs in worktrees of their own, and comparisons', function () {
  this.timeout(90_000);
  let home: string;
  let repo: string;
  before(() => ensureBuilt());
  beforeEach(() => {
    home = tempDir('sb-cmp-home-');
    repo = makeRepo({ 'README.md': 'hello\n', 'check.mjs': CHECK_SCRIPT });
    const good = fakeCli('claude', 'echo good > answer.txt');
    const bad = fakeCli('codex', 'echo bad > answer.txt; echo more > extra.txt');
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { claude: { binary: good }, codex: { binary: bad, model: 'gpt-5' } } }));
  });

  it('run --worktree --model, then diff --stat, merge and cleanup by name; bad input exits 1 saying why', async () => {
    const started = await runCli(home, ['run', 'claude', 'Write the answer', '--cwd', repo, '--worktree', '--model', 'claude-opus-4-1', '--name', 'answer', '--format', 'json']);
    assert.equal(started.code, 0, started.stderr);
    const run = json<{ id: string; status: string; model: string; commandLine: string[]; worktree: { branch: string; folder: string } }>(started.stdout);
    assert.deepEqual([run.status, run.model, run.worktree.branch], ['done', 'claude-opus-4-1', 'switchboard/run/answer']);
    assert.ok(run.commandLine.join(' ').includes('--model claude-opus-4-1'));
    const stat = await runCli(home, ['diff', 'answer', '--stat']);
    assert.equal(stat.code, 0, stat.stderr);
    assert.match(stat.stdout, /answer\.txt \| 1 \+/);
    assert.match(stat.stderr, /answer: 1 file\(s\), \+1 -0, in 1 commit\(s\) on switchboard\/run\/answer \(from main at [0-9a-f]{12}\)/);
    const patch = await runCli(home, ['diff', 'answer']);
    assert.match(patch.stdout, /^\+good$/m);
    const refused = await runCli(home, ['cleanup', 'answer']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not merged into main.*switchboard merge answer/s);
    const merged = await runCli(home, ['merge', 'answer']);
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, /^merged switchboard\/run\/answer into main as [0-9a-f]{12} \(1 file\(s\)\)$/m);
    assert.equal(fs.readFileSync(path.join(repo, 'answer.txt'), 'utf8'), 'good\n');
    const cleaned = await runCli(home, ['cleanup', 'answer', '--format', 'json']);
    assert.deepEqual(json<{ removed_folder: boolean; deleted_branch: boolean }>(cleaned.stdout), { run: run.id, name: 'answer', folder: run.worktree.folder, branch: 'switchboard/run/answer', removed_folder: true, deleted_branch: false, already_removed: false });
    assert.equal(fs.existsSync(run.worktree.folder), false);

    const custom = await runCli(home, ['run', 'custom', 'x', '--command', 'echo {prompt}', '--model', 'm']);
    assert.deepEqual([custom.code, /The custom runner takes no model/.test(custom.stderr)], [1, true]);
    const outside = await runCli(home, ['run', 'claude', 'x', '--worktree', '--cwd', tempDir('sb-plain-')]);
    assert.deepEqual([outside.code, /is not in a git repository, so a run there cannot have a worktree of its own/.test(outside.stderr)], [1, true]);
    const noWorktree = await runCli(home, ['diff', 'nothing-here']);
    assert.deepEqual([noWorktree.code, /No run is called "nothing-here"/.test(noWorktree.stderr)], [1, true]);
  });

  it('compare runs two agents at once in their own worktrees, gates each, and prints the table; the chosen one merges', async () => {
    const result = await runCli(home, ['compare', 'Write the answer', '--runners', 'claude,codex', '--models', 'claude-sonnet-4-5', '--gate', 'check=node check.mjs', '--cwd', repo, '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const table = json<{ id: string; status: string; gates: { name: string }[]; entries: Entry[] }>(result.stdout);
    assert.equal(table.status, 'done');
    assert.match(table.id, /^cmp-\d{8}-[a-z0-9]{6}$/);
    const [claude, codex] = table.entries;
    assert.deepEqual([claude!.runner, claude!.model, claude!.status, claude!.gates?.passed, claude!.files, claude!.insertions], ['claude', 'claude-sonnet-4-5', 'done', true, 1, 1]);
    assert.deepEqual([codex!.runner, codex!.model, codex!.status, codex!.gates?.passed, codex!.gates?.results[0]?.exit_code, codex!.files], ['codex', 'gpt-5', 'done', false, 1, 2]);
    assert.match(result.stderr, /running the gates \(check\) in the worktree of each run that is done/);
    assert.equal(fs.existsSync(path.join(repo, 'answer.txt')), false, 'the folder is untouched until a merge');

    const merged = await runCli(home, ['merge', claude!.name]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.equal(fs.readFileSync(path.join(repo, 'answer.txt'), 'utf8'), 'good\n');
    assert.match(gitIn(repo, 'log', '-1', '--format=%s'), /^Merge run claude-1/);

    const text = await runCli(home, ['compare', 'show', table.id]);
    assert.match(text.stdout, /^RUNNER +MODEL +STATUS +TIME +TOKENS +COST +GATES +FILES +DIFF +RUN$/m);
    assert.match(text.stdout, /^claude +claude-sonnet-4-5 +done .* pass +1 +\+1 -0 +claude-1$/m);
    assert.match(text.stdout, /^codex +gpt-5 +done .* FAIL: check +2 +\+2 -0 +codex-1$/m);
    const md = await runCli(home, ['compare', 'show', table.id, '--format', 'md']);
    assert.match(md.stdout, /^\| claude \| claude-sonnet-4-5 \| done \|/m);
    const listed = json<{ count: number; compares: { id: string }[] }>((await runCli(home, ['compare', 'list', '--format', 'json'])).stdout);
    assert.deepEqual([listed.count, listed.compares[0]!.id], [1, table.id]);
    for (const args of [['compare', 'x'], ['compare', '--runners', 'claude'], ['compare', 'show']]) assert.equal((await runCli(home, args)).code, 2, args.join(' '));
    const tooMany = await runCli(home, ['compare', 'x', '--runners', 'claude', '--models', 'a,b', '--cwd', repo]);
    assert.deepEqual([tooMany.code, /2 models for 1 runners/.test(tooMany.stderr)], [1, true]);
    const unknown = await runCli(home, ['compare', 'show', 'cmp-20200101-aaaaaa']);
    assert.deepEqual([unknown.code, /There is no comparison cmp-20200101-aaaaaa/.test(unknown.stderr)], [1, true]);
  });

  it('models lists the configured model first, then the price table', async () => {
    const result = await runCli(home, ['models', 'codex', '--format', 'json']);
    const models = json<{ runners: { runner: string; models: { model: string; configured: boolean }[] }[] }>(result.stdout).runners[0]!.models;
    assert.deepEqual(models[0], { model: 'gpt-5', configured: true, input_per_mtok: 1.25, output_per_mtok: 10 });
    assert.ok(models.some((m) => m.model === 'gpt-5-mini' && !m.configured));
    const custom = (await runCli(home, ['models', 'custom'])).stdout;
    assert.match(custom, /custom +\(none: its command says\)/);
    assert.doesNotMatch(custom, /--model/, 'the custom runner refuses --model: no hint to pass one');
  });
});
