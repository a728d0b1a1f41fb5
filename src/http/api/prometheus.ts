/**
 * `GET /metrics`: the lasting counters and the runs held now in the Prometheus text format (0.0.4),
 * for scrapers (with the bearer token, like every request to the listener).
 */
import type * as http from 'node:http';
import { COUNTER_NAMES, COUNTERS } from '../../core/metrics/counters';
import type { MetricsSnapshot } from '../../ops/metrics';
import type { Mount } from '../loopbackListener';
import { refuseApi } from './apiMount';
import { sendError } from './apiErrors';

export const METRICS_PATH = '/metrics';

/** `total_runs` → `switchboard_runs_total`, as Prometheus names counters. */
export const promName = (counter: string): string => `switchboard_${counter.replace(/^total_/, '')}_total`;

const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export function prometheusText(snapshot: MetricsSnapshot): string {
  const lines: string[] = [];
  for (const name of COUNTER_NAMES) {
    const prom = promName(name);
    lines.push(`# HELP ${prom} ${escapeHelp(COUNTERS[name])}`, `# TYPE ${prom} counter`, `${prom} ${snapshot.metrics[name]}`);
  }
  lines.push('# HELP switchboard_runs Runs the registry holds now, by status', '# TYPE switchboard_runs gauge');
  for (const [status, n] of Object.entries(snapshot.runs)) if (status !== 'total') lines.push(`switchboard_runs{status="${status}"} ${n}`);
  lines.push('# HELP switchboard_metrics_created_seconds When the counters of this state folder began', '# TYPE switchboard_metrics_created_seconds gauge', `switchboard_metrics_created_seconds ${Date.parse(snapshot.metrics.created_at) / 1000}`);
  return `${lines.join('\n')}\n`;
}

export class PrometheusMount implements Mount {
  readonly refuse = refuseApi;

  constructor(private readonly snapshot: () => MetricsSnapshot) {}

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'method_not_allowed', `${METRICS_PATH} answers GET, not ${req.method}.`, `Call GET ${METRICS_PATH} (the Prometheus text format).`, { allow: 'GET' });
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== METRICS_PATH) return refuseApi(res, 404, `Nothing here; the Prometheus metrics are at ${METRICS_PATH}.`);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : prometheusText(this.snapshot()));
  }
}
