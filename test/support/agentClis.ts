/** Where the pinned real agent CLIs are (installed by scripts/installAgentClis.mjs), and how to run each offline. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Switchboard } from '../../src/core/switchboard';
import type { RunRegistry } from '../../src/core/registry/registry';
import { createHarness, ROOT, tempDir, until, type Harness } from './harness';
import { treeMembers } from '../../src/core/proc/killTree';
import type { ProcessEntry } from '../../src/core/proc/processTable';
import type { AgentEvent } from '../../src/core/runs/types';
import { startAnthropicProvider, prepareClaudeEnv } from './providers/anthropic';
import { startOpenAIResponsesProvider, prepareCodexEnv } from './providers/openaiResponses';
import { startGeminiProvider, prepareGeminiEnv } from './providers/gemini';
import { startOpenAIChatProvider, prepareQwenEnv, prepareOpencodeEnv, prepareKiloEnv, prepareCopilotEnv, prepareClineEnv } from './providers/openaiChat';
import type { SwitchboardConfig } from '../../src/core/config';
import { protocolFor } from '../../src/core/runners/runnerTable';
import type { Script, ScriptedProvider } from './providers/types';
import { McpService } from '../../src/mcp/mcpService';
import { call, connectHttp } from './mcpClients';

type Pin = { package: string; version: string; bin: string; needsNode24?: boolean };

interface Pins {
  node24: string;
  clis: Record<string, Pin>;
  /** Tools the tests use that are not agents (the MCP Inspector). */
  tools: Record<string, Pin>;
}

const pins = JSON.parse(fs.readFileSync(path.join(ROOT, 'scripts', 'agent-clis.json'), 'utf8')) as Pins;
const cacheRoot = (): string => process.env.SWITCHBOARD_CACHE || path.join(process.env.HOME ?? '', '.cache', 'switchboard');

/** Where a pinned agent CLI (or test tool, e.g. `inspector`) is installed. */
export function agentCliBinary(runner: string): string {
  const cli = (pins.clis[runner] ?? pins.tools[runner])!;
  const bin = path.join(cacheRoot(), 'agent-clis', `${runner}@${cli.version}`, 'node_modules', '.bin', cli.bin);
  if (!fs.existsSync(bin)) throw new Error(`${cli.package}@${cli.version} is not installed at ${bin}: run \`node scripts/installAgentClis.mjs\` (npm test does).`);
  return bin;
}

export interface OfflineCli {
  provider: ScriptedProvider;
  env: Record<string, string>;
}

const STARTERS: Record<string, { start: (s: Script) => Promise<ScriptedProvider>; prepare: (o: { home: string; providerUrl: string }) => Promise<Record<string, string>> }> = {
  claude: { start: startAnthropicProvider, prepare: prepareClaudeEnv },
  codex: { start: startOpenAIResponsesProvider, prepare: prepareCodexEnv },
  gemini: { start: startGeminiProvider, prepare: prepareGeminiEnv },
  qwen: { start: startOpenAIChatProvider, prepare: prepareQwenEnv },
  // These four speak Chat Completions too, each with its own tool names (see ChatToolDialect).
  opencode: { start: (s) => startOpenAIChatProvider(s, 'opencode'), prepare: prepareOpencodeEnv },
  kilo: { start: (s) => startOpenAIChatProvider(s, 'opencode'), prepare: prepareKiloEnv },
  copilot: { start: (s) => startOpenAIChatProvider(s, 'copilot'), prepare: prepareCopilotEnv },
  cline: { start: (s) => startOpenAIChatProvider(s, 'cline'), prepare: prepareClineEnv },
};

/** Starts the runner's scripted provider and prepares an isolated HOME that points the real CLI at it. */
export async function offlineCli(runner: string, home: string, script: Script): Promise<OfflineCli> {
  const { start, prepare } = STARTERS[runner]!;
  const provider = await start(script);
  const env = await prepare({ home, providerUrl: provider.url });
  return { provider, env };
}

/** The config that runs this runner in its one-shot JSON mode where it would speak a live protocol by default (Gemini CLI's ACP, Codex's app-server). */
export function oneShotJson(runner: string): Partial<SwitchboardConfig> {
  const protocol = protocolFor(runner, undefined);
  return protocol && protocol !== 'json' ? { runners: { [runner]: { protocol: 'json' } } } : {};
}

