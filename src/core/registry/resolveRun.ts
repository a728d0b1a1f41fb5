/** Finds the run a person or an agent meant: an id, a name, or a unique id prefix. */
import { SwitchboardError } from '../errors';
import type { RunBrief } from '../runs/runBrief';

const describe = (r: RunBrief): string => `${r.id} (${r.name}, ${r.status})`;

/** How many candidates an ambiguous prefix names in its message (the details have them all): a one-letter prefix of ten thousand runs matches hundreds. */
const NAMED_CANDIDATES = 10;

/** Over whole records or briefs alike (what it looks at is in both). */
export function resolveRun<T extends RunBrief>(runs: readonly T[], query: string): T {
  const q = query.trim();
  if (!q) throw new SwitchboardError('invalid_argument', 'No run was named.', 'Give a run id, a name or an id prefix.');
  const byId = runs.find((r) => r.id === q);
  if (byId) return byId;
  const named = runs.filter((r) => r.name === q);
  if (named.length === 1) return named[0]!;
  if (named.length > 1) {
    // One name can be reused over time: the one running wins, else the newest.
    const running = named.filter((r) => r.status === 'running' || r.status === 'queued');
    if (running.length === 1) return running[0]!;
    return [...(running.length > 0 ? running : named)].sort((a, b) => b.createdAt - a.createdAt)[0]!;
  }
  const prefixed = runs.filter((r) => r.id.startsWith(q));
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length > 1) {
    const named = prefixed.slice(0, NAMED_CANDIDATES).map(describe).join(', ');
    const more = prefixed.length > NAMED_CANDIDATES ? ` and ${prefixed.length - NAMED_CANDIDATES} more` : '';
    throw new SwitchboardError('ambiguous_run', `"${q}" matches ${prefixed.length} runs: ${named}${more}.`, 'Give more of the id.', {
      candidates: prefixed.map((r) => ({ id: r.id, name: r.name, status: r.status })),
    });
  }
  throw new SwitchboardError('unknown_run', `No run is called "${q}".`, 'List the runs with `switchboard list` (or list_agents).');
}
