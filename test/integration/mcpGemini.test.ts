/**
 * A real Gemini CLI (pinned, against the scripted Gemini provider) as a client of Switchboard's MCP
 * server, set up as `switchboard mcp config gemini` says: the model calls list_agents, and what the
 * CLI hands the model back holds the runs themselves. Gemini CLI gives its model only a tool's text
 * content, never its structured content, so the text carries the answer as JSON.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { clientConfig } from '../../src/mcp/clientConfigs';
import { McpService } from '../../src/mcp/mcpService';
import { agentCliBinary, offlineCli, type OfflineCli } from '../support/agentClis';
import type { ProviderRequestInfo } from '../support/providers/types';
import { createHarness, fakeCommand, tempDir, type Harness } from '../support/harness';

/** The names of the functions the CLI declared to the model in this request. */
function declaredFunctions(request: ProviderRequestInfo): string[] {
  const tools = ((request.body as { tools?: { functionDeclarations?: { name: string }[] }[] }).tools ?? []);
  return tools.flatMap((t) => (t.functionDeclarations ?? []).map((f) => f.name));
}

describe('a real Gemini CLI reads Switchboard through MCP', function () {
  this.timeout(180_000);
  let h: Harness;
  let cli: OfflineCli | undefined;
  let service: McpService | undefined;

  beforeEach(async () => (h = await createHarness()));
  afterEach(async () => {
    await service?.dispose();
    await h.cleanup();
    await cli?.provider.close();
  });

  it('list_agents: the function response its model gets names the runs (id, name, status)', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', name: 'seen-by-gemini', command: fakeCommand() });
    await h.registry.wait(run.id, 30_000);
    service = new McpService({ switchboard: h.switchboard, logger: { trace() {}, info() {}, warn() {}, error: (m) => console.error(m) }, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => undefined, guard: () => {} });
    const { url } = await service.startHttp();

    let listTool = '';
    const home = tempDir('sb-mcp-gemini-home-');
    cli = await offlineCli('gemini', home, (r) => {
      if (r.turn === 0) {
        listTool = declaredFunctions(r).find((n) => n.endsWith('list_agents')) ?? '';
        assert.ok(listTool, `the CLI declared Switchboard's tools: ${declaredFunctions(r).join(', ')}`);
        return { kind: 'tool', name: listTool, input: {} };
      }
      return { kind: 'text', text: 'Listed.' };
    });
    // As `switchboard mcp config gemini` prints it, merged into the CLI's settings.
    const settingsFile = path.join(home, '.gemini', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, ...(JSON.parse(clientConfig('gemini', url, service.token()).text) as object) }));

    const work = tempDir('sb-mcp-gemini-work-');
    await promisify(execFile)(agentCliBinary('gemini'), ['-p', 'Which agents are there?', '--approval-mode', 'yolo', '--skip-trust'], { cwd: work, env: { ...process.env, ...cli.env }, timeout: 120_000 });

    const afterTool = cli.provider.requests.find((r) => r.afterToolResult);
    assert.ok(afterTool, `the model was asked again with the tool's result (${cli.provider.requests.length} requests)`);
    const sent = JSON.stringify(afterTool.body);
    const response = /"functionResponse":(\{.*?"response":\{.*?\}\})/.exec(sent)?.[0] ?? sent;
    assert.match(response, /seen-by-gemini/, `the function response names the run: ${response.slice(0, 600)}`);
    assert.ok(response.includes(run.id), 'and gives its id');
    assert.match(response, /\\"status\\":\\"done\\"/, 'and its status, as the answer\'s JSON says it');
  });
});
