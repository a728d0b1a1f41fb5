/**
 * Resources: the run list (`switchboard://agents`) and each run's readable output
 * (`switchboard://agents/{id}/output`), with subscriptions that notify when either changes.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Disposable } from '../core/events';
import { SwitchboardError } from '../core/errors';
import type { McpDeps } from './deps';
import { readableTail } from '../ops/runOutput';
import { listedBrief } from '../ops/agentOps';

export const LIST_URI = 'switchboard://agents';
export const outputUri = (id: string): string => `switchboard://agents/${id}/output`;
const OUTPUT_URI = /^switchboard:\/\/agents\/([^/]+)\/output$/;
/** Notifications for one resource are coalesced to one per this many ms. */
const NOTIFY_MS = 200;
/** The output resource holds at most this many of the last readable lines. */
const OUTPUT_LINES = 2000;
/**
 * The run list resource, and the output resources listed, hold the runs at work and the newest
 * finished ones up to this many: a week of heavy use is 10,000 runs, which list_agents pages through.
 */
const RESOURCE_RUNS = 200;

/** The run a resource's URI names (its id, name or id prefix, percent-encoded). */
function runInUri(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new SwitchboardError('invalid_argument', `"${segment}" in the resource's URI is not valid percent-encoding.`, 'Encode the run\'s id or name as encodeURIComponent does (a % as %25).');
  }
}

export function registerResources(server: McpServer, deps: McpDeps): Disposable {
  const registry = deps.sb.runs;
  const description = `The runs Switchboard knows as list_agents gives them: running first, then the newest, up to ${RESOURCE_RUNS} (\`count\` is how many there are; list_agents pages through them all)`;
  server.registerResource('agents', LIST_URI, { title: 'Agents', description, mimeType: 'application/json' }, async (uri) => {
    const now = Date.now();
    const runs = registry.briefs();
    // Whole records are read for the runs shown only.
    const agents = registry.wholeOf(runs.slice(0, RESOURCE_RUNS)).map((r) => listedBrief(registry, r, now));
    const more = runs.length - agents.length;
    const text = JSON.stringify({ count: runs.length, agents, ...(more > 0 ? { more: `${more} older runs are not here: list_agents with a cursor pages through them all` } : {}) });
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
  });
  const template = new ResourceTemplate('switchboard://agents/{id}/output', {
    // Any run's output can be read by its URI; those listed are the ones the run list resource holds.
    list: async () => ({ resources: registry.briefs().slice(0, RESOURCE_RUNS).map((r) => ({ uri: outputUri(r.id), name: `${r.name} output`, mimeType: 'text/plain', description: `${r.runner} · ${r.status}` })) }),
  });
  server.registerResource('agent-output', template, { title: 'Agent output', description: "A run's readable output: assistant text, tool calls and results, errors", mimeType: 'text/plain' }, async (uri, variables) => {
    const run = registry.resolve(runInUri(String(variables.id)));
    return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: readableTail(registry, run, OUTPUT_LINES) }] };
  });

  const subscribed = new Set<string>();
  const pending = new Map<string, NodeJS.Timeout>();
  const notify = (uri: string): void => {
    if (!subscribed.has(uri) || pending.has(uri)) return;
    pending.set(uri, setTimeout(() => {
      pending.delete(uri);
      if (subscribed.has(uri)) void server.server.sendResourceUpdated({ uri }).catch(() => {});
    }, NOTIFY_MS));
  };
  /** Subscriptions name a run however the client likes (id, name, prefix); they are kept by id. */
  const canonical = (uri: string): string => {
    const match = OUTPUT_URI.exec(uri);
    if (match) return outputUri(registry.resolve(runInUri(match[1]!)).id);
    if (uri !== LIST_URI) throw new Error(`Unknown resource ${uri}; subscribe to ${LIST_URI} or ${outputUri('<id>')}.`);
    return uri;
  };
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    subscribed.add(canonical(request.params.uri));
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscribed.delete(canonical(request.params.uri));
    return {};
  });
  let listChanged: NodeJS.Timeout | undefined;
  const listeners = [
    registry.onDidAppendEvent(({ runId }) => notify(outputUri(runId))),
    registry.onDidOutput(({ runId }) => notify(outputUri(runId))),
    registry.onDidChange(({ kind }) => {
      notify(LIST_URI);
      if (kind !== 'updated') {
        listChanged ??= setTimeout(() => {
          listChanged = undefined;
          if (server.isConnected()) server.sendResourceListChanged();
        }, NOTIFY_MS);
      }
    }),
  ];
  return {
    dispose: () => {
      for (const l of listeners) l.dispose();
      for (const t of pending.values()) clearTimeout(t);
      if (listChanged) clearTimeout(listChanged);
      subscribed.clear();
    },
  };
}
