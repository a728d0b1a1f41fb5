/**
 * MCP round trips with 1,000 runs in the registry: `get_agent_status` and `list_agents` over stdio
 * and HTTP (the built CLI's server, in its own process, as a client would reach it) beside a bare
 * SDK echo tool on the same transport; 50 concurrent HTTP clients x 200 calls; the server's memory
 * over 10,000 calls. `MCP_BENCH=list` measures only list_agents (stdio and HTTP), `MCP_BENCH=memory`
 * only the memory over 10,000 HTTP calls. With limit 1000 it also prints the CPU time each side spent
 * per call (server from /proc, client: this process), which the machine's load does not skew as it
 * does wall times. Each client lists the tools first, as MCP clients do: the SDK's client then checks
 * every answer against its tool's output schema, as theirs would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { claimRunDir } from '../src/core/registry/launch';
import { StateMap } from '../src/core/state/stateMap';
import { writeRecord } from '../src/core/runs/recordFile';
import { readEndpoint } from '../src/http/credentials';
import { ROOT, runBench, tempDir } from './support';

const RUNS = 1000;
const CALLS = 1000;
/** `node --import tsx bench/mcp.ts [cli.js]`: another cli.js measures a baseline build. */
const CLI = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist', 'cli.js'));
const ECHO = path.join(ROOT, 'bench', 'echoServer.mjs');
/** Which part to run: every one unless MCP_BENCH says `list` or `memory`. */
const ONLY = process.env.MCP_BENCH;
const part = (name: 'list' | 'memory'): boolean => !ONLY || ONLY === name;
const children: ChildProcess[] = [];

function seedRuns(stateDir: string): string[] {
  const ids: string[] = [];
  const now = Date.now();
  for (let i = 0; i < RUNS; i++) {
    const id = claimRunDir(stateDir);
    ids.push(id);
    writeRecord(new StateMap(stateDir).run(id), {
      version: 1, id, name: `seeded-${i}`, runner: i % 2 ? 'claude' : 'custom', commandLine: ['claude', '-p'], cwd: ROOT, prompt: `task number ${i}`,
      status: 'done', createdAt: now - i * 1000, startedAt: now - i * 1000, endedAt: now - i * 1000 + 500, exitCode: 0, sessionId: `session-${i}`,
      usage: { inputTokens: 1200, outputTokens: 300, usd: 0.01, usdSource: 'reported' }, links: {}, outputBytes: 0, eventCount: 0,
    }, { durable: false });
  }
  return ids;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const ms = (v: number): string => `${v.toFixed(2)} ms`;

async function timeCalls(client: Client, calls: number, call: () => Promise<unknown>): Promise<{ p50: number; p99: number; errors: number }> {
  const times: number[] = [];
  let errors = 0;
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    const result = (await call().catch(() => ({ isError: true }))) as { isError?: boolean };
    times.push(performance.now() - start);
    if (result.isError) errors++;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), errors };
}

/** CPU time a process has had so far, in ms (/proc/<pid>/schedstat: nanoseconds on a CPU), unlike wall time steady under load. */
const cpuMs = (pid: number): number => Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
const ownCpuMs = (): number => ((u) => (u.user + u.system) / 1000)(process.cpuUsage());

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function stdioClient(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ client: Client; pid: number }> {
  const transport = new StdioClientTransport({ command, args, env: env as Record<string, string>, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(transport);
  await client.listTools();
  return { client, pid: transport.pid! };
}

async function httpClient(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {} }));
  await client.listTools();
  return client;
}

/** Starts a server process and resolves when `ready` finds what it needs in its output or state. */
function startServer(args: string[], env: NodeJS.ProcessEnv, ready: (stdout: string) => string | undefined): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const url = ready(out);
      if (url) {
        clearInterval(timer);
        resolve({ child, url });
      }
    };
    const timer = setInterval(check, 50);
    child.stdout!.on('data', (d) => ((out += d), check()));
    child.once('exit', (code) => (clearInterval(timer), reject(new Error(`server exited with ${code}`))));
  });
}

/**
 * The SDK client warns about abort listeners past 1,500 on its transport's one AbortSignal: undici's fetch
 * takes a request's listener off it only once the request is collected (a full collection, all of them
 * then), so a client that makes little garbage per call, or many clients in one process, cross it. Counted, not printed.
 */
let clientWarnings = 0;
process.removeAllListeners('warning');
process.on('warning', (w) => (w.name === 'MaxListenersExceededWarning' ? clientWarnings++ : console.warn(w)));

