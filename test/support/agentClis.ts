/** Where the pinned real agent CLIs are (installed by scripts/installAgentClis.mjs), and how to run each offline. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './harness';
import { startAnthropicProvider, prepareClaudeEnv } from './providers/anthropic';
import { startOpenAIResponsesProvider, prepareCodexEnv } from './providers/openaiResponses';
import { startGeminiProvider, prepareGeminiEnv } from './providers/gemini';
import { startOpenAIChatProvider, prepareQwenEnv } from './providers/openaiChat';
import type { Script, ScriptedProvider } from './providers/types';

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
};

/** Starts the runner's scripted provider and prepares an isolated HOME that points the real CLI at it. */
export async function offlineCli(runner: string, home: string, script: Script): Promise<OfflineCli> {
  const { start, prepare } = STARTERS[runner]!;
  const provider = await start(script);
  const env = await prepare({ home, providerUrl: provider.url });
  return { provider, env };
}
