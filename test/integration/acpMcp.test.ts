/**
 * Agents Switchboard starts over ACP get Switchboard's MCP server in their `session/new`, each the
 * REAL CLI (pinned, against its scripted provider). A Gemini CLI worker of a team calls list_agents
 * (the function response its model gets lists its own run, by id) and then report_discovery with only
 * a title and description: the server knows the calling run from the X-Switchboard-Run header, so the
 * discovery is filed under the run's team and task. opencode, Kilo and the Copilot CLI call
 * list_agents the same way. The token reaches an agent only on its stdin: it is in none of the state
 * folder's files and not on the command line.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mergeConfig, type SwitchboardConfig } from '../../src/core/config';
import type { RunRecord } from '../../src/core/runs/types';
import { Switchboard } from '../../src/core/switchboard';
import { tokenFile } from '../../src/http/credentials';
import { McpService } from '../../src/mcp/mcpService';
import { agentCliBinary, offlineCli, type OfflineCli } from '../support/agentClis';
import { makeRepo } from '../support/gitRepo';
import type { ProviderRequestInfo, Script } from '../support/providers/types';
import { createHarness, SUPERVISOR, tempDir, until, type Harness } from '../support/harness';

/** What the tools answered, as this request hands it to the model: Gemini's function responses, Chat Completions' tool messages. */
function toolAnswers(request: ProviderRequestInfo): string[] {
  const body = request.body as { contents?: { parts?: { functionResponse?: unknown }[] }[]; messages?: { role?: string; content?: unknown }[] };
  const gemini = (body.contents ?? []).flatMap((c) => (c.parts ?? []).flatMap((p) => (p.functionResponse === undefined ? [] : [JSON.stringify(p.functionResponse)])));
  const chat = (body.messages ?? []).flatMap((m) => (m.role === 'tool' ? [JSON.stringify(m.content)] : []));
  return [...gemini, ...chat];
}

/** The names of the tools a Chat Completions request offers the model. */
const offeredTools = (request: ProviderRequestInfo): string[] => ((request.body as { tools?: { function?: { name?: string } }[] }).tools ?? []).flatMap((t) => (t.function?.name ? [t.function.name] : []));

