/**
 * The real Claude Code and Qwen Code CLIs against scripted providers that answer 429 before they answer:
 * while the CLI retries on its own, the run says `retrying (429, attempt 1 of N)` (in its record, its
 * status text and its MCP summary), and it ends `done`. The retries are capped and kept short through
 * the CLIs' own knobs (Switchboard's `maxRetries` setting, the CLI's own retry delay in the test HOME).
 * And a tool call Claude Code refuses in a headless run is recorded on the run.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatStatus } from '../../src/core/render';
import type { RunRecord } from '../../src/core/runs/types';
import { agentSummary } from '../../src/ops/schemas';
import { agentCliBinary, offlineCli, type OfflineCli } from '../support/agentClis';
import { createHarness, tempDir, until, type Harness } from '../support/harness';
import type { Script } from '../support/providers/types';

describe("agents' own troubles with the real CLIs", function () {
  // Generous: on a busy machine a real CLI can take a minute to answer what takes it two seconds alone.
  this.timeout(300_000);
  let h: Harness;
  let home: string;
  let work: string;
  let cli: OfflineCli | undefined;

  beforeEach(async () => {
    h = await createHarness();
    home = tempDir('sb-troubles-home-');
    work = tempDir('sb-troubles-work-');
  });
  afterEach(async () => {
    await h.cleanup();
    await cli?.provider.close();
    cli = undefined;
  });

  /** Watches a run's record until it ends, keeping each `retrying` it showed while it ran: as its status text says it, and as MCP's get_agent_status does. */
  async function watchRetries(registry: Awaited<ReturnType<Harness['open']>>, id: string): Promise<{ seen: string[]; mcp: string[]; final: RunRecord }> {
    const seen: string[] = [];
    const mcp = new Set<string>();
    let ended = false;
    const ending = registry.wait(id, 240_000).finally(() => (ended = true));
    await until(() => {
      const record = registry.resolve(id);
      if (record.status === 'running' && record.retrying && formatStatus(record) !== seen.at(-1)) seen.push(formatStatus(record));
      const said = agentSummary(record).retrying?.text;
      if (said) mcp.add(said);
      return ended;
    }, 250_000, 'the run to end');
    return { seen, mcp: [...mcp], final: (await ending).record };
  }

  it('Claude Code: 429 twice, then an answer; `retrying (429, attempt 1 of 3)` while it waits, done after', async () => {
    let calls = 0;
    const script: Script = () => (++calls <= 2 ? { kind: 'http_error', status: 429, message: 'slow down' } : { kind: 'text', text: 'Answered after retries.' });
    cli = await offlineCli('claude', home, script);
    const registry = await h.open({ runners: { claude: { binary: agentCliBinary('claude'), maxRetries: 3 } } }, cli.env);
    const run = await registry.run({ runner: 'claude', prompt: 'Say hello', cwd: work });
    const { seen, mcp, final } = await watchRetries(registry, run.id);
    assert.equal(final.status, 'done', final.lastError);
    assert.equal(final.resultText, 'Answered after retries.');
    assert.ok(mcp.includes('retrying (429, attempt 1 of 3)'), `get_agent_status said: ${mcp.join('; ')}`);
    assert.equal(final.retrying, undefined, 'it no longer says it retries');
    assert.ok(seen.includes('running, retrying (429, attempt 1 of 3)'), `seen while the CLI waited: ${seen.join('; ')}`);
    assert.equal(calls, 3);
    assert.deepEqual(registry.events(run.id).filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && [e.status, e.attempt, e.of]), [[429, 1, 3], [429, 2, 3]]);
  });

  it('Qwen Code: a round of 429s, then an answer; `retrying (429, attempt 1 of 2)` while it waits, done after', async () => {
    // Qwen retries each call 7 times on its own, silently (3 requests each: its client's retries are the
    // same maxRetries); only then does it print a rate-limit retry, and wait (retryInitialDelayMs, 60 s by default).
    const silent = 7 * 3;
    let calls = 0;
    const script: Script = () => (++calls <= silent ? { kind: 'http_error', status: 429, message: 'slow down' } : { kind: 'text', text: 'Answered after retries.' });
    cli = await offlineCli('qwen', home, script);
    const settingsFile = path.join(home, '.qwen', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as { model: { generationConfig: Record<string, unknown> } };
    settings.model.generationConfig.retryInitialDelayMs = 2000;
    fs.writeFileSync(settingsFile, JSON.stringify(settings));
    const registry = await h.open({ runners: { qwen: { binary: agentCliBinary('qwen'), maxRetries: 2 } } }, cli.env);
    const run = await registry.run({ runner: 'qwen', prompt: 'Say hello', cwd: work });
    const { seen, final } = await watchRetries(registry, run.id);
    assert.equal(final.status, 'done', final.lastError);
    assert.equal(final.retrying, undefined);
    // Its stdout line (attempt 1 of 2) and its stderr line (the same, with the 429) come apart: both are kept.
    assert.ok(seen.includes('running, retrying (429, attempt 1 of 2)'), `seen while the CLI waited: ${seen.join('; ')}`);
    assert.equal(calls, silent + 1, 'its maxRetries (2, from the setting) was what Switchboard laid over the test HOME (0)');
  });

  it('Claude Code: a tool call its permission mode refuses in a headless run is recorded on the run and shown', async () => {
    const outside = path.join(tempDir('sb-troubles-outside-'), 'made.txt');
    cli = await offlineCli('claude', home, (r) => (r.afterToolResult ? { kind: 'text', text: 'I could not do it.' } : { kind: 'shell', command: `touch ${outside}` }));
    const registry = await h.open({ runners: { claude: { binary: agentCliBinary('claude') } } }, cli.env);
    const run = await registry.run({ runner: 'claude', prompt: 'Make the file', cwd: work });
    const { record } = await registry.wait(run.id, 240_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(fs.existsSync(outside), false);
    assert.deepEqual(record.permissionDenials?.map((d) => [d.tool, d.what]), [['Bash', `touch ${outside}`]]);
    assert.deepEqual(agentSummary(record).permission_denials, [{ tool: 'Bash', what: `touch ${outside}` }]);
  });
});
