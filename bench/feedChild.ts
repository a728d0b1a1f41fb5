/**
 * One process of bench/feed.ts: a `writer` appending changes at a steady rate, or a `follower`
 * following the feed and reporting, as one JSON line on stdout when told to stop (SIGTERM), what it
 * received: counts, order, and the delay from each change being written to it being read.
 */
import { performance } from 'node:perf_hooks';
import { Feed } from '../src/core/feed/feed';
import { Journal } from '../src/core/feed/journal';
import { StateMap } from '../src/core/state/stateMap';

const [role, stateDir, ...rest] = process.argv.slice(2);
const state = new StateMap(stateDir!);
const now = (): number => performance.timeOrigin + performance.now();

if (role === 'writer') {
  const [writer, perSecond, seconds, segmentBytes, keepSealed] = rest.map(Number) as [number, number, number, number?, number?];
  const journal = new Journal(state, { ...(segmentBytes ? { segmentBytes } : {}), ...(keepSealed ? { keepSealed } : {}) });
  const total = perSecond * seconds;
  const start = now();
  let sent = 0;
  const tick = (): void => {
    // Paced against the clock: behind schedule, it catches up; ahead, it waits.
    const due = Math.min(total, Math.floor(((now() - start) / 1000) * perSecond) + 1);
    while (sent < due) journal.append({ type: 'agent.updated', key: `run:w${writer}-${sent % 50}`, entity: { writer, n: sent++, t: now() } });
    if (sent < total) setTimeout(tick, 1);
    else {
      process.stdout.write(JSON.stringify({ writer, sent, failed: journal.failed }) + '\n');
      journal.dispose();
    }
  };
  tick();
} else {
  const feed = new Feed(state);
  const delays: number[] = [];
  const perWriter = new Map<number, number>();
  let received = 0;
  let lastSeq = 0;
  let outOfOrder = 0;
  let gaps = 0;
  let duplicates = 0;
  feed.onDidAppend((event) => {
    const at = now();
    received++;
    if (event.seq === lastSeq) duplicates++;
    else if (event.seq < lastSeq) outOfOrder++;
    else if (lastSeq && event.seq !== lastSeq + 1) gaps++;
    lastSeq = Math.max(lastSeq, event.seq);
    const entity = event.entity as { writer: number; n: number; t: number };
    delays.push(at - entity.t);
    // Each writer's changes must come in the order it wrote them.
    if ((perWriter.get(entity.writer) ?? -1) + 1 !== entity.n) outOfOrder++;
    perWriter.set(entity.writer, entity.n);
  });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    const sorted = delays.sort((a, b) => a - b);
    const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
    const report = { received, lastSeq, outOfOrder, gaps, duplicates, p50: pct(50), p99: pct(99), max: sorted.at(-1) ?? NaN };
    feed.dispose();
    // Exits once the report is written: a pipe takes it in pieces.
    process.stdout.write(JSON.stringify(report) + '\n', () => process.exit(0));
  });
}
