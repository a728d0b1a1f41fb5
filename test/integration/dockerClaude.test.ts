/**
 * A real Claude Code (the pinned one, installed in the agent image) in a container, against the
 * scripted Anthropic provider on the host (listening on the docker bridge's gateway, the one address
 * of the host the container reaches): a real tool call writes a real file in the mounted worktree,
 * the session and usage are parsed, and the API key never shows unredacted; a run that resumes the
 * session starts in a copy of the home the first run's Claude kept its session in, and carries on the
 * conversation.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHarness, removeTempDirs, tempDir, type Harness } from '../support/harness';
import { bridgeGateway, dockerSetup, removeContainersOf, testContainers } from '../support/docker';
import { prepareClaudeEnv, startAnthropicProvider } from '../support/providers/anthropic';
import type { ScriptedProvider } from '../support/providers/types';
import { StateMap } from '../../src/core/state/stateMap';

describe('real Claude Code in a container', function () {
  this.timeout(240_000);
  let h: Harness;
  let provider: ScriptedProvider | undefined;

  before(function () {
    if (!dockerSetup().ok) this.skip();
  });
  afterEach(async () => {
    await h?.cleanup();
    if (h) await removeContainersOf(h.stateDir);
    await provider?.close();
    await removeTempDirs();
  });

  it('runs a real tool call that writes a file in its mounted worktree, with session, usage and the key redacted', async () => {
    const work = tempDir('sb-docker-claude-');
    const target = path.join(work, 'hello.txt');
    provider = await startAnthropicProvider((r) => (r.turn === 0 ? { kind: 'write_file', path: target, content: 'hello from a container\n' } : { kind: 'text', text: 'I wrote hello.txt.' }), await bridgeGateway());
    // Its settings live in the worktree (mounted at the same path), so the container sees them.
    const env = await prepareClaudeEnv({ home: path.join(work, '.claude-home'), providerUrl: provider.url });
    const { HOME: _home, ...runEnv } = env;
    h = await createHarness({ containers: testContainers() });
    const run = await h.registry.run({ runner: 'claude', prompt: 'Create hello.txt saying hello', cwd: work, backend: 'docker', env: runEnv });
    const { record } = await h.registry.wait(run.id, 180_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(fs.readFileSync(target, 'utf8'), 'hello from a container\n');
    assert.ok(record.sessionId);
    assert.equal(record.usage.inputTokens, 240);
    assert.equal(record.usage.usdSource, 'reported');
    assert.ok(provider.requests.length >= 2);
    const events = fs.readFileSync(new StateMap(h.stateDir).run(run.id).events, 'utf8');
    assert.ok(!events.includes('sk-ant-scripted-test-key'));
    assert.match(record.container?.id ?? '', /^[0-9a-f]{64}$/);
  });

  it('resumes a containerised session: the resumed run gets a copy of the home the session files are in, and the provider sees the earlier conversation', async () => {
    const work = tempDir('sb-docker-claude-resume-');
    provider = await startAnthropicProvider((r) => ({ kind: 'text', text: r.lastUserText.includes('goodbye') ? 'goodbye' : 'hello, I will remember the word pineapple' }), await bridgeGateway());
    // Claude keeps its config and sessions in its home (the run's own, /switchboard/home), not in the worktree.
    const { HOME: _home, CLAUDE_CONFIG_DIR: _config, CLAUDE_CODE_TMPDIR: _tmp, ...runEnv } = await prepareClaudeEnv({ home: path.join(tempDir('sb-claude-unused-'), 'home'), providerUrl: provider.url });
    h = await createHarness({ containers: testContainers() });
    const first = await h.registry.run({ runner: 'claude', prompt: 'Remember the word pineapple', cwd: work, backend: 'docker', env: runEnv });
    const done = (await h.registry.wait(first.id, 180_000)).record;
    assert.equal(done.status, 'done', done.lastError);
    assert.ok(done.sessionId);
    const homeOf = (id: string): string => path.join(new StateMap(h.stateDir).run(id).dir, 'home');
    const sessionFiles = (home: string): string[] => (fs.readdirSync(home, { recursive: true }) as string[]).filter((file) => file.endsWith(`${done.sessionId}.jsonl`));
    assert.equal(sessionFiles(homeOf(first.id)).length, 1, 'the session file is in the first run\'s home');

    const resumed = await h.registry.run({ runner: 'claude', prompt: 'And now say goodbye', cwd: work, backend: 'docker', env: runEnv, resumeSessionId: done.sessionId });
    const after = (await h.registry.wait(resumed.id, 180_000)).record;
    assert.equal(after.status, 'done', after.lastError);
    assert.equal(after.sessionId, done.sessionId);
    const last = provider.requests.at(-1)!;
    assert.ok(last.turn >= 1, `the resumed session carried its history (turn ${last.turn})`);
    assert.ok(JSON.stringify(last.body).includes('Remember the word pineapple'), 'the provider saw the first prompt again');
    assert.ok(last.lastUserText.includes('And now say goodbye'));
    assert.equal(sessionFiles(homeOf(resumed.id)).length, 1, 'the resumed run has its own copy');
    assert.notEqual(homeOf(resumed.id), homeOf(first.id));
  });
});