describe('agents started over ACP get Switchboard\'s MCP server', function () {
  this.timeout(240_000);
  let h: Harness;
  let cli: OfflineCli | undefined;
  let service: McpService | undefined;
  let sb: Switchboard | undefined;
  beforeEach(async () => (h = await createHarness()));
  afterEach(async () => {
    await service?.dispose();
    sb?.dispose();
    await h.cleanup();
    await cli?.provider.close();
  });

  /**
   * The real CLI against its scripted provider, and a Switchboard over the test's state folder opened as
   * the extension and the CLI open it: agents that take an MCP server get this one (at normal priority,
   * as in agentClis.ts).
   */
  async function served(runner: string, script: Script, config: Partial<SwitchboardConfig> = {}): Promise<{ sb: Switchboard; token: string }> {
    cli = await offlineCli(runner, tempDir(`sb-acpmcp-${runner}-home-`), script);
    sb = await Switchboard.open({
      stateDir: h.stateDir,
      config: mergeConfig({ agentNiceness: 0, ...config, runners: { [runner]: { binary: agentCliBinary(runner), protocol: 'acp' } } }),
      supervisorScript: SUPERVISOR,
      env: { ...process.env, ...cli.env },
      agentMcp: async () => ({ url: (await service!.startHttp()).url, token: service!.token() }),
    });
    service = new McpService({ switchboard: sb, logger: { trace() {}, info() {}, warn() {}, error: (m) => console.error(m) }, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => h.stateDir, guard: () => {} });
    return { sb, token: service.token() };
  }

  /** What list_agents answered the run's model: its own run in it, by id, running. */
  function assertListedItself(run: RunRecord): void {
    const answers = cli!.provider.requests.flatMap(toolAnswers);
    const listed = answers.find((a) => a.includes('"count'));
    assert.ok(listed, `the model got list_agents' answer (${answers.length} tool answers: ${answers.join(' | ').slice(0, 400)})`);
    assert.ok(listed.includes(run.id), `list_agents' answer lists the calling run by id: ${listed.slice(0, 600)}`);
    assert.match(listed, /\\"status\\":\\"running\\"/, 'as running');
  }

  /** The token is on no command line and in no file of the state folder but its own. */
  function assertTokenKept(run: RunRecord, token: string): void {
    assert.ok(!run.commandLine.join(' ').includes(token), 'the token is not on the command line');
    const files = fs.readdirSync(h.stateDir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    // A file may go between the listing and the reading (a record rewritten through a temporary file).
    const holds = (file: string): boolean => {
      try {
        return fs.readFileSync(file, 'latin1').includes(token);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    };
    const holding = files.filter((f) => f !== tokenFile(h.stateDir) && holds(f));
    assert.deepEqual(holding, [], 'no other file of the state folder holds the token (plan, record, events, output)');
  }

  it('a real Gemini CLI in a team lists the agents (its own run among them) and reports a discovery as its run', async () => {
    const { sb, token } = await served('gemini', (r) => {
      if (r.turn === 0) return { kind: 'tool', name: 'mcp_switchboard_list_agents', input: {} };
      if (r.turn === 1) return { kind: 'tool', name: 'mcp_switchboard_report_discovery', input: { title: 'The limits config is missing', description: 'api/limits.ts reads RATE_LIMIT, which nothing sets.' } };
      return { kind: 'text', text: 'T1 is done; I reported what I found.' };
    }, { teams: { copyFiles: [], maxAttempts: 1, roles: { scout: { runner: 'gemini', preamble: 'You are a scout in a team of coding agents.' } } } });
    const teams = sb.teams;
    await teams.run({ name: 'alpha', spec: '1:scout', task: 'Harden the API', workspace: makeRepo(), tasks: [{ id: 'T1', title: 'Look at the API limits', role: 'scout' }] });
    await until(() => ['done', 'failed'].includes(teams.get('alpha').tasks[0]!.status), 200_000, 'T1 to end');

    const t1 = teams.get('alpha').tasks[0]!;
    const run = sb.runs.resolve(t1.runId!);
    assert.equal(t1.status, 'done', `${run.lastError ?? ''} ${JSON.stringify(sb.runs.events(run.id).slice(-6))}`);
    // Gemini CLI stays after its input is closed while the server's event stream is open: it is retired, its work done.
    assert.deepEqual([run.status, run.protocol], ['done', 'acp']);
    assertListedItself(run);

    const [found] = sb.discoveries.list({ team: 'alpha' });
    assert.ok(found, 'a discovery was recorded');
    assert.deepEqual([found.title, found.sourceRun, found.sourceTaskId, found.team, found.via], ['The limits config is missing', run.id, 'T1', 'alpha', 'mcp'], 'filed as the calling run\'s, under its task and team');
    assert.match(run.commandLine.join(' '), /--allowed-tools mcp_switchboard_\*/, 'its Switchboard tools run without asking');
    assertTokenKept(run, token);
  });

  for (const runner of ['opencode', 'kilo', 'copilot']) {
    it(`a real ${runner} CLI over ACP lists the agents, its own run among them`, async () => {
      const { sb, token } = await served(runner, (r) => {
        // opencode's and Kilo's are `switchboard_<tool>`, the Copilot CLI's `switchboard-<tool>` (its own list_agents is another tool).
        const tool = offeredTools(r).find((n) => /^switchboard[-_]list_agents$/.test(n));
        return r.turn === 0 && tool ? { kind: 'tool', name: tool, input: {} } : { kind: 'text', text: 'Listed.' };
      });
      const started = await sb.runs.run({ runner, prompt: 'Which agents are there?', cwd: tempDir(`sb-acpmcp-${runner}-work-`) });
      const { record: run } = await sb.runs.wait(started.id, 100_000);
      assert.deepEqual([run.status, run.protocol], ['done', 'acp'], run.lastError);
      assertListedItself(run);
      assertTokenKept(run, token);
    });
  }
});
