/**
 * Records test/fixtures/transcripts/codex/app-server-*.jsonl: Switchboard's app-server client
 * (src/core/runners/codexAppServer.ts) talking to the REAL pinned `codex app-server` against the
 * scripted Responses provider, one JSON line per message either way, `{"dir":"send"|"recv","t","msg"}`,
 * stderr as `{"dir":"stderr","t","line"}`, and what Switchboard asked of the client as `"action"`
 * (`steer`, `interrupt`, `answer`) on the lines it wrote. test/unit/codexAppServer.test.ts replays them.
 *
 *   node --import tsx test/support/recordCodexAppServer.ts [scenario…]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codexAppServerRunner, createAppServerConversation } from '../../src/core/runners/codexAppServer';
import { codexRunner } from '../../src/core/runners/codex';
import type { StartRequest } from '../../src/core/runners/types';
import type { AgentEventBody } from '../../src/core/runs/types';
import { agentCliBinary } from './agentClis';
import { tempDir, removeTempDirs } from './harness';
import { prepareCodexEnv, startOpenAIResponsesProvider } from './providers/openaiResponses';
import type { Script } from './providers/types';

const OUT = path.join(__dirname, '..', 'fixtures', 'transcripts', 'codex');

interface Scenario {
  script(work: string): Script;
  prompt: string;
  hostApprovals?: boolean;
  extraArgs?: string[];
  model?: string;
  /** Continue the session the named scenario recorded (run first, in the same home). */
  resumes?: string;
  /** What Switchboard does on an event: the client call, if any. */
  on?(event: AgentEventBody, act: Act): void;
}
type Act = { steer(message: string): void; interrupt(): void; answer(allow: boolean): void };

const SCENARIOS: Record<string, Scenario> = {
  run: {
    script: (work) => (r) => (r.turn === 0 ? { kind: 'write_file', path: path.join(work, 'hello.txt'), content: 'hello\n' } : { kind: 'text', text: 'I wrote hello.txt.' }),
    prompt: 'Create hello.txt saying hello',
  },
  resume: { script: () => () => ({ kind: 'text', text: 'Goodbye!' }), prompt: 'And now say goodbye', resumes: 'run' },
  steer: {
    script: () => (r) => (r.lastUserText.includes('banana') ? { kind: 'text', text: 'steered: banana' } : r.afterToolResult ? { kind: 'text', text: 'not steered' } : { kind: 'shell', command: 'sleep 3; echo slept' }),
    prompt: 'Sleep a little',
    on: (event, act) => event.type === 'tool_call' && act.steer('then say banana'),
  },
  interrupt: {
    script: () => (r) => (r.afterToolResult ? { kind: 'text', text: 'done' } : { kind: 'shell', command: 'sleep 20; echo never' }),
    prompt: 'Run the sleep command',
    on: (event, act) => event.type === 'tool_call' && setTimeout(() => act.interrupt(), 500),
  },
  approval: {
    script: (work) => (r) => (r.afterToolResult ? { kind: 'text', text: 'all done' } : { kind: 'tool', name: 'exec_command', input: { cmd: `touch ${path.join(work, 'made.txt')}`, sandbox_permissions: 'require_escalated', justification: 'May I touch the file?', yield_time_ms: 30000 } }),
    prompt: 'Touch the file',
    hostApprovals: true,
    on: (event, act) => event.type === 'waiting' && act.answer(true),
  },
  denied: {
    script: (work) => (r) => (r.afterToolResult ? { kind: 'text', text: 'all done' } : { kind: 'tool', name: 'exec_command', input: { cmd: `touch ${path.join(work, 'made.txt')}`, sandbox_permissions: 'require_escalated', justification: 'May I touch the file?', yield_time_ms: 30000 } }),
    prompt: 'Touch the file',
    hostApprovals: true,
    on: (event, act) => event.type === 'waiting' && act.answer(false),
  },
  error: { script: () => () => ({ kind: 'http_error', status: 400, message: 'Invalid model: nope' }), prompt: 'hi' },
  'unknown-model': { script: () => () => ({ kind: 'text', text: 'hi' }), prompt: 'hi', model: 'nope-model' },
  // Codex retries a failed stream on its own when its provider allows it (the tests' config does not): the first call fails.
  retry: {
    script: () => (r) => (r === firstCall(r) ? { kind: 'http_error', status: 500, message: 'overloaded' } : { kind: 'text', text: 'made it' }),
    prompt: 'hi',
    extraArgs: ['-c', 'model_providers.scripted.stream_max_retries=2'],
  },
};
let first: unknown;
const firstCall = <T>(request: T): T => (first ??= request) as T;

