/**
 * `switchboard gates status | reset | detect | run`: verification gates and their circuit breakers,
 * over the state folder alone (no registry is opened).
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../../core/config';
import { errorMessage } from '../../core/errors';
import { Breakers } from '../../core/gates/breakers';
import { detectGates } from '../../core/gates/detectGates';
import { checkGates, parseGateOption, type GateSpec } from '../../core/gates/gate';
import { toBreakersStatus, toDetectedGateShape, toGateResultShape } from '../../core/gates/gateShapes';
import { gatesVerdict, renderBreakers, renderDetected, renderGateResult } from '../../core/gates/gateText';
import { resetGates } from '../../core/gates/resetGates';
import { unheldBlockedGoals, unheldBlockedHints } from '../../core/goals/blockedGoals';
import { runGates } from '../../core/gates/runGates';
import { markdownTable } from '../../core/render';
import type { CliContext } from '../context';
import { applyGateFlags, GATE_FLAGS } from '../gateFlags';
import { printJson, usageError } from '../output';
import { onStopSignals } from '../stopSignals';
import { unknownSubcommand } from '../usage';

const CWD = { cwd: { type: 'string' } } as const;

/** The workspace: --cwd, else the current folder. */
const workspaceOf = (cwd: string | undefined): string => path.resolve(cwd ?? process.cwd());

const warnAll = (ctx: CliContext, warnings: string[]): void => warnings.splice(0).forEach((w) => ctx.out.stderr(`switchboard: ${w}`));

export async function gatesCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const json = ctx.out.format === 'json';
  const md = ctx.out.format === 'md';
  switch (action) {
    case 'status': {
      const workspace = workspaceOf(parseArgs({ args: rest, options: CWD }).values.cwd);
      const breakers = new Breakers(ctx.stateDir, workspace);
      const views = breakers.status();
      warnAll(ctx, breakers.warnings);
      if (json) printJson(ctx.out, toBreakersStatus(views));
      else ctx.out.stdout(renderBreakers(views, workspace, md));
      return 0;
    }
    case 'reset': {
      const { values } = parseArgs({ args: rest, options: { ...CWD, gate: { type: 'string' }, all: { type: 'boolean' } } });
      const workspace = workspaceOf(values.cwd);
      if ((values.gate === undefined) === !values.all) throw usageError('gates reset', values.all ? 'give --gate <name> or --all, not both' : 'which breaker? give --gate <name>, or --all');
      return ctx.withFeed(async (feed) => {
        const breakers = new Breakers(ctx.stateDir, workspace, { feed });
        const answer = await resetGates(breakers, values.gate !== undefined ? { gate: values.gate } : { all: true });
        warnAll(ctx, breakers.warnings);
        if (json) printJson(ctx.out, { reset: answer.reset, breakers: answer.breakers });
        else if (md) ctx.out.stdout(`${answer.summary}\n\n${markdownTable(['gate', 'state'], answer.breakers.map((b) => [b.gate_name, b.state]))}`);
        else ctx.out.stdout(answer.summary);
        if (answer.reset.length) unheldBlockedHints(unheldBlockedGoals(ctx.stateDir, workspace)).forEach((hint) => ctx.out.stderr(hint));
        return 0;
      });
    }
    case 'detect': {
      const workspace = workspaceOf(parseArgs({ args: rest, options: CWD }).values.cwd);
      const gates = detectGates(workspace);
      if (json) printJson(ctx.out, { workspace, gates: gates.map(toDetectedGateShape) });
      else ctx.out.stdout(renderDetected(gates, workspace, md));
      return 0;
    }
    case 'run':
      return run(ctx, rest);
    default:
      throw unknownSubcommand('gates', action);
  }
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw usageError('gates run', `--timeout must be a number of seconds above 0, not "${value}"`);
  return Math.round(seconds * 1000);
}

async function run(ctx: CliContext, rest: string[]): Promise<number> {
  const { values } = parseArgs({ args: rest, options: { ...CWD, gate: { type: 'string', multiple: true }, timeout: { type: 'string' }, ...GATE_FLAGS } });
  const workspace = workspaceOf(values.cwd);
  const timeoutMs = parseTimeout(values.timeout);
  let specs: GateSpec[];
  try {
    specs = (values.gate ?? []).map(parseGateOption);
  } catch (error) {
    throw usageError('gates run', errorMessage(error));
  }
  const { config, warning } = loadConfigFile(ctx.stateDir);
  if (warning) ctx.out.stderr(`switchboard: ${warning}`);
  // None named: the configured ones (goals.gates), else those detected in the workspace.
  if (specs.length === 0) specs = config.goals.gates;
  if (specs.length === 0) {
    specs = detectGates(workspace);
    if (specs.length === 0) throw usageError('gates run', `no gates found in ${workspace}; name them with --gate "name=command" (see switchboard gates detect)`);
  }
  if (timeoutMs) specs = specs.map((s) => ({ ...s, timeoutMs }));
  try {
    checkGates(specs);
  } catch (error) {
    throw usageError('gates run', errorMessage(error));
  }
  specs = applyGateFlags('gates run', specs, values);
  const json = ctx.out.format === 'json';
  const abort = new AbortController();
  const signals = onStopSignals(() => abort.abort());
  try {
    const results = await ctx.withFeed((feed) =>
      runGates(specs, {
        stateDir: ctx.stateDir,
        workspace,
        feed,
        policy: config.gates,
        signal: abort.signal,
        warn: (w) => ctx.out.stderr(`switchboard: ${w}`),
        onResult: (r) => !json && ctx.out.stdout(renderGateResult(r)),
      }),
    );
    const verdict = gatesVerdict(results);
    if (json) printJson(ctx.out, { passed: verdict.ok, gates: results.map(toGateResultShape) });
    else ctx.out.stdout(verdict.text);
    return signals.exitCode() ?? (verdict.ok ? 0 : 1);
  } finally {
    signals.dispose();
  }
}
