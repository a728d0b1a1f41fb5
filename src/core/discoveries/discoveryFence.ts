/**
 * Discoveries told in an agent's own text, for CLIs that have no MCP: a fenced code block whose
 * info string is `switchboard-discovery`, holding one JSON object (or an array of them) with a
 * `title` and a `description`:
 *
 *     ```switchboard-discovery
 *     {"title": "The rate limit config is missing", "description": "api/limits.ts reads RATE_LIMIT, which nothing sets."}
 *     ```
 *
 * Each block is recognised once per run, however often the agent's text repeats it (a CLI's
 * final result repeats its last message). This module imports nothing of the core, so the team can
 * tell its workers about it without a cycle.
 */
import * as crypto from 'node:crypto';

export const DISCOVERY_FENCE = 'switchboard-discovery';

/**
 * What every worker of a team (or goal) is told, after its role's preamble. The fence is described,
 * not shown, so that an agent that echoes its prompt does not report the example.
 */
export const DISCOVERY_NOTE =
  'If you find work that needs doing but is outside your task (a missing config, a bug elsewhere, a test nobody wrote), do not do it: report it as a discovery, and a person decides. ' +
  "Call the report_discovery tool of the switchboard MCP server (title, description) if you have it; otherwise put in your answer a fenced code block whose info string is " +
  `${DISCOVERY_FENCE} holding one JSON object with "title" and "description".`;

export interface FencedDiscovery {
  title: string;
  description: string;
  /** The task it came up in, when the block names one. */
  sourceTaskId?: string;
  /** Tells the same block apart from another, to recognise it once. */
  fingerprint: string;
}

export interface FenceScan {
  found: FencedDiscovery[];
  /** Blocks that were not usable, each with why (logged; the agent cannot be answered). */
  problems: string[];
}

const OPENING = new RegExp(`^ {0,3}(\`{3,}|~{3,})[ \\t]*${DISCOVERY_FENCE}[ \\t]*$`);

/** The contents of every `switchboard-discovery` block in `text` (an unclosed one runs to the end). */
function blocks(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPENING.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
    const body: string[] = [];
    for (i++; i < lines.length && !closing.test(lines[i]!); i++) body.push(lines[i]!);
    out.push(body.join('\n'));
  }
  return out;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

export function fingerprintOf(title: string, description: string): string {
  return crypto.createHash('sha256').update(`${title}\n${description}`).digest('hex').slice(0, 16);
}

/** The discoveries of every block in the texts (an agent's messages, each read on its own), each once, and what was wrong with the others. */
export function scanDiscoveries(texts: string | readonly string[]): FenceScan {
  const found: FencedDiscovery[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const body of (typeof texts === 'string' ? [texts] : texts).flatMap(blocks)) {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch (error) {
      problems.push(`a ${DISCOVERY_FENCE} block is not JSON (${(error as Error).message})`);
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      const record = item !== null && typeof item === 'object' ? (item as Record<string, unknown>) : {};
      const title = text(record.title);
      if (!title) {
        problems.push(`a ${DISCOVERY_FENCE} block has no "title"`);
        continue;
      }
      const description = text(record.description) ?? '';
      const fingerprint = fingerprintOf(title, description);
      if (seen.has(fingerprint)) continue;
      seen.add(fingerprint);
      const sourceTaskId = text(record.source_task_id);
      found.push({ title, description, fingerprint, ...(sourceTaskId ? { sourceTaskId } : {}) });
    }
  }
  return { found, problems };
}
