/** `switchboard compare "<prompt>" --runners a,b`, `compare list`, `compare show <id>`: one task, several agents, side by side. */
import { parseArgs } from 'node:util';
import type { CompareView } from '../../core/compare/compareRecord';
import { renderCompare, renderCompareList, renderCompareMarkdown } from '../../core/compare/compareText';
import { errorMessage } from '../../core/errors';
import { parseGateOption, type GateSpec } from '../../core/gates/gate';
import { isFinished } from '../../core/runs/types';
import { runLimits } from '../../core/runs/runLimitsInput';
import { toCompareShape } from '../../ops/compareOps';
import type { CliContext } from '../context';
import { printJson, usageError } from '../output';
import { onStopSignals } from '../stopSignals';
import { describeRun } from './describe';

const list = (text: string | undefined): string[] | undefined => (text === undefined ? undefined : text.split(',').map((s) => s.trim()));

function show(ctx: CliContext, view: CompareView): void {
  if (ctx.out.format === 'json') printJson(ctx.out, toCompareShape(view));
  else ctx.out.stdout(ctx.out.format === 'md' ? renderCompareMarkdown(view) : renderCompare(view));
}

export async function compareCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...args] = argv;
  const rest = action === 'list' || action === 'show' ? parseArgs({ args, allowPositionals: true, options: {} }).positionals : [];
  if (action === 'list') {
    if (rest.length) throw usageError('compare list', `unexpected "${rest.join(' ')}"`);
    return ctx.withSwitchboard(async ({ compares }) => {
      const records = compares.list();
      if (ctx.out.format === 'json') printJson(ctx.out, { count: records.length, compares: await Promise.all(records.map(async (r) => toCompareShape(await compares.view(r.id, { diffs: false })))) });
      else ctx.out.stdout(renderCompareList(records));
      return 0;
    });
  }
  if (action === 'show') {
    if (rest.length !== 1) throw usageError('compare show', rest.length ? 'one comparison at a time' : 'which comparison? give its id (switchboard compare list)');
    return ctx.withSwitchboard(async ({ compares }) => (show(ctx, await compares.view(rest[0]!)), 0));
  }
  return start(ctx, argv);
}

async function start(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      runners: { type: 'string' },
      models: { type: 'string' },
      gate: { type: 'string', multiple: true },
      cwd: { type: 'string' },
      command: { type: 'string' },
      setup: { type: 'string' },
      copy: { type: 'string', multiple: true },
      'max-usd': { type: 'string' },
      'max-tokens': { type: 'string' },
      timeout: { type: 'string' },
    },
  });
  const prompt = positionals.join(' ');
  if (!prompt.trim()) throw usageError('compare', 'the prompt is missing');
  if (!values.runners) throw usageError('compare', 'which runners? give --runners claude,codex,…');
  let gates: GateSpec[];
  try {
    gates = (values.gate ?? []).map(parseGateOption);
  } catch (error) {
    throw usageError('compare', errorMessage(error));
  }
  const limits = runLimits({ maxUsd: values['max-usd'], maxTokens: values['max-tokens'], timeout: values.timeout });
  return ctx.withSwitchboard(async ({ compares, runs }) => {
    const record = await compares.start({ prompt, runners: list(values.runners)!, models: list(values.models), gates, cwd: values.cwd, command: values.command, setup: values.setup, copyFiles: values.copy, ...(limits ? { limits } : {}) });
    const mine = new Set(record.entries.flatMap((e) => (e.runId ? [e.runId] : [])));
    ctx.out.stderr(`comparison ${record.id}: ${record.entries.map((e) => (e.name ? `${e.name} (${e.runner}${e.model ? ` ${e.model}` : ''})` : `${e.runner} did not start: ${e.error}`)).join(', ')}; Ctrl-C stops them`);
    const ended = runs.onDidChange(({ run }) => void (isFinished(run.status) && mine.delete(run.id) && ctx.out.stderr(`ended: ${describeRun(run)}`)));
    let verifying = false;
    const moved = compares.onDidChange((r) => {
      if (r.id !== record.id || r.status !== 'verifying' || verifying) return;
      verifying = true;
      if (r.gates.length) ctx.out.stderr(`running the gates (${r.gates.map((g) => g.name).join(', ')}) in the worktree of each run that is done…`);
    });
    const signals = onStopSignals(() => {
      ctx.out.stderr(`stopping comparison ${record.id}…`);
      void compares.cancel(record.id, signals.source());
    });
    try {
      await compares.wait(record.id);
    } finally {
      signals.dispose();
      ended.dispose();
      moved.dispose();
    }
    show(ctx, await compares.view(record.id));
    return signals.exitCode() ?? 0;
  });
}