async function record(name: string, home: string, sessions: Map<string, string>): Promise<void> {
  const scenario = SCENARIOS[name]!;
  const work = path.join(home, 'work');
  fs.mkdirSync(work, { recursive: true });
  const provider = await startOpenAIResponsesProvider(scenario.script(work));
  const env = await prepareCodexEnv({ home, providerUrl: provider.url });
  const request: StartRequest = { prompt: scenario.prompt, cwd: work, settings: { binary: agentCliBinary('codex'), extraArgs: scenario.extraArgs ?? [], ...(scenario.model ? { model: scenario.model } : {}) }, hostApprovals: scenario.hostApprovals, ...(scenario.resumes ? { resumeSessionId: sessions.get(scenario.resumes) } : {}) };
  const spec = codexAppServerRunner(codexRunner).build(request);
  const conversation = createAppServerConversation(request, scenario.hostApprovals ? 'ask' : 'deny');
  const child = spawn(spec.command, spec.args, { cwd: work, env: { PATH: process.env.PATH!, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const log = (entry: Record<string, unknown>): void => void lines.push(JSON.stringify({ ...entry, t: Date.now() }));
  const write = (out: string[] | undefined, action?: Record<string, unknown>): void => {
    for (const line of out ?? []) {
      log({ dir: 'send', ...action, msg: JSON.parse(line) });
      child.stdin.write(`${line}\n`);
    }
  };
  let waiting: { id: string; tool: string } | undefined;
  const act: Act = {
    steer: (message) => write(conversation.steer!(message), { action: 'steer', arg: message }),
    interrupt: () => write(conversation.interrupt!('i'), { action: 'interrupt' }),
    answer: (allow) => write(conversation.answer!(waiting!, allow), { action: 'answer', arg: allow }),
  };
  const onLine = (dir: 'recv' | 'stderr', line: string): void => {
    if (!line.trim()) return;
    if (dir === 'recv') log({ dir, msg: JSON.parse(line) });
    else log({ dir, line });
    const read = conversation.read(line);
    if (!read) return;
    write(read.replies);
    for (const event of read.events) {
      if (event.type === 'session') sessions.set(name, event.sessionId);
      if (event.type === 'waiting') waiting = event.request;
      scenario.on?.(event, act);
      // As the supervisor does once the turn is over: stdin closes, the app-server exits.
      if (event.type === 'result') child.stdin.end();
    }
  };
  for (const [stream, dir] of [[child.stdout, 'recv'], [child.stderr, 'stderr']] as const) {
    let buffer = '';
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      for (const part of parts) onLine(dir, part);
    });
  }
  write(spec.initialInput);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await new Promise((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  await provider.close();
  // Per-run folders and ids vary from run to run; the transcript keeps them as they were.
  fs.writeFileSync(path.join(OUT, `app-server-${name}.jsonl`), `${lines.join('\n')}\n`);
  console.log(`app-server-${name}.jsonl: ${lines.length} lines`);
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SCENARIOS);
  const home = tempDir('sb-codex-app-server-');
  const sessions = new Map<string, string>();
  try {
    // One home for all: a resumed session is in the CODEX_HOME of the run that made it.
    for (const name of names) await record(name, home, sessions);
  } finally {
    await removeTempDirs();
  }
}

void main();
