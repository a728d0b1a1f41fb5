/**
 * A Switchboard that gives the agents it starts its own MCP server, over one real CLI against its
 * scripted provider, and what tests of that check: the agent's model got list_agents' answer with its
 * own run in it, and the token is in no file of the state folder but the server's own.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mergeConfig, type SwitchboardConfig } from '../../src/core/config';
import type { RunRecord } from '../../src/core/runs/types';
import { Switchboard } from '../../src/core/switchboard';
import { tokenFile } from '../../src/http/credentials';
import { McpService } from '../../src/mcp/mcpService';
import { agentCliBinary, offlineCli, type OfflineCli } from './agentClis';
import type { ProviderRequestInfo, Script } from './providers/types';
import { makeRepo } from './gitRepo';
import { createHarness, SUPERVISOR, tempDir, until, type Harness } from './harness';

/** What the tools answered, as this request hands it to the model: Gemini's function responses, Chat Completions' tool messages. */
function toolAnswers(request: ProviderRequestInfo): string[] {
  const body = request.body as { contents?: { parts?: { functionResponse?: unknown }[] }[]; messages?: { role?: string; content?: unknown }[] };
  const gemini = (body.contents ?? []).flatMap((c) => (c.parts ?? []).flatMap((p) => (p.functionResponse === undefined ? [] : [JSON.stringify(p.functionResponse)])));
  const chat = (body.messages ?? []).flatMap((m) => (m.role === 'tool' ? [JSON.stringify(m.content)] : []));
  return [...gemini, ...chat];
}

/** The names of the tools a Chat Completions request offers the model. */
export const offeredTools = (request: ProviderRequestInfo): string[] => ((request.body as { tools?: { function?: { name?: string } }[] }).tools ?? []).flatMap((t) => (t.function?.name ? [t.function.name] : []));

/** What a scout reports (`report_discovery`'s input). */
export const DISCOVERY = { title: 'The limits config is missing', description: 'api/limits.ts reads RATE_LIMIT, which nothing sets.' };

/** The config of a team whose scouts run on `runner`. */
export const scoutTeam = (runner: string): Partial<SwitchboardConfig> => ({ teams: { copyFiles: [], maxAttempts: 1, roles: { scout: { runner, preamble: 'You are a scout in a team of coding agents.' } } } });

/** Runs team `alpha` of one scout on task T1 to its end: the scout's run, its task done. */
export async function scoutRun(sb: Switchboard): Promise<RunRecord> {
  const teams = sb.teams;
  await teams.run({ name: 'alpha', spec: '1:scout', task: 'Harden the API', workspace: makeRepo(), tasks: [{ id: 'T1', title: 'Look at the API limits', role: 'scout' }] });
  await until(() => ['done', 'failed'].includes(teams.get('alpha').tasks[0]!.status), 200_000, 'T1 to end');
  const t1 = teams.get('alpha').tasks[0]!;
  const run = sb.runs.resolve(t1.runId!);
  assert.equal(t1.status, 'done', `${run.lastError ?? ''} ${JSON.stringify(sb.runs.events(run.id).slice(-6))}`);
  return run;
}

/** The scout's DISCOVERY was filed as its run's, under its task and team (the server knew the run from its header). */
export function assertReportedAsRun(sb: Switchboard, run: RunRecord): void {
  const [found] = sb.discoveries.list({ team: 'alpha' });
  assert.ok(found, 'a discovery was recorded');
  assert.deepEqual([found.title, found.sourceRun, found.sourceTaskId, found.team, found.via], [DISCOVERY.title, run.id, 'T1', 'alpha', 'mcp'], 'filed as the calling run\'s, under its task and team');
}

export interface AgentMcpSuite {
  /** The test's state folder. */
  stateDir(): string;
  /**
   * The real CLI against its scripted provider, and a Switchboard over the test's state folder opened as
   * the extension and the CLI open it: agents that take an MCP server get this one (at normal priority,
   * as in agentClis.ts). `config.runners[runner]` is kept, its binary the pinned CLI.
   */
  served(runner: string, script: Script, config?: Partial<SwitchboardConfig>): Promise<{ sb: Switchboard; token: string; url: string }>;
  /** What list_agents answered the run's model: its own run in it, by id, running. */
  assertListedItself(run: RunRecord): void;
  /** The token is on no command line and in no file of the state folder but its own. */
  assertTokenKept(run: RunRecord, token: string): void;
}

/** Registers mocha hooks that give each test a fresh state folder and close its Switchboard, MCP server and provider after it. */
export function agentMcpSuite(): AgentMcpSuite {
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
    [cli, service, sb] = [undefined, undefined, undefined];
  });
  return {
    stateDir: () => h.stateDir,
    async served(runner, script, config = {}) {
      cli = await offlineCli(runner, tempDir(`sb-agentmcp-${runner}-home-`), script);
      const runners = { ...config.runners, [runner]: { ...config.runners?.[runner], binary: agentCliBinary(runner) } };
      sb = await Switchboard.open({
        stateDir: h.stateDir,
        config: mergeConfig({ agentNiceness: 0, ...config, runners }),
        supervisorScript: SUPERVISOR,
        env: { ...process.env, ...cli.env },
        agentMcp: async () => ({ url: (await service!.startHttp()).url, token: service!.token() }),
      });
      service = new McpService({ switchboard: sb, logger: { trace() {}, info() {}, warn() {}, error: (m) => console.error(m) }, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => h.stateDir, guard: () => {} });
      return { sb, token: service.token(), url: (await service.startHttp()).url };
    },
    assertListedItself(run) {
      const answers = cli!.provider.requests.flatMap(toolAnswers);
      const listed = answers.find((a) => a.includes('"count'));
      assert.ok(listed, `the model got list_agents' answer (${answers.length} tool answers: ${answers.join(' | ').slice(0, 400)})`);
      assert.ok(listed.includes(run.id), `list_agents' answer lists the calling run by id: ${listed.slice(0, 600)}`);
      assert.match(listed, /\\"status\\":\\"running\\"/, 'as running');
    },
    assertTokenKept(run, token) {
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
    },
  };
}
