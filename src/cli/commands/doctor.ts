/** `switchboard doctor`: installed agent CLIs, the state directory, and what to do about what is missing. */
import { loadConfigFile } from '../../core/config';
import { runDoctor } from '../../core/doctor';
import type { CliContext } from '../context';
import { printJson, table } from '../output';

export async function doctorCommand(ctx: CliContext): Promise<number> {
  const { config, warning } = loadConfigFile(ctx.stateDir);
  const report = await runDoctor(ctx.stateDir, config);
  if (ctx.out.format === 'json') {
    printJson(ctx.out, { ...report, ...(warning ? { warnings: [warning] } : {}) });
    return 0;
  }
  const rows = report.runners.map((r) => [r.runner, r.installed ? (r.problem ? 'problem' : 'ok') : 'missing', r.version ?? '', r.path ?? r.binary]);
  ctx.out.stdout(table(['RUNNER', 'STATE', 'VERSION', 'PATH'], rows));
  for (const r of report.runners.filter((r) => r.problem)) ctx.out.stdout(`\n${r.displayName}: ${r.problem}`);
  ctx.out.stdout(`\nstate directory: ${report.stateDir}\nnode: ${report.node} (${report.platform})`);
  if (warning) ctx.out.stdout(`warning: ${warning}`);
  return 0;
}
