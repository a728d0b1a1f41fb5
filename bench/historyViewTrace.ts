/**
 * Reads the Chromium traces that `BENCH_TRACE=<dir> node --import tsx bench/historyView.ts ...`
 * writes (one a reload) and says, for each, what the page's main thread spent putting the Agents
 * view's rows in: the task in which the newest run's row entered the page (its wall and CPU time:
 * the CPU time does not stretch when other processes load the machine, the wall time does), and,
 * from the task's CPU samples, the calls it spent its time in: followed down while one call holds
 * most of it (to the workbench's tree renderer), then that call's heaviest calls (minified names,
 * with their place in workbench.js).
 * `node --import tsx bench/historyViewTrace.ts <dir or trace files...>`
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface TraceEvent {
  name?: string;
  ph?: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  id?: string;
  args?: { data?: { startTime?: number; timeDeltas?: number[]; cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] } } };
}
interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; lineNumber: number; columnNumber: number };
}

/** How many of the heaviest calls are listed. */
const TOP = 8;
/** A call holding this share of its caller's time is followed down. */
const MOST = 0.75;
interface Frame {
  ms: number;
  calls: Map<string, Frame>;
}

/** The CPU samples (time, node) of the page's main thread, from the profile the trace carries. */
function samplesOf(events: TraceEvent[], mark: TraceEvent): { nodes: Map<number, ProfileNode>; samples: [number, number][] } {
  const profile = events.find((e) => e.name === 'Profile' && e.pid === mark.pid && e.tid === mark.tid);
  const nodes = new Map<number, ProfileNode>();
  const samples: [number, number][] = [];
  let time = profile?.args?.data?.startTime ?? 0;
  for (const chunk of events.filter((e) => e.name === 'ProfileChunk' && e.pid === mark.pid && e.id === profile?.id)) {
    const data = chunk.args?.data;
    for (const node of data?.cpuProfile?.nodes ?? []) nodes.set(node.id, node);
    (data?.cpuProfile?.samples ?? []).forEach((sample, i) => {
      time += data?.timeDeltas?.[i] ?? 0;
      samples.push([time, sample]);
    });
  }
  return { nodes, samples: samples.sort((a, b) => a[0] - b[0]) };
}

function report(file: string): void {
  const events = (JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const mark = events.find((e) => e.name?.startsWith('sbRow@'));
  if (!mark) return console.log(`${path.basename(file)}: no row mark`);
  // The task the mark was made in: the page notes the row in a MutationObserver callback, in the task that rendered it.
  const task = events.find((e) => e.name === 'RunTask' && e.ph === 'X' && e.pid === mark.pid && e.tid === mark.tid && e.ts <= mark.ts && e.ts + (e.dur ?? 0) >= mark.ts);
  if (!task) return console.log(`${path.basename(file)}: no task holds the row mark`);
  const { nodes, samples } = samplesOf(events, mark);
  // The task's samples as a top-down tree of call frames, each with its inclusive time.
  const root: Frame = { ms: 0, calls: new Map() };
  for (let i = 0; i + 1 < samples.length; i++) {
    const [at, id] = samples[i]!;
    if (at < task.ts || at > task.ts + (task.dur ?? 0)) continue;
    const stack: string[] = [];
    for (let node = nodes.get(id); node; node = node.parent === undefined ? undefined : nodes.get(node.parent)) {
      const { functionName, lineNumber, columnNumber } = node.callFrame;
      if (!['(root)', '(program)', '(idle)'].includes(functionName)) stack.unshift(`${functionName || '(anonymous)'}:${lineNumber}:${columnNumber}`);
    }
    const ms = (samples[i + 1]![0] - at) / 1000;
    root.ms += ms;
    let frame = root;
    for (const name of stack) {
      const next = frame.calls.get(name) ?? { ms: 0, calls: new Map<string, Frame>() };
      frame.calls.set(name, next);
      next.ms += ms;
      frame = next;
    }
  }
  // Down the calls while one call holds most of the time: then what that call spent its time in.
  const path_: string[] = [];
  let frame = root;
  for (;;) {
    const heaviest = [...frame.calls].sort((a, b) => b[1].ms - a[1].ms)[0];
    if (!heaviest || heaviest[1].ms < MOST * frame.ms) break;
    path_.push(heaviest[0]);
    frame = heaviest[1];
  }
  const heaviest = [...frame.calls].sort((a, b) => b[1].ms - a[1].ms).slice(0, TOP).map(([name, f]) => `${f.ms.toFixed(1)} ${name}`);
  console.log(`${path.basename(file)}: the row's task ${((task.dur ?? 0) / 1000).toFixed(1)} ms (CPU ${((task.tdur ?? 0) / 1000).toFixed(1)} ms), ending ${((task.ts + (task.dur ?? 0) - mark.ts) / 1000).toFixed(1)} ms after the row; ${root.ms.toFixed(1)} ms sampled, ${frame.ms.toFixed(1)} ms in ${path_.at(-1) ?? 'the task'}, of which: ${heaviest.join(', ')}`);
}

const files = process.argv.slice(2).flatMap((arg) => (fs.statSync(arg).isDirectory() ? fs.readdirSync(arg).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(arg, f)) : [arg]));
for (const file of files) report(file);
