/**
 * The live feed across processes: how long a change written in one process takes to reach a
 * follower in another (p50, p99), and whether 1,000 changes a second from 4 writers for 30 s reach
 * 3 followers with none lost, duplicated or out of order. Every writer and follower is its own
 * Node process (bench/feedChild.ts) over one temp state folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { sealedSegments } from '../src/core/feed/segments';
import { StateMap } from '../src/core/state/stateMap';
import { cleanup, ROOT, tempDir } from './support';

interface FollowerReport {
  received: number;
  lastSeq: number;
  outOfOrder: number;
  gaps: number;
  duplicates: number;
  p50: number;
  p99: number;
  max: number;
}

const CHILD = path.join(ROOT, 'bench', 'feedChild.ts');

function child(args: string[]): { proc: ChildProcess; lines: Promise<string[]>; ready: Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  let onReady: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  proc.stdout!.on('data', (d) => {
    text += d;
    if (text.includes('ready\n')) onReady();
  });
  const lines = new Promise<string[]>((resolve) => proc.on('close', () => resolve(text.split('\n').filter((l) => l && l !== 'ready'))));
  return { proc, lines, ready };
}

const ms = (n: number): string => `${n.toFixed(1)} ms`;

/** `journal`: the writers' segment size and sealed parts kept (small ones make them seal and compact under the followers). */
async function scenario(label: string, writers: number, perSecond: number, seconds: number, followers: number, journal: number[] = []): Promise<void> {
  const stateDir = tempDir('sb-bench-feed-');
  const readers = Array.from({ length: followers }, () => child(['follower', stateDir]));
  await Promise.all(readers.map((r) => r.ready));
  const started = Date.now();
  const writing = Array.from({ length: writers }, (_, i) => child(['writer', stateDir, String(i), String(perSecond), String(seconds), ...journal.map(String)]));
  const written = (await Promise.all(writing.map((w) => w.lines))).map((l) => JSON.parse(l[0]!) as { sent: number; failed: number });
  const wall = (Date.now() - started) / 1000;
  const sent = written.reduce((s, w) => s + w.sent, 0);
  const failed = written.reduce((s, w) => s + w.failed, 0);
  // Followers get a moment to read the last changes, then report.
  await new Promise((r) => setTimeout(r, 1000));
  for (const r of readers) r.proc.kill('SIGTERM');
  const reports = (await Promise.all(readers.map((r) => r.lines))).map((l) => JSON.parse(l[0]!) as FollowerReport);
  const parts = sealedSegments(new StateMap(stateDir));
  console.log(`feed ${label}: ${writers} writer process(es) x ${perSecond}/s for ${seconds} s -> ${followers} follower process(es): ${sent} changes written in ${wall.toFixed(1)} s (${Math.round(sent / wall)}/s), ${failed} failed appends, ${parts.length} sealed part(s) left after compaction`);
  reports.forEach((r, i) => {
    const lost = sent - r.received;
    console.log(
      `  follower ${i + 1}: received ${r.received}/${sent} (lost ${lost}), duplicates ${r.duplicates}, out of order ${r.outOfOrder}, seq gaps ${r.gaps}, last seq ${r.lastSeq} | written -> read: p50 ${ms(r.p50)} p99 ${ms(r.p99)} max ${ms(r.max)}`,
    );
  });
}

async function main(): Promise<void> {
  try {
    await scenario('latency', 1, 50, 20, 1);
    await scenario('load', 4, 250, 30, 3);
    await scenario('load, sealing every 64 KiB and compacting beyond 2 parts', 4, 250, 10, 3, [64 * 1024, 2]);
  } finally {
    await cleanup();
  }
}

void main();
