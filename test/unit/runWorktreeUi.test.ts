/**
 * What VS Code shows of models, runs in worktrees of their own and comparisons, as data: the model
 * step's choices, a worktree run's tooltip rows and notes, the Run Agent choice, the sides of each
 * changed file in the diff editors, the notification of an ended run, the messages of a refused merge or removal, and
 * a comparison's document with the line of each contender's actions.
 */
import * as assert from 'node:assert/strict';
import type { CompareView } from '../../src/core/compare/compareRecord';
import { mergeConfig } from '../../src/core/config';
import type { RunRecord, RunWorktree } from '../../src/core/runs/types';
import { compareDocument } from '../../src/vscode/compare/compareDocumentText';
import { modelChoices, modelProblem, RUNNER_DEFAULT, TYPE_MODEL } from '../../src/vscode/runs/modelChoices';
import { endedActions, endedMessage } from '../../src/vscode/runs/runEndText';
import { diffPairs, refusalDetail, worktreeNotes, worktreeOfferDetail, worktreeRows } from '../../src/vscode/runs/worktreeText';

const BASE = 'b'.repeat(40);
const worktree = (more: Partial<RunWorktree> = {}): RunWorktree => ({ workspace: '/repo', repo: '/repo', folder: '/state/run-worktrees/abc', branch: 'switchboard/run/codex-1', baseCommit: BASE, baseBranch: 'main', ...more });

describe('the model step', () => {
  it('offers the runner default (its setting, else the CLI\'s), the known models with their prices, then typing one', () => {
    const config = mergeConfig({ runners: { codex: { model: 'gpt-5.5' } } });
    const choices = modelChoices('codex', config);
    assert.deepEqual(choices.map((c) => [c.choice, c.label, c.model]), [['default', RUNNER_DEFAULT, undefined], ['known', 'gpt-5', 'gpt-5'], ['known', 'gpt-5-mini', 'gpt-5-mini'], ['type', TYPE_MODEL, undefined]]);
    assert.equal(choices[0]!.description, 'gpt-5.5');
    assert.equal(choices[1]!.description, '$1.25 in / $10 out per million tokens');
    assert.equal(modelChoices('gemini', mergeConfig({}))[0]!.description, "the CLI's own default");
  });

  it('takes a typed name by the rule every run\'s model follows', () => {
    assert.equal(modelProblem(' claude-sonnet-4-5 '), undefined);
    assert.match(modelProblem('two words') ?? '', /without spaces or control characters/);
    assert.match(modelProblem('') ?? '', /^Give a model name/);
  });
});

