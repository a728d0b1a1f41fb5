/**
 * Every entry of the state folder, one line each: its path (`<x>` is a variable segment, a trailing
 * `/` a folder), its kind, and what it holds. The README's "State and settings" tree is this list.
 * Folders are made 0700 and files 0600; a worktree holds the project's own files as git writes
 * them, behind its 0700 folders.
 */
export interface StateEntry {
  readonly pattern: string;
  readonly kind: 'dir' | 'file' | 'socket' | 'lock' | 'worktree';
  readonly about: string;
}

export const STATE_ENTRIES = [
  { pattern: 'config.json', kind: 'file', about: 'settings of the CLI and headless MCP server (optional; VS Code uses its own settings)' },
  { pattern: 'supervisor.log', kind: 'file', about: 'what supervisor hosts printed (their errors)' },
  { pattern: 'disk-reserve', kind: 'file', about: 'space held back (512 KiB) and given up when the disk is full, so that final records can still be written' },
  { pattern: 'hosts/', kind: 'dir', about: 'sockets of live processes' },
  { pattern: 'hosts/<host>.sock', kind: 'socket', about: 'a supervisor host (host-*, shared by the processes of the folder) or a process running teams (owner-*)' },
  { pattern: 'hosts/start.lock/', kind: 'lock', about: 'held while a process starts a supervisor host (the others then use it)' },
  { pattern: 'hosts/start.lock/<ticket>', kind: 'lock', about: 'its holder (held) and the processes waiting in line, first come first served' },
  { pattern: 'runs/', kind: 'dir', about: 'one folder per agent run' },
  { pattern: 'runs-cache.json', kind: 'file', about: "finished runs' records as last read, so a folder of thousands opens fast (rebuilt when missing)" },
  { pattern: 'runs/<run>/', kind: 'dir', about: 'a run, named by its id' },
  { pattern: 'runs/<run>/run.json', kind: 'file', about: 'its record: status, pids, session, usage, links (written by its supervisor while it runs)' },
  { pattern: 'runs/<run>/plan.json', kind: 'file', about: 'what its supervisor is to start (removed once read: it holds the prompt unredacted)' },
  { pattern: 'runs/<run>/prompt.txt', kind: 'file', about: 'its whole prompt, secrets redacted, when it is too long to keep in run.json' },
  { pattern: 'runs/<run>/output.log', kind: 'file', about: "the agent's stdout and stderr, byte for byte" },
  { pattern: 'runs/<run>/output.redacted.log', kind: 'file', about: 'a plain-text runner\'s output (custom) as answers show it, secrets redacted' },
  { pattern: 'runs/<run>/output.idx', kind: 'file', about: 'when each piece of the output arrived (byte offset, time)' },
  { pattern: 'runs/<run>/events.jsonl', kind: 'file', about: 'its parsed events (text, tool calls, usage, steers, exits), secrets redacted' },
  { pattern: 'runs/<run>/kill.json', kind: 'file', about: 'a kill made without its supervisor, so that it sticks' },
  { pattern: 'runs/<run>/control.sock', kind: 'socket', about: "its supervisor's control socket (steer, interrupt, kill, subscribe)" },
  { pattern: 'teams/', kind: 'dir', about: 'one folder per team' },
  { pattern: 'teams/<team>/', kind: 'dir', about: 'a team, named by its name' },
  { pattern: 'teams/<team>/team.json', kind: 'file', about: 'its record: spec, workers, tasks, owner' },
  { pattern: 'teams/<team>/plan.json', kind: 'file', about: "its planner's plan, while it is being made" },
  { pattern: 'teams/<team>/takeover.lock', kind: 'lock', about: 'held while a process takes the team over' },
  { pattern: 'teams/<team>/discoveries.json', kind: 'file', about: 'work its agents found and proposed (DSC-001…): pending, promoted or dismissed' },
  { pattern: 'teams/<team>/discoveries.lock', kind: 'lock', about: 'held for the moment a process changes them' },
  { pattern: 'worktrees/', kind: 'dir', about: "the teams' git worktrees" },
  { pattern: 'worktrees/<team>/', kind: 'dir', about: "one team's worktrees" },
  { pattern: 'worktrees/<team>/<worker>/', kind: 'worktree', about: "a worker's worktree on branch switchboard/<team>/<worker> (a goal's own: <goal>/goal)" },
  { pattern: 'run-worktrees/', kind: 'dir', about: 'the git worktrees of single runs (`run --worktree`, `compare`)' },
  { pattern: 'run-worktrees/<run>/', kind: 'worktree', about: "a run's worktree on branch switchboard/run/<name>, named by the run's id" },
  { pattern: 'compares/', kind: 'dir', about: 'one folder per comparison (`switchboard compare`)' },
  { pattern: 'compares/<compare>/', kind: 'dir', about: 'a comparison, named by its id' },
  { pattern: 'compares/<compare>/compare.json', kind: 'file', about: 'its record: prompt, runners and models, their runs, gate results and diffs' },
  { pattern: 'compares/<compare>/gates/', kind: 'dir', about: 'the full output of the gates run in its worktrees' },
  { pattern: 'compares/<compare>/gates/<log>', kind: 'file', about: "one gate run's output" },
  { pattern: 'pools/', kind: 'dir', about: 'admission control' },
  { pattern: 'pools/ledger.json', kind: 'file', about: 'who holds a slot, who waits in line, the counts' },
  { pattern: 'pools/ledger.lock/', kind: 'lock', about: 'held for the moment a process changes the ledger' },
  { pattern: 'pools/ledger.lock/<ticket>', kind: 'lock', about: 'its holder (held) and the processes waiting in line, first come first served' },
  { pattern: 'mcp/', kind: 'dir', about: 'the MCP server' },
  { pattern: 'mcp/token', kind: 'file', about: 'its bearer token' },
  { pattern: 'mcp/endpoint.json', kind: 'file', about: 'where it was last reachable, and which process serves it' },
  { pattern: 'feed/', kind: 'dir', about: 'the live feed: every change of a run, team, task or pool' },
  { pattern: 'feed/journal.jsonl', kind: 'file', about: 'the journal being written: one JSON line per change, numbered by seq' },
  { pattern: 'feed/journal-<seq>.jsonl', kind: 'file', about: 'an older part of the journal, from seq on (compacted once every follower has read it)' },
  { pattern: 'feed/append.lock', kind: 'lock', about: 'held for the moment a process appends' },
  { pattern: 'feed/compact.lock', kind: 'lock', about: 'held while a process compacts older parts' },
  { pattern: 'feed/readers/', kind: 'dir', about: "followers' cursors" },
  { pattern: 'feed/readers/<reader>.json', kind: 'file', about: 'how far a live follower has read (nothing it has not read is compacted away)' },
  { pattern: 'metrics/', kind: 'dir', about: 'counters every process adds to (`switchboard metrics`, get_metrics, /metrics)' },
  { pattern: 'metrics/counters.json', kind: 'file', about: 'the counters since the state folder was made: runs, kills, steers, teams, tasks, goals, gates, tool calls, tokens, dollars' },
  { pattern: 'metrics/counters.lock', kind: 'lock', about: 'held for the moment a process adds to them' },
  { pattern: 'goals/', kind: 'dir', about: 'one folder per goal' },
  { pattern: 'goals/<goal>/', kind: 'dir', about: 'a goal, named by its id' },
  { pattern: 'goals/<goal>/goal.json', kind: 'file', about: 'its record: objective, budgets, phase, status, iterations' },
  { pattern: 'goals/<goal>/events.jsonl', kind: 'file', about: 'its own timeline' },
  { pattern: 'goals/<goal>/proof.json', kind: 'file', about: 'its proof: what shows it is done, and the known gaps' },
  { pattern: 'goals/<goal>/owner.log', kind: 'file', about: 'what a detached goal process printed' },
  { pattern: 'goals/<goal>/takeover.lock', kind: 'lock', about: 'held while a process takes the goal over' },
  { pattern: 'goals/<goal>/discoveries.json', kind: 'file', about: 'work its agents found and proposed (DSC-001…): pending, promoted or dismissed' },
  { pattern: 'goals/<goal>/discoveries.lock', kind: 'lock', about: 'held for the moment a process changes them' },
  { pattern: 'goals/<goal>/gates/', kind: 'dir', about: 'the full output of its gate runs' },
  { pattern: 'goals/<goal>/gates/<log>', kind: 'file', about: "one gate run's output" },
  { pattern: 'goals/<goal>/checkpoints/', kind: 'dir', about: 'its recovery checkpoints (their commits are kept under refs/switchboard/goals/<goal>/)' },
  { pattern: 'goals/<goal>/checkpoints/<checkpoint>.json', kind: 'file', about: "the goal's state as an iteration started (cp-1, cp-2…): what a rollback restores" },
  { pattern: 'gates/', kind: 'dir', about: 'verification gates' },
  { pattern: 'gates/<workspace>/', kind: 'dir', about: "one workspace's gates (named by a hash of its path)" },
  { pattern: 'gates/<workspace>/breakers.json', kind: 'file', about: 'their circuit breakers' },
  { pattern: 'gates/<workspace>/breakers.lock', kind: 'lock', about: 'held while a process changes them' },
  { pattern: 'gates/<workspace>/logs/', kind: 'dir', about: 'the full output of gate runs outside a goal (`switchboard gates run`)' },
  { pattern: 'gates/<workspace>/logs/<log>', kind: 'file', about: "one gate run's output (the newest 100 are kept)" },
  { pattern: 'webhooks/', kind: 'dir', about: 'webhook deliveries' },
  { pattern: 'webhooks/cursor.json', kind: 'file', about: 'how far in the feed deliveries have been queued' },
  { pattern: 'webhooks/deliverer.json', kind: 'file', about: 'which process delivers (a lease it renews while it lives)' },
  { pattern: 'webhooks/deliverer.lock', kind: 'lock', about: 'held for the moment a process takes or renews the lease' },
  { pattern: 'webhooks/queue/', kind: 'dir', about: 'deliveries waiting to be sent or tried again' },
  { pattern: 'webhooks/queue/<delivery>.json', kind: 'file', about: 'one delivery: its webhook, body, attempts and when it is next tried' },
  { pattern: 'webhooks/log.jsonl', kind: 'file', about: 'every attempt: when, to where, the answer (`switchboard webhooks log`)' },
  { pattern: 'sessions/', kind: 'dir', about: 'chat conversations that started work (`@switchboard` in VS Code)' },
  { pattern: 'sessions/<session>/', kind: 'dir', about: 'one conversation, named by its id' },
  { pattern: 'sessions/<session>/meta.json', kind: 'file', about: 'its id, start time and workspace' },
  { pattern: 'sessions/<session>/conversation.jsonl', kind: 'file', about: 'one {"ts","role","text"} line per turn, secrets redacted' },
  { pattern: 'sessions/<session>/engine-events.jsonl', kind: 'file', about: 'the runs, teams and goals it started, the steers and kills it sent' },
] as const satisfies readonly StateEntry[];

export type StatePattern = (typeof STATE_ENTRIES)[number]['pattern'];

/** A file left for a moment by an atomic write, or set aside because it was corrupt. */
export const TRANSIENT_ENTRY: StateEntry = { pattern: '<any>/.<name>.<pid>.<hex>.tmp', kind: 'file', about: 'an atomic write in progress (renamed over its file when complete)' };
export const SET_ASIDE_ENTRY: StateEntry = { pattern: '<any file>.corrupt-<time>', kind: 'file', about: 'a file that could not be read, set aside (never deleted)' };
