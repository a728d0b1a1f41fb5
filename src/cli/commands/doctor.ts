/** `switchboard doctor`: installed agent CLIs, the state directory, and what to do about what is missing. */
import { engineLine } from '../../core/containers/engineCheck';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, loadConfigFile } from '../../core/config';
import { runDoctor } from '../../core/doctor';
import { formatBytes } from '../../core/store/diskSpace';
import { apiUrlOf } from '../../http/api/apiPath';
import { liveEndpoint } from '../../http/credentials';
import type { CliContext } from '../context';
import { printJson, table } from '../output';

export async function doctorCommand(ctx: CliContext, argv: string[]): Promise<number> {
  parseArgs({ args: argv, options: {} });
  let loaded: ReturnType<typeof loadConfigFile> = { config: DEFAULT_CONFIG };
  try {
    loaded = loadConfigFile(ctx.stateDir);
  } catch {
    // An unusable state directory is reported below, with what to do.
  }
  const { config, warning } = loaded;
  const report = await runDoctor(ctx.stateDir, config);
  const mcp = liveEndpoint(ctx.stateDir);
  if (ctx.out.format === 'json') {
    printJson(ctx.out, { ...report, mcpServer: mcp ? { url: mcp.url, apiUrl: apiUrlOf(mcp.url), pid: mcp.server.pid } : null, ...(warning ? { warnings: [warning] } : {}) });
    return 0;
  }
  const rows = report.runners.map((r) => [r.runner, r.installed ? (r.problem ? 'problem' : 'ok') : 'missing', r.version ?? '', r.path ?? r.note ?? r.binary]);
  ctx.out.stdout(table(['RUNNER', 'STATE', 'VERSION', 'PATH'], rows));
  for (const r of report.runners.filter((r) => r.problem)) ctx.out.stdout(`\n${r.displayName}: ${r.problem}`);
  ctx.out.stdout(`\nstate directory: ${report.stateDir}${report.stateDirProblem ? `\n  problem: ${report.stateDirProblem}` : ''}${report.disk ? `\n  free: ${formatBytes(report.disk.freeBytes)} of ${formatBytes(report.disk.totalBytes)}` : ''}\nnode: ${report.node} (${report.platform})`);
  ctx.out.stdout(
    mcp
      ? `mcp server: ${mcp.url} (pid ${mcp.server.pid}); \`switchboard mcp config <client>\` prints what a client needs\nhttp api: ${apiUrlOf(mcp.url)} (same bearer token)`
      : 'mcp server: none serving this state directory over HTTP (VS Code starts one when needed; `switchboard serve` serves it and the HTTP API headless)',
  );
  for (const engine of report.engines) ctx.out.stdout(engineLine(engine));
  if (warning) ctx.out.stdout(`warning: ${warning}`);
  if (report.disk?.warning) ctx.out.stdout(`warning: ${report.disk.warning}`);
  return report.stateDirProblem ? 1 : 0;
}