runBench(async () => {
  const stateDir = tempDir('sb-bench-mcp-');
  const ids = seedRuns(stateDir);
  const env = { ...process.env, SWITCHBOARD_HOME: stateDir };
  const target = ids[RUNS / 2]!;
  const lines: string[] = [];
  try {
    const ours = async (label: string, client: Client, serverPid: number): Promise<void> => {
      await timeCalls(client, 100, () => client.callTool({ name: 'get_agent_status', arguments: { id: target } }));
      const status = ONLY ? undefined : await timeCalls(client, CALLS, () => client.callTool({ name: 'get_agent_status', arguments: { id: target } }));
      const list = await timeCalls(client, CALLS, () => client.callTool({ name: 'list_agents', arguments: {} }));
      const [server0, client0] = [cpuMs(serverPid), ownCpuMs()];
      const all = await timeCalls(client, 100, () => client.callTool({ name: 'list_agents', arguments: { limit: 1000 } }));
      // The CPU each side spent per call (the bench process is the client): where the time goes, whatever the load.
      const cpu = { server: (cpuMs(serverPid) - server0) / 100, client: (ownCpuMs() - client0) / 100 };
      lines.push(
        `${label}: ${status ? `get_agent_status p50 ${ms(status.p50)} p99 ${ms(status.p99)} | ` : ''}list_agents (first page of 50) p50 ${ms(list.p50)} p99 ${ms(list.p99)}` +
          ` | list_agents limit 1000 p50 ${ms(all.p50)} p99 ${ms(all.p99)} (CPU per call: server ${ms(cpu.server)}, client ${ms(cpu.client)}) | errors ${(status?.errors ?? 0) + list.errors + all.errors}`,
      );
    };
    const echo = async (label: string, client: Client): Promise<void> => {
      await timeCalls(client, 100, () => client.callTool({ name: 'echo', arguments: { text: 'hi' } }));
      const r = await timeCalls(client, CALLS, () => client.callTool({ name: 'echo', arguments: { text: 'hi' } }));
      lines.push(`${label}: echo p50 ${ms(r.p50)} p99 ${ms(r.p99)}`);
    };

    if (part('list')) {
      const stdio = await stdioClient(process.execPath, [CLI, 'mcp', '--stdio'], env);
      await ours(`switchboard stdio (${RUNS} runs)`, stdio.client, stdio.pid);
      await stdio.client.close();
      if (!ONLY) {
        const echoStdio = await stdioClient(process.execPath, [ECHO, 'stdio'], env);
        await echo('bare SDK stdio', echoStdio.client);
        await echoStdio.client.close();
      }
    }

    const server = await startServer([CLI, 'mcp', '--http'], env, () => readEndpoint(stateDir)?.url);
    const token = fs.readFileSync(path.join(stateDir, 'mcp', 'token'), 'utf8').trim();
    const http = await httpClient(server.url, token);
    if (part('list')) await ours(`switchboard HTTP (${RUNS} runs)`, http, server.child.pid!);
    if (!ONLY) {
      const echoServer = await startServer([ECHO, 'http'], env, (out) => /http:\S+/.exec(out)?.[0]);
      const echoHttp = await httpClient(echoServer.url);
      await echo('bare SDK HTTP', echoHttp);
      await echoHttp.close();
    }
    if (part('memory')) await memory(http, server, token);
    await http.close();
    for (const line of lines) console.log(line);
    if (clientWarnings) console.log(`(the SDK client in this bench process warned ${clientWarnings} times about AbortSignal listeners waiting for a collection)`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }

  /** 50 concurrent HTTP clients, then the server's memory over 10,000 calls. */
  async function memory(http: Client, server: { url: string; child: ChildProcess }, token: string): Promise<void> {
    const clients = await Promise.all(Array.from({ length: 50 }, () => httpClient(server.url, token)));
    const started = performance.now();
    const results = await Promise.all(clients.map((c) => timeCalls(c, 200, () => c.callTool({ name: 'get_agent_status', arguments: { id: target } }))));
    const wall = performance.now() - started;
    const errors = results.reduce((n, r) => n + r.errors, 0);
    const p50s = results.map((r) => r.p50).sort((a, b) => a - b);
    lines.push(`50 HTTP clients x 200 get_agent_status: ${(10_000 / (wall / 1000)).toFixed(0)} calls/s | per-client p50 median ${ms(percentile(p50s, 50))} | errors ${errors}`);
    await Promise.all(clients.map((c) => c.close()));

    // The 50 clients' sessions stay open on the server (a client's close() does not end its session): the
    // level after warm-up is taken once they are there, and the server's RSS is sampled every 100 calls
    // (so that the highest is not missed between the figures printed every 1,000).
    const before = rssMb(server.child.pid!);
    const samples: number[] = [];
    for (let k = 0; k < 100; k++) {
      await timeCalls(http, 100, () => http.callTool({ name: 'get_agent_status', arguments: { id: target } }));
      samples.push(rssMb(server.child.pid!));
    }
    const after = samples.at(-1)!;
    const sign = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
    lines.push(
      `server rss over 10,000 HTTP calls: ${before.toFixed(1)} MB after warm-up -> ${after.toFixed(1)} MB (${sign(after - before)} MB; highest ${sign(Math.max(...samples) - before)} MB,` +
        ` lowest ${sign(Math.min(...samples) - before)} MB; every 1,000 calls: ${samples.filter((_, i) => i % 10 === 9).map((v) => v.toFixed(0)).join(' ')})`,
    );
  }
});
