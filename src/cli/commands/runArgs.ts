/** `switchboard run`'s arguments, read one way by the command and by the CLI as it starts (which looks for the run's supervisor host first: runHost.ts). */
import { parseArgs } from 'node:util';
import { NAME_PATTERN, NAME_RULE } from '../../core/git/names';
import { RUNNER_IDS } from '../../core/runners/runnerTable';
import { runLimits } from '../../core/runs/runLimitsInput';
import { usageError } from '../usage';

/** The options, the runner, the prompt and the limits of `run`; throws what is wrong with them. */
export function readRunArgs(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      cwd: { type: 'string' },
      command: { type: 'string' },
      resume: { type: 'string' },
      pool: { type: 'string' },
      backend: { type: 'string' },
      model: { type: 'string' },
      worktree: { type: 'boolean', default: false },
      detach: { type: 'boolean', default: false },
      raw: { type: 'boolean', default: false },
      'max-usd': { type: 'string' },
      'max-tokens': { type: 'string' },
      timeout: { type: 'string' },
    },
  });
  const limits = runLimits({ maxUsd: values['max-usd'], maxTokens: values['max-tokens'], timeout: values.timeout });
  const [runner, ...rest] = positionals;
  if (!runner) throw usageError('run', `which runner? ${RUNNER_IDS.join(', ')}`);
  if (rest.length === 0) throw usageError('run', 'the prompt is missing');
  // As run_agent's `name`: a name typed back as one word, never empty nor the width of the screen.
  if (values.name !== undefined && !NAME_PATTERN.test(values.name)) throw usageError('run', `--name must be ${NAME_RULE}, not ${JSON.stringify(values.name)}`);
  return { values, runner, prompt: rest.join(' '), limits };
}
