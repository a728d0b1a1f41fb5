/** `switchboard models [runner]`: the models known for each runner (its configured one, and the price table's), for `run --model`. */
import { parseArgs } from 'node:util';
import { knownModels } from '../../core/runners/models';
import { getRunner, RUNNER_IDS } from '../../core/runners/runnerTable';
import type { CliContext } from '../context';
import { loadConfigFile } from '../../core/config';
import { printJson, table, usageError } from '../output';

export async function modelsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  if (positionals.length > 1) throw usageError('models', `one runner at a time, not ${positionals.length}`);
  const runners = positionals.length ? [getRunner(positionals[0]!).id] : RUNNER_IDS.filter((r) => r !== 'custom');
  const { config, warning } = loadConfigFile(ctx.stateDir);
  if (warning) ctx.out.stderr(`switchboard: ${warning}`);
  const found = runners.map((runner) => ({ runner, models: knownModels(runner, config) }));
  if (ctx.out.format === 'json') {
    printJson(ctx.out, { runners: found.map(({ runner, models }) => ({ runner, models: models.map((m) => ({ model: m.model, configured: m.configured, ...(m.price ? { input_per_mtok: m.price.inputPerMTok, output_per_mtok: m.price.outputPerMTok } : {}) })) })) });
    return 0;
  }
  const rows = found.flatMap(({ runner, models }) =>
    models.length ? models.map((m) => [runner, m.model, m.configured ? 'configured' : 'price table', m.price ? `$${m.price.inputPerMTok} / $${m.price.outputPerMTok}` : '']) : [[runner, runner === 'custom' ? '(none: its command says)' : "(the CLI's own default)", '', '']],
  );
  // The custom runner takes no --model (its command says): the hint is for the others only.
  const hint = runners.some((r) => r !== 'custom') ? '\nAny other model name the CLI knows works too: switchboard run <runner> "<prompt>" --model <model>.' : '';
  ctx.out.stdout(`${table(['RUNNER', 'MODEL', 'FROM', 'PER M TOKENS IN / OUT'], rows)}${hint}`);
  return 0;
}
