/**
 * The usage of every command, in one place: `--help` prints it, usage errors print it, and the
 * top-level help lists every form. A key is a command (`logs`) or a subcommand (`team status`).
 */

export interface CommandDoc {
  /** Each form: its synopsis (after `switchboard `) and what it does, in one line. */
  forms: [synopsis: string, summary: string][];
  /** Subcommands with docs of their own, listed in this one's help after its own forms. */
  subcommands?: string[];
  /** More, after the forms. */
  details?: string;
}

const ID = '<id> is a run id, its name, or a unique id prefix.';
const SPEC = `<spec> is N:role[:runner] joined with commas (2:executor, 1:planner,2:executor:codex). Without --tasks, a
planner worker turns the task into a task list; a team without a planner works the task as one task.
--tasks FILE.json: [{"id"?, "title", "description"?, "depends_on"?, "role"?}].`;
const FOLLOWED = `The team runs in this process: progress (tasks done, running and failed, spend, elapsed) goes to stderr
until it ends, then its status to stdout. Ctrl-C shuts it down gracefully, a second Ctrl-C at once.
Exit 0 when the team is done, 1 otherwise.`;

/** The top-level help lists these, in this order. */
export const TOP_LEVEL = ['run', 'list', 'status', 'logs', 'steer', 'interrupt', 'kill', 'wait', 'rm', 'doctor', 'pools', 'team', 'dag', 'events', 'mcp'];

export const DOCS: Record<string, CommandDoc> = {
  run: {
    forms: [['run <runner> "<prompt>" [--name N] [--cwd DIR] [--command "<template with {prompt}>"] [--resume SESSION] [--pool P] [--detach] [--raw]', 'start an agent (runners: claude, codex, gemini, qwen, custom) and follow it']],
    details: `Without --detach it prints the run's output until it ends (Ctrl-C stops the run) and exits 0 when
the run is done, 1 otherwise; --detach prints the run and returns once it has started. A run whose
pool is full waits in line (queued) and starts by itself when a slot frees.
  --command   the custom runner's command; {prompt} becomes the prompt (one argument, no shell)
  --resume    continue a session of the runner's CLI
  --raw       the agent's output as it wrote it, not the readable events`,
  },
  list: { forms: [['list [--status S] [--runner R]', 'the runs, running ones first']] },
  status: { forms: [['status <id>', "a run's details and the tail of its output"]], details: ID },
  logs: {
    forms: [['logs <id> [--follow] [--raw]', 'what a run printed: readable events, or its raw output']],
    details: `  --follow, -f   go on printing as the run goes, until it ends
  --raw          the output as the agent wrote it (runners with plain-text output, such as custom, always)
With --format json it prints JSON lines, one object a line, each as soon as it is there:
  events (readable mode): {"type":"text","text":"…","seq":3,"ts":1700000000000}, one per parsed event
  output (--raw):         {"cursor":0,"next":42,"data":"…"}, cursor and next being byte offsets in the
                          output (a chunk never ends inside a UTF-8 character)
${ID}`,
  },
  steer: { forms: [['steer <id> "<message>"', "live on the agent's input, or interrupt + resume"]], details: ID },
  interrupt: { forms: [['interrupt <id>', "stop the agent's current turn (its own protocol, or SIGINT)"]], details: ID },
  kill: { forms: [['kill <id> [--force]', 'the whole process tree; graceful first unless --force']], details: ID },
  wait: { forms: [['wait <id> [--timeout SECONDS]', 'exit 0 done, 1 failed/killed/orphaned, 3 timed out']], details: ID },
  rm: { forms: [['rm <id>', 'remove a finished run and its logs']], details: ID },
  doctor: { forms: [['doctor', 'installed agent CLIs, the state directory, the MCP server']] },
  pools: { forms: [], subcommands: ['pools status', 'pools cleanup'] },
  'pools status': { forms: [['pools status', 'who runs and who waits in each admission pool']] },
  'pools cleanup': { forms: [['pools cleanup', 'free the slots and places in line that dead processes left']] },
  team: {
    forms: [],
    subcommands: ['team run', 'team list', 'team status', 'team shutdown', 'team resume', 'team add-task', 'team cancel-task', 'team merge-status', 'team merge', 'team cleanup'],
    details: SPEC,
  },
  'team run': {
    forms: [['team run <spec> "<task>" [--name N] [--tasks FILE.json] [--cwd DIR] [--setup "<command>"] [--copy FILE]...', 'a team of agents in git worktrees, working a task graph']],
    details: `${SPEC}\n${FOLLOWED}`,
  },
  'team list': { forms: [['team list', 'the teams, newest first']] },
  'team status': { forms: [['team status <name>', 'its workers, tasks, spend and DAG']] },
  'team shutdown': { forms: [['team shutdown <name> [--force]', 'stop its workers (at once with --force)']] },
  'team resume': { forms: [['team resume <name>', 'take over a team whose process exited, and follow it']], details: FOLLOWED },
  'team add-task': { forms: [['team add-task <name> "<title>" [--description TEXT] [--depends-on T1,T2] [--role ROLE]', 'add a task to its graph']] },
  'team cancel-task': { forms: [['team cancel-task <name> <task id>', 'cancel a task that has not settled']] },
  'team merge-status': { forms: [['team merge-status <name>', 'conflict scores of the worker branches (0: merges cleanly)']] },
  'team merge': { forms: [['team merge <name> <worker>', "merge a worker's branch, or refuse naming the conflicting files"]] },
  'team cleanup': { forms: [['team cleanup <name> [--force]', 'remove merged worktrees (--force: the others too)']] },
  dag: { forms: [], subcommands: ['dag show'] },
  'dag show': { forms: [['dag show <team>', "the team's tasks by layer, with the critical path"]] },
  events: {
    forms: [['events [--follow] [--since SEQ] [--type T]...', 'the live feed of changes (runs, teams, tasks, pools)']],
    details: `Every change any process makes in the state folder, numbered by seq (which only grows): agent.started,
agent.completed, agent.failed, agent.killed, agent.waiting, task.assigned, task.completed, team.started,
team.ended, merge.completed, steering.intervention, pool.queued, pool.admitted, and the rest.
  --follow, -f   go on printing changes as they happen, until Ctrl-C
  --since SEQ    only what came after SEQ ("now": only what comes from now on); default: all that is kept
  --type T       only this type (agent.started) or family (agent, task, team, pool, merge); repeatable
With --format json, one JSON object per line: {"v":1,"seq","ts","type","key","entity","pid"}.`,
  },
  mcp: {
    forms: [
      ['mcp --stdio', 'serve the MCP tools on stdin/stdout (for clients that start servers)'],
      ['mcp --http [--port N]', 'serve them on http://127.0.0.1:N/mcp with a bearer token'],
    ],
    subcommands: ['mcp config'],
    details: 'SIGINT or SIGTERM stops the server; teams it runs are shut down gracefully first (a second signal: at once).',
  },
  'mcp config': { forms: [['mcp config <claude|codex|gemini|cursor>', 'what that client needs to reach the HTTP server']] },
};
