/**
 * Team specs: `N:role[:runner][@backend]`, several joined by commas (`3:executor,2:reviewer:codex`,
 * `2:executor:claude@docker`: those workers run in containers). A spec that does not parse is
 * refused with the accepted forms; workers are named `<role>-<n>`.
 */
import { SwitchboardError } from '../errors';
import { RUNNER_IDS } from '../runners/runnerTable';
import type { Role } from './roles';
import { backendName, parseBackend } from '../containers/containerPlan';

export interface WorkerSpec {
  name: string;
  role: string;
  runner: string;
  /** Where its runs go (`docker`, `docker:ctx`, `swarm`); absent: local processes. */
  backend?: string;
}

const MAX_WORKERS = 32;
const FORMS = 'N:role or N:role:runner, each with @backend to run in containers, several joined by commas, e.g. "3:executor", "2:executor,1:reviewer:codex" or "2:executor:claude@docker"';

export function parseTeamSpec(spec: string, roles: Readonly<Record<string, Role>>): WorkerSpec[] {
  const parts = spec.split(',').map((p) => p.trim());
  if (!spec.trim() || parts.some((p) => !p)) throw bad(spec, 'it is empty or has an empty part');
  const workers: WorkerSpec[] = [];
  const counts = new Map<string, number>();
  for (const part of parts) {
    const match = /^(\d+):([a-z][\w-]*)(?::([a-z][\w-]*))?(?:@(\S+))?$/i.exec(part);
    if (!match) throw bad(spec, `"${part}" is not N:role[:runner][@backend]`);
    const [, count, role, runner, backendText] = match as unknown as [string, string, string, string | undefined, string | undefined];
    let backend: string | undefined;
    try {
      backend = backendText && backendText !== 'local' ? backendName(parseBackend(backendText)) : undefined;
    } catch (error) {
      throw bad(spec, (error as Error).message);
    }
    const n = Number(count);
    if (n < 1) throw bad(spec, `"${part}" asks for no workers`);
    const known = roles[role];
    if (!known) throw bad(spec, `there is no role "${role}" (roles: ${Object.keys(roles).join(', ')})`);
    if (runner && !RUNNER_IDS.includes(runner)) throw bad(spec, `there is no runner "${runner}" (runners: ${RUNNER_IDS.join(', ')})`);
    for (let i = 0; i < n; i++) {
      const index = (counts.get(role) ?? 0) + 1;
      counts.set(role, index);
      workers.push({ name: `${role}-${index}`, role, runner: runner ?? known.runner, ...(backend ? { backend } : {}) });
    }
  }
  if (workers.length > MAX_WORKERS) throw bad(spec, `it asks for ${workers.length} workers, more than ${MAX_WORKERS}`);
  return workers;
}

function bad(spec: string, why: string): SwitchboardError {
  return new SwitchboardError('invalid_argument', `The team spec "${spec}" cannot be used: ${why}.`, `Accepted forms: ${FORMS}.`);
}