describe('a run in a worktree of its own', () => {
  it('shows its branch, its base and the folder it is a worktree of, and says what it does not see and what became of its work', () => {
    assert.deepEqual(worktreeRows(worktree()), [['Branch', 'switchboard/run/codex-1'], ['Base', `main at ${BASE.slice(0, 12)}`], ['Worktree of', '/repo']]);
    assert.deepEqual(worktreeRows(worktree({ baseBranch: undefined }))[1], ['Base', `a detached HEAD at ${BASE.slice(0, 12)}`]);
    assert.deepEqual(worktreeNotes(worktree()), []);
    const [dirty, committed] = worktreeNotes(worktree({ workspaceDirty: true, end: { committedLeftovers: true } }));
    assert.match(dirty!, /uncommitted changes, which the run does not see/);
    assert.match(committed!, /committed for it on its branch/);
    assert.match(worktreeNotes(worktree({ end: { committedLeftovers: false, error: 'disk full' } }))[0]!, /could not be committed \(disk full\); it is still in the worktree/);
  });

  it('offers Run Agent a worktree from the branch and commit, saying when the folder is dirty', () => {
    assert.equal(worktreeOfferDetail({ branch: 'main', head: BASE }, false), `A new branch switchboard/run/<name> from main (${BASE.slice(0, 12)}), to diff, merge or throw away.`);
    assert.match(worktreeOfferDetail({ head: BASE }, true), /^The folder has uncommitted changes: the run will not see them\. A new branch .* from the detached HEAD /);
  });

  it('diffs each file at the base against the branch once it ended, or against its worktree file while it runs', () => {
    const files = [{ status: 'M' as const, path: 'a.txt' }, { status: 'A' as const, path: 'new.txt' }, { status: 'D' as const, path: 'gone.txt' }, { status: 'R' as const, path: 'to.txt', oldPath: 'from.txt' }];
    const ended = diffPairs({ baseCommit: BASE, from: 'branch', folder: '/wt', files }, 'c'.repeat(40));
    assert.deepEqual(ended, [
      { path: 'a.txt', left: { commit: BASE, path: 'a.txt' }, right: { commit: 'c'.repeat(40), path: 'a.txt' } },
      { path: 'new.txt', left: undefined, right: { commit: 'c'.repeat(40), path: 'new.txt' } },
      { path: 'gone.txt', left: { commit: BASE, path: 'gone.txt' }, right: undefined },
      { path: 'to.txt', left: { commit: BASE, path: 'from.txt' }, right: { commit: 'c'.repeat(40), path: 'to.txt' } },
    ]);
    const live = diffPairs({ baseCommit: BASE, from: 'worktree', folder: '/wt', files }, undefined);
    assert.deepEqual(live.map((p) => p.right), [{ file: '/wt/a.txt' }, { file: '/wt/new.txt' }, undefined, { file: '/wt/to.txt' }]);
  });

  it('says where the work of an ended run is, and why a merge or a removal was refused', () => {
    const run = { name: 'codex-1', status: 'done', createdAt: 0, startedAt: 1000, endedAt: 83_000, usage: { inputTokens: 1200, outputTokens: 300, usd: 0.12, usdSource: 'estimated' }, worktree: worktree(), resultText: 'Fixed it.' } as RunRecord;
    assert.equal(endedMessage(run), 'Agent codex-1 finished (1m22s · 1.5k tok · ~$0.12); its work is on branch switchboard/run/codex-1.');
    assert.deepEqual(endedActions(run), ['Open Diff', 'Merge…', 'Show Output']);
    assert.equal(endedMessage({ ...run, status: 'killed' }), 'Agent codex-1 was killed (1m22s · 1.5k tok · ~$0.12); its work is on branch switchboard/run/codex-1.');
    assert.deepEqual(endedActions({ ...run, status: 'killed' }), ['Open Diff', 'Show Output'], 'no merge of a run that did not finish its work');
    const plain = { ...run, worktree: undefined, usage: { inputTokens: 0, outputTokens: 0 } };
    assert.equal(endedMessage(plain), 'Agent codex-1 finished (1m22s): Fixed it.');
    assert.equal(endedMessage({ ...plain, resultText: `${'x'.repeat(250)}\nmore` }), `Agent codex-1 finished (1m22s): ${'x'.repeat(200)}…`);
    assert.equal(endedMessage({ ...plain, status: 'orphaned', resultText: undefined }), 'Agent codex-1 was orphaned (1m22s).');
    assert.deepEqual(endedActions(plain), ['Show Output']);
    assert.equal(refusalDetail({ reason: 'merge_conflict', files: [{ path: 'a.txt', hunks: 1 }, { path: 'b.txt', hunks: 3 }] }), 'Conflicting files:\n  a.txt (1 hunk)\n  b.txt (3 hunks)');
    assert.equal(refusalDetail({ reasons: ['x has 1 commit(s) not merged into main', 'the worktree has uncommitted changes: a.txt'] }), '• x has 1 commit(s) not merged into main\n• the worktree has uncommitted changes: a.txt');
    assert.equal(refusalDetail(undefined), '');
  });
});

describe("a comparison's document", () => {
  const usage = { inputTokens: 100, outputTokens: 20 };
  const view: CompareView = {
    owned: true,
    record: { version: 1, id: 'cmp-20260101-abcdef', prompt: 'Write the\nanswer', workspace: '/repo', status: 'done', gates: [{ name: 'check', command: 'node check.mjs' }], entries: [], createdAt: 0 },
    rows: [
      { runner: 'claude', model: 'claude-sonnet-4-5', name: 'claude-1', runId: 'r1', branch: 'switchboard/run/claude-1', status: 'done', elapsedMs: 2000, usage, files: 1, insertions: 1, deletions: 0, gates: { passed: true, results: [{ name: 'check', passed: true, required: true, exitCode: 0, timedOut: false, durationMs: 2000, log: '/state/compares/x/check.log' }] } },
      { runner: 'codex', name: 'codex-1', runId: 'r2', branch: 'switchboard/run/codex-1', status: 'running', elapsedMs: 1000, usage },
      { runner: 'gemini', status: 'not started', error: 'Gemini CLI is not installed' },
    ],
  };

  it('has the table, then a section per contender whose heading line carries its actions', () => {
    const { text, sections } = compareDocument(view);
    const lines = text.split('\n');
    assert.match(lines[0]!, /^## Comparison cmp-20260101-abcdef done: "Write the\\nanswer"$/);
    assert.ok(lines.includes('| claude | claude-sonnet-4-5 | done | 2s | 120 tok |   | pass | 1 | +1 -0 | claude-1 |'), text);
    assert.match(text, /Each run below has its actions above its heading: \*\*Open Diff\*\*/);
    assert.match(text, /^Prompt: Write the answer$/m);
    assert.deepEqual(sections.map((s) => [lines[s.line], s.runId, s.ended]), [
      ['### claude-1: claude (claude-sonnet-4-5), done', 'r1', true],
      ['### codex-1: codex, running', 'r2', false],
      ['### gemini: not started', undefined, false],
    ]);
    assert.match(text, /^- gate check: passed in 2s; its output: \/state\/compares\/x\/check\.log$/m);
    assert.match(text, /^Branch `switchboard\/run\/codex-1`; changes not counted yet\.\n\nGates: run once every run has ended\.$/m);
    assert.match(text, /^Gemini CLI is not installed$/m);
  });
});