/** What a suite over one real CLI works with; filled afresh before each test. */
export interface RealCliSuite {
  /** The test's folder for the agent to work in. */
  work: string;
  /** Starts the runner's scripted provider on `script` and opens a registry over the real CLI (`extra`: config of this test only). */
  registryFor(script: Script, permissionMode?: string, extra?: Partial<SwitchboardConfig>): Promise<RunRegistry>;
  /** The Switchboard a registry of registryFor belongs to. */
  switchboardOf(registry: RunRegistry): Switchboard;
  /** The provider of the current test (after registryFor). */
  provider(): ScriptedProvider;
  /** The environment that points the CLI at the provider (after registryFor): its isolated HOME and config folders. */
  env(): Record<string, string>;
}

/**
 * Real CLIs run at normal priority in tests: at the lowest (the default, agentNiceness 19) a busy
 * machine's other work leaves them almost no CPU, so that a CLI took a minute to answer its first
 * turn and an interrupt outlived the kill grace time. registry.test.ts proves the priority itself.
 */
const REAL_CLI_PRIORITY = { agentNiceness: 0 } as const;

/** The config.json of a state folder whose CLI commands run the real Claude Code (at normal priority, see REAL_CLI_PRIORITY). */
export function realClaudeConfigFile(): string {
  return JSON.stringify({ version: 1, runners: { claude: { binary: agentCliBinary('claude') } }, ...REAL_CLI_PRIORITY });
}

/**
 * Registers mocha hooks that give each test a fresh harness, work folder and isolated HOME for `runner`, and clean them up.
 * `config` is added to the registry's (e.g. `prices` for runners whose cost is estimated, the runner's `protocol`); the agent runs at normal priority unless it says otherwise.
 */
export function realCliSuite(runner: string, config: Partial<SwitchboardConfig> = {}): RealCliSuite {
  let h: Harness;
  let home: string;
  let cli: OfflineCli | undefined;
  const suite: RealCliSuite = {
    work: '',
    async registryFor(script, permissionMode, extra) {
      cli = await offlineCli(runner, home, script);
      return h.open({ ...REAL_CLI_PRIORITY, ...config, ...extra, runners: { [runner]: { ...config.runners?.[runner], binary: agentCliBinary(runner), permissionMode } } }, cli.env);
    },
    provider: () => cli!.provider,
    env: () => cli!.env,
    switchboardOf: (registry) => h.switchboardOf(registry),
  };
  beforeEach(async () => {
    h = await createHarness();
    suite.work = tempDir(`sb-${runner}-work-`);
    home = tempDir(`sb-${runner}-home-`);
  });
  afterEach(async () => {
    await h.cleanup();
    await cli?.provider.close();
    cli = undefined;
  });
  return suite;
}

/**
 * Allows a run's waiting approval as an MCP client would (`orchestrator`, over HTTP, Switchboard's
 * own MCP server): what `list_agents` said the run waits for, and what `approve_agent` answered.
 */
export async function allowOverMcp(suite: RealCliSuite, registry: RunRegistry, runId: string): Promise<{ waiting?: string; answered: unknown }> {
  const service = new McpService({ switchboard: suite.switchboardOf(registry), logger: { trace() {}, info() {}, warn() {}, error() {} }, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => suite.work, guard: () => {} });
  try {
    const client = await connectHttp((await service.startHttp()).url, service.token(), 'orchestrator');
    const listed = (await call(client, 'list_agents', { status: 'running' })).structuredContent as { agents: { id: string; waiting?: string }[] };
    const answered = (await call(client, 'approve_agent', { id: runId, allow: true })).structuredContent;
    await client.close();
    return { waiting: listed.agents.find((a) => a.id === runId)?.waiting, answered };
  } finally {
    await service.dispose();
  }
}

/** The text an agent's events said, in order. */
export const texts = (events: AgentEvent[]): string[] => events.flatMap((e) => (e.type === 'text' ? [e.text] : []));

/** The command line of a live process (empty once it is gone). */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The agent's process tree once its shell tool runs `sleep` (which some CLIs start in a session of its own). */
export async function treeWithSleep(registry: RunRegistry, id: string): Promise<ProcessEntry[]> {
  let tree: ProcessEntry[] = [];
  await until(() => {
    const agent = registry.resolve(id).agent;
    tree = agent ? treeMembers(agent) : [];
    return tree.some((p) => /(^|\/)sleep 20/.test(commandOf(p.pid)));
  }, 60_000, 'the sleep tool child');
  return tree;
}
