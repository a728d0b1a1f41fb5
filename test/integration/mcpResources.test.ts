/**
 * The run list resource with a long history: it holds the runs at work and the newest finished ones
 * (200), says how many there are, and lists as many output resources; older runs' output is still
 * read by its URI.
 */
import * as assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { fillHistory } from '../support/finishedRuns';
import { killEverything, tempDir } from '../support/harness';
import { connectStdio } from '../support/mcpClients';

describe('MCP resources over a long history', function () {
  this.timeout(60_000);
  let stateDir: string;
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close().catch(() => undefined);
    await killEverything(stateDir);
  });

  it('the run list holds the newest 200 runs and the count of all; the output of an older one is read by its URI', async () => {
    stateDir = tempDir('sb-mcp-history-');
    fillHistory(stateDir, 450);
    client = await connectStdio(stateDir);
    const read = await client.readResource({ uri: 'switchboard://agents' });
    const list = JSON.parse(String((read.contents[0] as { text: string }).text)) as { count: number; agents: { name: string }[]; more?: string };
    assert.equal(list.count, 450);
    assert.equal(list.agents.length, 200);
    assert.deepEqual([list.agents[0]!.name, list.agents[199]!.name], ['claude-450', 'claude-251'], 'the newest first');
    assert.equal(list.more, '250 older runs are not here: list_agents with a cursor pages through them all');
    const { resources } = await client.listResources();
    assert.equal(resources.filter((r) => r.uri.endsWith('/output')).length, 200);
    const oldest = await client.readResource({ uri: 'switchboard://agents/bench00000/output' });
    assert.equal(typeof (oldest.contents[0] as { text: string }).text, 'string');
  });
});
