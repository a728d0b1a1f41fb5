/**
 * A real Claude Code (the pinned one, installed in the agent image) in a container, against the
 * scripted Anthropic provider on the host (listening on the docker bridge's gateway, the one address
 * of the host the container reaches): a real tool call writes a real file in the mounted worktree,
 * the session and usage are parsed, and the API key never shows unredacted.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHarness, removeTempDirs, tempDir, type Harness } from '../support/harness';
import { bridgeGateway, dockerSetup, removeContainersOf } from '../support/docker';
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
    h = await createHarness({ containers: { image: dockerSetup().image!, network: 'bridge', env: [], files: [] } });
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
});
