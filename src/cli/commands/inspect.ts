/** `switchboard list`, `status <id>`, `logs <id> [--follow]`, `rm <id>`: looking at runs. */
import { parseArgs } from 'node:util';
import { RUNNER_IDS } from '../../core/runners/runnerTable';
import { RUN_STATUSES, type RunStatus } from '../../core/runs/types';
import type { RunBrief } from '../../core/runs/runBrief';
import { recentRuns } from '../../core/registry/registry';
import type { CliContext } from '../context';
import { printOutput } from '../follow';
import { printJson, table, usageError } from '../output';
import { oneId } from '../usage';
import { RUN_HEADERS, runDetails, runRow } from './describe';
import { readableTail, redactedRun, runRedactor } from '../../ops/runOutput';

export async function listCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { status: { type: 'string' }, runner: { type: 'string' }, all: { type: 'boolean', default: false } } });
  if (values.status && !RUN_STATUSES.includes(values.status as RunStatus)) {
    throw usageError('list', `--status must be one of ${RUN_STATUSES.join(', ')}`);
  }
  if (values.runner && !RUNNER_IDS.includes(values.runner)) throw usageError('list', `--runner must be one of ${RUNNER_IDS.join(', ')}`);
  return ctx.withSwitchboard(async ({ runs: registry }) => {
    const json = ctx.out.format === 'json';
    // Live runs come first, then the finished ones newest first: the older ones are left out of the table unless asked for.
    const shownOf = (runs: RunBrief[]): RunBrief[] => (values.all || json ? runs : recentRuns(runs).shown);
    const filter = { status: values.status as RunStatus | undefined, runner: values.runner };
    // Briefs: the whole records of a large folder are read only for the rows shown.
    let runs = registry.briefs(filter);
    // What is shown is compared with its files (the rest of a large folder is taken from the record index as it is).
    if (registry.verify(shownOf(runs))) runs = registry.briefs(filter);
    if (json) printJson(ctx.out, { version: 1, runs: registry.list(filter).map((r) => redactedRun(registry, r)) });
    else if (!runs.length) ctx.out.stdout(noRuns(filter, registry.briefs().length));
    else {
      const shown = shownOf(runs);
      ctx.out.stdout(table(RUN_HEADERS, registry.wholeOf(shown).map((r) => runRow(redactedRun(registry, r)))));
      const hidden = runs.length - shown.length;
      if (hidden > 0) ctx.out.stdout(`… and ${hidden} older finished run${hidden === 1 ? '' : 's'} (switchboard list --all shows every one)`);
    }
    return 0;
  });
}

/** What `list` says when it has no row to show: no run at all, or none of those there are matches the filters. */
function noRuns(filter: { status?: string; runner?: string }, total: number): string {
  if (!total) return 'No runs yet. Start one with: switchboard run <runner> "<prompt>"';
  const asked = [filter.status && `status ${filter.status}`, filter.runner && `runner ${filter.runner}`].filter(Boolean).join(' and ');
  return `No run has ${asked} (of ${total}; switchboard list shows them all)`;
}

/** The readable lines of output `status` shows. */
const STATUS_TAIL_LINES = 40;

export async function statusCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const id = oneId(positionals, 'status');
  return ctx.withSwitchboard(async ({ runs: registry }) => {
    const found = registry.resolve(id);
    // As every answer gives it: secrets redacted (`logs --raw` has the bytes as printed).
    const redactor = runRedactor(registry, found);
    const run = redactedRun(registry, found, redactor);
    const tail = readableTail(registry, found, STATUS_TAIL_LINES, redactor);
    if (ctx.out.format === 'json') printJson(ctx.out, { ...run, outputTail: tail });
    else ctx.out.stdout(runDetails(run, tail));
    return 0;
  });
}

export async function logsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { follow: { type: 'boolean', short: 'f', default: false }, raw: { type: 'boolean', default: false } },
  });
  const id = oneId(positionals, 'logs');
  return ctx.withSwitchboard(async ({ runs: registry }) => {
    await printOutput(registry, registry.resolve(id), { raw: values.raw, follow: values.follow, json: ctx.out.format === 'json', out: ctx.out });
    return 0;
  });
}

export async function removeCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const id = oneId(positionals, 'rm');
  return ctx.withSwitchboard(async ({ runs: registry }) => {
    const run = registry.remove(id);
    if (ctx.out.format === 'json') printJson(ctx.out, { removed: run.id });
    else ctx.out.stdout(`removed ${run.name} (${run.id}) and its logs`);
    return 0;
  });
}
