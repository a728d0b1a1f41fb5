/**
 * A week of heavy use: 10,000 finished runs in the state folder. Prints how long `switchboard list`
 * takes (a CLI process from start to exit) the first time (no record cache) and after (the cache
 * of finished records), and how long opening the state folder takes in-process (what the extension
 * does on activation) and then building the Agents view's rows as its getChildren and getTreeItem
 * do (with the few vscode classes a row uses stubbed: VS Code's own drawing is not counted); each
 * beside its baseline in the same run (`node -e 0`, `list` over an empty folder). `list_agents`
 * with limit 1000 is measured by bench/mcp.ts.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mergeConfig } from '../src/core/config';
import { StateMap } from '../src/core/state/stateMap';
import { Switchboard } from '../src/core/switchboard';
import { recentRuns } from '../src/core/registry/registry';
import { fillHistory, RUNS } from '../test/support/finishedRuns';
import { childrenCpuMs, median, ROOT, runBench, SUPERVISOR, tempDir } from './support';

/** `node --import tsx bench/history.ts [cli.js]`: another cli.js measures a baseline build. */
const CLI = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist', 'cli.js'));

/** CPU time (ms) of each process timed, beside its wall time: the machine may be busy with other work. */
const cpuTimes = new Map<string, number[]>();

function timeProcess(args: string[], env: NodeJS.ProcessEnv, label = args.join(' ')): number {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  execFileSync(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const took = performance.now() - start;
  const cpuAfter = childrenCpuMs();
  if (cpuBefore !== undefined && cpuAfter !== undefined) cpuTimes.set(label, [...(cpuTimes.get(label) ?? []), cpuAfter - cpuBefore]);
  return took;
}

const cpu = (label: string): string => (cpuTimes.has(label) ? `, CPU ${median(cpuTimes.get(label)!)} ms` : '');

/** What a row of the Agents view uses of `vscode`, so that runItem.ts loads in plain Node. */
function stubVscode(): void {
  class TreeItem {
    constructor(readonly label: string, readonly collapsibleState: number) {}
  }
  class ThemeIcon {
    constructor(readonly id: string, readonly color?: unknown) {}
  }
  class ThemeColor {
    constructor(readonly id: string) {}
  }
  const vscode = { TreeItem, ThemeIcon, ThemeColor, TreeItemCollapsibleState: { None: 0 }, MarkdownString: class {} };
  const loader = Module as unknown as { _load(request: string, ...rest: unknown[]): unknown };
  const load = loader._load;
  loader._load = function (this: unknown, request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
}

const ms = (v: number): string => `${v.toFixed(v < 10 ? 2 : 0)} ms`;

runBench(async () => {
  const stateDir = tempDir('sb-bench-history-');
  const empty = tempDir('sb-bench-empty-');
  const t = performance.now();
  fillHistory(stateDir);
  console.log(`history: ${RUNS} finished runs written in ${ms(performance.now() - t)}`);

  const nodeBaseline = median([0, 1, 2, 3, 4].map(() => timeProcess(['-e', '0'], {}, 'node')));
  const emptyList = median([0, 1, 2, 3, 4].map(() => timeProcess([CLI, 'list'], { SWITCHBOARD_HOME: empty }, 'empty')));
  fs.rmSync(new StateMap(stateDir).runsCache, { force: true });
  const cold = timeProcess([CLI, 'list'], { SWITCHBOARD_HOME: stateDir }, 'cold');
  const warm = median([0, 1, 2, 3, 4].map(() => timeProcess([CLI, 'list'], { SWITCHBOARD_HOME: stateDir }, 'warm')));
  console.log(
    `history: switchboard list over ${RUNS} runs (${path.relative(ROOT, CLI)}): first ${ms(cold)}${cpu('cold')} (no cache), then ${ms(warm)}${cpu('warm')} (median of 5)` +
      ` | over an empty folder ${ms(emptyList)}${cpu('empty')} | node -e 0 ${ms(nodeBaseline)}${cpu('node')}`,
  );

  stubVscode();
  const { runFingerprint, runTreeItem } = await import('../src/vscode/views/runItem.js');
  const opens: number[] = [];
  const rowTimes: number[] = [];
  let switchboard: Switchboard | undefined;
  for (let i = 0; i < 5; i++) {
    switchboard?.dispose();
    const start = performance.now();
    switchboard = await Switchboard.open({ stateDir, config: mergeConfig({}), supervisorScript: SUPERVISOR });
    const opened = performance.now();
    opens.push(opened - start);
    // The Agents view's first look as AgentsView.getChildren takes it (every run's brief for the order, whole records
    // only of the rows shown above Older Runs, a copy each) and VS Code asking each row (getTreeItem).
    const now = Date.now();
    for (const run of switchboard.runs.wholeOf(recentRuns(switchboard.runs.briefs()).shown).map((r) => ({ ...r }))) {
      runFingerprint(run, now);
      runTreeItem(run, now);
    }
    rowTimes.push(performance.now() - opened);
  }
  console.log(
    `history: opening the state folder in-process (what the extension does on activation): median ${ms(median(opens))}, rows ${switchboard!.runs.briefs().length}` +
      `; then the Agents view's rows (getChildren and every getTreeItem, vscode stubbed): median ${ms(median(rowTimes))}`,
  );

  switchboard!.dispose();
});
