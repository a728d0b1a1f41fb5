/**
 * The HTTP API's event stream under load: `switchboard serve` (the built CLI, its own process)
 * serving 100 Server-Sent Events subscribers in this process while a writer process appends 1,000
 * changes a second to the feed (other figures can be given: see below). Prints how long a change takes from being written to reaching a
 * subscriber (p50, p99, max over every delivery), and whether every subscriber got every change
 * once, in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { cleanup, ROOT, tempDir } from './support';

// `bench/sse.ts [subscribers] [changes a second] [seconds]`: 100, 1,000 and 10 unless given.
const [SUBSCRIBERS = 100, PER_SECOND = 1000, SECONDS = 10] = process.argv.slice(2).map(Number);
const CLI = path.join(ROOT, 'dist', 'cli.js');
const now = (): number => performance.timeOrigin + performance.now();

interface Subscriber {
  received: number;
  lastSeq: number;
  outOfOrder: number;
  duplicates: number;
  abort: AbortController;
  done: Promise<void>;
}

/** Reads one stream, noting each change's delay from the time its writer put in it. */
function subscribe(url: string, token: string, delays: number[]): Subscriber {
  const sub: Subscriber = { received: 0, lastSeq: 0, outOfOrder: 0, duplicates: 0, abort: new AbortController(), done: Promise.resolve() };
  sub.done = (async () => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: sub.abort.signal });
    if (res.status !== 200) throw new Error(`the stream answered ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const at = now();
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (!data) continue;
        const event = JSON.parse(data.slice(6)) as { seq: number; entity: { t: number } };
        if (event.seq === sub.lastSeq) sub.duplicates++;
        else if (event.seq < sub.lastSeq) sub.outOfOrder++;
        sub.lastSeq = Math.max(sub.lastSeq, event.seq);
        sub.received++;
        delays.push(at - event.entity.t);
      }
    }
  })().catch((error: Error) => {
    if (error.name !== 'AbortError') console.log(`  a subscriber failed: ${error.message}`);
  });
  return sub;
}

function started(proc: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let said = '';
    proc.stderr!.on('data', (d) => {
      said += d;
      const match = pattern.exec(said);
      if (match) resolve(match[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`switchboard serve exited (${code}): ${said}`)));
  });
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node esbuild.mjs\` first (npm run bench does).`);
  const home = tempDir('sb-bench-sse-');
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env: { ...process.env, SWITCHBOARD_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const api = await started(server, /the HTTP API at (http:\S+\/api\/v1)/);
    const token = fs.readFileSync(path.join(home, 'mcp', 'token'), 'utf8').trim();
    const delays: number[] = [];
    const subs = Array.from({ length: SUBSCRIBERS }, () => subscribe(`${api}/events?type=agent.updated`, token, delays));
    await new Promise((r) => setTimeout(r, 1000));
    const begun = Date.now();
    const writer = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'feedChild.ts'), 'writer', home, '0', String(PER_SECOND), String(SECONDS)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let report = '';
    writer.stdout!.on('data', (d) => (report += d));
    await new Promise((resolve) => writer.once('close', resolve));
    const wall = (Date.now() - begun) / 1000;
    const { sent, failed } = JSON.parse(report) as { sent: number; failed: number };
    // The subscribers get a moment to read the last changes.
    await new Promise((r) => setTimeout(r, 2000));
    for (const s of subs) s.abort.abort();
    await Promise.all(subs.map((s) => s.done));
    const sorted = delays.sort((a, b) => a - b);
    const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
    const ms = (n: number): string => `${n.toFixed(1)} ms`;
    const complete = subs.filter((s) => s.received === sent).length;
    const lost = subs.reduce((n, s) => n + Math.max(0, sent - s.received), 0);
    console.log(`sse: switchboard serve -> ${SUBSCRIBERS} subscribers of /api/v1/events, 1 writer process x ${PER_SECOND}/s for ${SECONDS} s: ${sent} changes written in ${wall.toFixed(1)} s (${failed} failed appends)`);
    console.log(`  ${complete}/${SUBSCRIBERS} subscribers got all ${sent}; ${lost} deliveries missing, ${subs.reduce((n, s) => n + s.duplicates, 0)} duplicated, ${subs.reduce((n, s) => n + s.outOfOrder, 0)} out of order; ${delays.length} deliveries`);
    console.log(`  delivery lag (written -> parsed by a subscriber): p50 ${ms(pct(50))} p99 ${ms(pct(99))} max ${ms(sorted.at(-1) ?? NaN)}`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => (server.exitCode !== null ? resolve(undefined) : server.once('exit', resolve)));
    await cleanup();
  }
}

void main();
