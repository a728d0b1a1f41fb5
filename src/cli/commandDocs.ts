/**
 * The usage of every command, in one place: `--help` prints it, usage errors print it, and the
 * top-level help lists every form. A key is a command (`logs`) or a subcommand (`team status`).
 */
import { RUNNER_IDS } from '../core/runners/runnerTable';

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
--tasks FILE.json: [{"id"?, "title", "description"?, "depends_on"?, "role"?, "model"?}].`;
const FOLLOWED = `The team runs in this process: progress (tasks done, running and failed, spend, elapsed) goes to stderr
until it ends, then its status to stdout. Ctrl-C shuts it down gracefully, a second Ctrl-C at once.
Exit 0 when the team is done, 1 otherwise.`;

const GATES = `A gate is a verification command (npm test, a linter) run as a real process, never through a shell,
with a timeout (default 10 minutes) that kills everything it started. Each gate of a workspace has a circuit
breaker: 5 failures in a row open it and the gate then fails at once without running; 60 s later it is half-open
and lets 3 trial runs through: a pass closes it, a failure opens it again. State: <state>/gates/<workspace hash>/.`;
const DETECTION = `Found: package.json scripts test, typecheck, lint, build (npm, or pnpm or yarn by their lockfile), Cargo.toml
(cargo test), pytest (pyproject.toml [tool.pytest…], pytest.ini, setup.cfg [tool:pytest], conftest.py, tests/*.py),
go.mod (go test ./...), a Makefile test target (make test). Required: tests and type checks; lint and build are
optional (a build is required when the package has no test or typecheck script).`;

const DISCOVERIES = `A discovery is work an agent found that nobody planned ("the rate limit config is missing"). Agents of a team
or goal report it through the MCP tool report_discovery, or, without MCP, in a fenced block of their answer:
  \`\`\`switchboard-discovery
  {"title": "The rate limit config is missing", "description": "api/limits.ts reads RATE_LIMIT, which nothing sets"}
  \`\`\`
It is kept under its goal (or its team, outside goals) as DSC-001, DSC-002… until a person promotes or dismisses it.`;
const DISCOVERY_FIELDS = '"id","title","description","source_task_id","source_run","status","reason","created_at","goal_id","team","promoted_task_id"';
const ID_SCOPE = `<id> is DSC-001 (ids repeat from one goal or team to another: --goal or --team says which), or <goal or team>/DSC-001.`;

/** The top-level help lists these, in this order. */
export const TOP_LEVEL = ['run', 'list', 'status', 'logs', 'steer', 'interrupt', 'kill', 'wait', 'rm', 'diff', 'merge', 'cleanup', 'compare', 'models', 'doctor', 'pools', 'team', 'dag', 'goal', 'discovery', 'gates', 'events', 'metrics', 'mcp', 'serve', 'webhooks', 'chat'];

export const DOCS: Record<string, CommandDoc> = {
  run: {
    forms: [['run <runner> "<prompt>" [--name N] [--cwd DIR] [--model M] [--worktree] [--command "<template with {prompt}>"] [--resume SESSION] [--pool P] [--backend docker[:CONTEXT]|swarm] [--max-usd X] [--max-tokens N] [--timeout 30m] [--detach] [--raw]', `start an agent (runners: ${RUNNER_IDS.join(', ')}) and follow it`]],
    details: `Without --detach it prints the run's output until it ends (Ctrl-C or SIGTERM stops the run) and exits 0 when
the run is done, 1 otherwise; --detach prints the run and returns once it has started (at once, as
queued, when its pool is full). A run whose pool is full waits in line (queued) and starts by itself
when a slot frees, also after this command has exited (a supervisor host keeps its place).
A prompt of - is read from stdin, for one longer than a command line takes: switchboard run claude - < task.md
  --model     the model the agent uses, over the runner's setting (not for custom: its command says)
  --worktree  work in a git worktree of its own, on branch switchboard/run/<name> made from the folder's HEAD
              (the folder must be in a git repository with a commit; its uncommitted changes stay out of the
              worktree). What the agent leaves uncommitted is committed for it when it ends. Then
              switchboard diff, merge and cleanup <name>. The teams' setup command and copied files apply.
  --command   the custom runner's command; {prompt} becomes the prompt (one argument, no shell)
  --resume    continue a session of the runner's CLI
  --backend   where it runs: local (default), docker (a container on DOCKER_HOST's engine, or on a Docker
              context's: docker:build-box), swarm (a replicated-job service); see the containers settings
  --raw       the agent's output as it wrote it, not the readable events
  --max-usd, --max-tokens, --timeout   hard limits: the run is stopped (its whole process tree) when it
              crosses one; dollars as the CLI reports them or as estimated from the price table`,
  },
  list: { forms: [['list [--status S] [--runner R] [--all]', 'the runs: live ones first, then the 50 most recent finished ones (--all: every one)']] },
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
  rm: { forms: [['rm <id>', 'remove a finished run and its logs (not while it has a worktree)']], details: ID },
  diff: {
    forms: [['diff <id> [--stat]', 'what a run started with --worktree changed: the patch, or its --stat']],
    details: `Against the commit its branch was made from. While the run goes on: its worktree's files as they are now;
once it has ended: its branch (what it left uncommitted was committed for it). A line on stderr says how many files,
lines and commits, and whether it is merged; the patch (or stat) goes to stdout. With --format json: {"run","name",
"status","branch","base_commit","base_branch","folder","present","from","commits","files":[{"status","path",
"old_path","insertions","deletions","binary"}],"insertions","deletions","uncommitted","merged","patch"|"stat"}.
${ID}`,
  },
  merge: {
    forms: [['merge <id> [--into BRANCH]', "merge a run's branch into the branch its folder was on, or refuse naming the conflicting files"]],
    details: `For a run started with --worktree, once it has ended: a merge commit on the branch the folder was on when it
started (--into names another). Refused, changing nothing, when it would conflict (the files are named), or when
uncommitted changes in that branch's folder are in the way. With --format json: {"run","name","branch","base","commit",
"already_merged","files"}. ${ID}`,
  },
  cleanup: {
    forms: [['cleanup <id> [--force] [--delete-branch]', "remove a run's worktree once it has ended; its branch stays"]],
    details: `Refused while the run goes on, and while its work is not merged or its worktree holds uncommitted changes
(each reason is said); --force removes it anyway. --delete-branch deletes its branch too. With --format json:
{"run","name","folder","branch","removed_folder","deleted_branch","already_removed"}. ${ID}`,
  },
  compare: {
    forms: [['compare "<prompt>" --runners R1,R2,... [--models M1,M2,...] [--gate "name=command"]... [--cwd DIR] [--command "<template with {prompt}>"] [--setup "<command>"] [--copy FILE]... [--max-usd X] [--max-tokens N] [--timeout 30m]', 'run the same task with several agents at once, each in its own worktree, then gate and compare them']],
    subcommands: ['compare list', 'compare show'],
    details: `Each runner (one may come twice) gets the prompt in a git worktree of its own made from the folder's HEAD; --models
gives each its model by position (leave one empty for its configured model: --models ,gpt-5); --command is the custom
runner's command, as for run. Once every run has ended, the gates run in the worktree of each run that is done.
Then a table: runner, model, status, time, tokens, cost, gate result, files changed, diff size (+added -removed
lines) and the run's name, for switchboard diff, merge and cleanup. Progress goes to stderr; Ctrl-C stops the runs
(exit 130; SIGTERM: 143), else exit 0. --format json:
{"id","status","owned","prompt","workspace","created_at","ended_at","gates","entries":[{"runner","model","name",
"run_id","branch","status","elapsed_ms","usage","gates":{"passed","results"},"gates_skipped","files","insertions",
"deletions","error"}]}; --format md: a Markdown table. The comparison is kept: compare list, compare show.`,
  },
  'compare list': { forms: [['compare list', 'the comparisons, newest first']] },
  'compare show': { forms: [['compare show <compare id>', 'a comparison as it stands (its runs live while they go on)']] },
  models: {
    forms: [['models [<runner>]', 'the models known for each runner: its configured one and those of the price table']],
    details: `For run --model, compare --models and a task's "model". Any other model name the runner's CLI knows works
too. With --format json: {"runners":[{"runner","models":[{"model","configured","input_per_mtok","output_per_mtok"}]}]}.`,
  },
  doctor: { forms: [['doctor', 'installed agent CLIs, the state directory, the MCP server']] },
  pools: { forms: [], subcommands: ['pools status', 'pools cleanup'] },
  'pools status': { forms: [['pools status', 'who runs and who waits in each admission pool']] },
  'pools cleanup': { forms: [['pools cleanup', 'free the slots and places in line that dead processes left']] },
  gates: { forms: [], subcommands: ['gates status', 'gates reset', 'gates detect', 'gates run'], details: GATES },
  'gates status': {
    forms: [['gates status [--cwd DIR]', "the circuit breakers of a workspace's gates"]],
    details: `One row per gate that has run in the workspace (--cwd, default the current folder): its state (Closed,
Open, HalfOpen), failures in a row, the last failure, the recovery time and the trial runs left.
With --format json: {"breakers":[{"gate_name","state","failure_count","last_failure_at","recovery_timeout_secs",
"half_open_calls_remaining"}]}.`,
  },
  'gates reset': {
    forms: [
      ['gates reset --gate <name> [--cwd DIR]', "close one gate's breaker (Open or HalfOpen to Closed)"],
      ['gates reset --all [--cwd DIR]', 'close every breaker of the workspace that is not Closed'],
    ],
    details: `It says which breakers were reset; a gate with no breaker is an error (exit 1).
With --format json: {"reset":[<gate names>],"breakers":[…as gates status…]}.`,
  },
  'gates detect': {
    forms: [['gates detect [--cwd DIR]', 'the gates found in a workspace, each with why']],
    details: `${DETECTION}
With --format json: {"workspace","gates":[{"name","command","required","reason"}]}.`,
  },
  'gates run': {
    forms: [['gates run [--gate "name=command"]... [--timeout SECONDS] [--gate-optional NAME]... [--gate-timeout NAME=DURATION]... [--cwd DIR]', 'run the gates through their breakers; exit 0 when every required one passed']],
    details: `Without --gate, the configured gates (goals.gates in config.json), else those gates detect finds.
--gate-optional NAME makes one of them optional; --gate-timeout NAME=DURATION (90s, 10m, or seconds) sets its timeout. Each runs in --cwd (default the current folder), in turn,
and its result is printed as it ends (the end of its output and its log file when it failed); an open breaker
fails its gate at once without running it. Exit 0 when every required gate passed, 1 otherwise (130 after Ctrl-C,
143 after SIGTERM, either of which kills the running gate). --gate gates are required; the command is split like a shell would, without one.
  --timeout   kill each gate after this many seconds (default 600)
With --format json: {"passed","gates":[{"name","passed","stdout","stderr","duration_ms","required","command_line",
"exit_code","timed_out","log"}]}.`,
  },
  goal: {
    forms: [],
    subcommands: ['goal create', 'goal list', 'goal show', 'goal status', 'goal proof', 'goal budget', 'goal replay', 'goal diagnose', 'goal recover', 'goal checkpoints', 'goal rollback', 'goal pause', 'goal resume', 'goal cancel', 'goal extend', 'goal cleanup'],
    details: `A goal works toward an objective until its gates prove it done, within its budgets: each iteration a team of at
most --max-agents agents works the task graph on the goal's own branch (switchboard/goal/<id>, in a worktree of
its own), then the gates run there; it is ready when the required gates pass and its tasks got done. With
--until-ready a failing required gate becomes fix tasks for the next iteration, and a failed task is done
again, up to --max-iterations (5). At 80% of a budget it warns; at 100% it starts nothing more, stops its
agents and ends needs_more_budget. Every command takes --format text|json|md.`,
  },
  'goal create': {
    forms: [['goal create "<objective>" [--budget-time 8h] [--budget-tokens N] [--budget-usd X] [--max-agents N] [--gate "name=command"]... [--tasks FILE] [--spec N:role,...] [--runner R] [--gate-optional NAME]... [--gate-timeout NAME=DURATION]... [--until-ready] [--max-iterations N] [--quality 0.8] [--evaluate] [--evaluator R] [--cwd DIR] [--detach]', 'create a goal and work on it here until it ends, pauses or needs more budget']],
    details: `Without --gate, the gates are detected from the workspace (npm test/lint/typecheck/build, cargo test, pytest,
go test ./..., make test: see \`switchboard gates detect\`). Without --tasks a planner agent makes the task graph.
Progress goes to stderr; Ctrl-C pauses the goal (a second Ctrl-C cancels it). --detach leaves it to a process
of its own in the background (its output in the goal's owner.log). Exit 0 when the goal ends ready, 1 otherwise.
  --quality          an evaluator agent must also score the work at least this (0..1)
  --evaluate         an evaluator agent scores the work, with the bar --quality (default 0.8)
  --evaluator R      the evaluator's runner (default: --runner, else claude); implies --evaluate
  --gate-optional    the named gate (given, configured or detected) is run and told, not required
  --gate-timeout     NAME=DURATION (90s, 10m, or seconds): kill the named gate after that long (default 10m)`,
  },
  'goal list': { forms: [['goal list', 'every goal, newest first']] },
  'goal show': { forms: [['goal show <goal>', 'a goal (with --format json exactly its record: goal_id, status, phase, budgets, …)']] },
  'goal status': { forms: [['goal status <goal>', 'a goal with what it has spent, its gates and iterations']] },
  'goal proof': { forms: [['goal proof <goal>', 'what shows the goal done, and the known gaps; exit 0 when it is ready']] },
  'goal replay': {
    forms: [['goal replay <goal> [--follow]', 'its timeline, deduplicated: its own events and those of its teams, tasks, runs, gates and budget']],
    details: `--follow goes on printing each new entry as it happens (the same kinds and deduplication; one JSON object per line with --format json), until the goal ends or Ctrl-C.
With --format json (not following): {"version","goal_id","status","phase","generated_at","event_count",
"task_graph_summary","timeline":[{"index","ts","kind","actor","summary"}],"recovery_status","known_gaps",
"duplicate_events","parse_failures"}; a torn or damaged line is counted in parse_failures, never fatal.`,
  },
  'goal budget': {
    forms: [['goal budget <goal>', 'its budgets, what is used and left, the checkpoints, and where the spend went (by runner, model, worker, task)']],
    details: `With --format json: {"version","goal_id","generated_at","budget_time","total_budget_secs","budget_tokens","used_tokens",
"remaining_budget_tokens","budget_usd","estimated_cost_usd","remaining_budget_usd","latest","checkpoints","spent_usd",
"spent_tokens","spent_seconds","breakdown"}; each checkpoint has its label (goal_created, iteration_started, budget_warning, …).`,
  },
  'goal diagnose': {
    forms: [['goal diagnose <goal>', 'whether it goes in circles: CircularFix, RepeatedFailure, NoProgress, BudgetBurn, and what to do']],
    details: `Read from each iteration's measures (gates passing, score, files changed and their contents, diff size, failure
fingerprints, spend) over the last 3 iterations, after 2 of warm-up. A goal checks itself after every iteration and
records stagnation_detected in its timeline. Exit 0 when it is stagnant, 1 when not. With --format json:
{"goal_id","stagnant","confidence","diagnosis":{"primary","secondary","affected_metrics"},"recommended_action",
"metrics_window":{"window_size","warmup_iterations","evaluated_at"}}.`,
  },
  'goal recover': {
    forms: [['goal recover <goal> [--apply]', 'a recovery plan for a stagnant goal: risk, likely cost, actions; --apply carries it out']],
    details: `Actions: rollback (to the checkpoint before a circle began), split_task (find the cause of a failure that keeps
coming back, then fix it from the findings), switch_runner (another installed agent CLI), switch_model (the failing task
on another model its CLI has, target T4:gpt-5), add_reviewer (whose findings the fixes start from), ask_human (pause it). --apply pauses the goal, carries the plan out and lets it go on. With
--format json: {"goal_id","stagnant","diagnosis","risk_level","estimated_cost_usd","estimated_tokens","actions":[{"kind",
"description","target"}],"applied","results","status"}.`,
  },
  'goal checkpoints': { forms: [['goal checkpoints <goal>', 'its recovery checkpoints (one as each iteration starts) and the rollbacks made']] },
  'goal rollback': {
    forms: [['goal rollback <goal> [--to cp-N]', 'put its branch and state back to a recovery checkpoint (default: the one the current iteration started from, undoing its work so far)']],
    details: `Nothing is lost: the commit the branch was at stays under refs/switchboard/goals/<goal>/abandoned/<checkpoint>-<time>
(named in the answer; \`git log <ref>\` shows it). A goal at work is paused for it and goes on from there; one that had
ended is left paused (\`switchboard goal resume\` goes on). With --format json: {"goal_id","checkpoint","restored_commit",
"abandoned_commit","abandoned_ref","uncommitted_ref","reopened_discoveries","status","iteration"}; a discovery promoted into a
task the rollback took out of the graph is pending again.`,
  },
  'goal pause': { forms: [['goal pause <goal>', 'stop its agents and start nothing until it is resumed (paused time does not count)']] },
  'goal resume': { forms: [['goal resume <goal>', 'go on with a paused goal, one whose breaker was reset, or take over one whose process exited']] },
  'goal cancel': { forms: [['goal cancel <goal>', 'stop a goal for good (its branch stays)']] },
  'goal extend': { forms: [['goal extend <goal> [--usd +5] [--tokens +100000] [--time +1h]', 'raise its budget, and the limits of its agents at work; a goal stopped by its budget goes on']] },
  'goal cleanup': { forms: [['goal cleanup <goal> [--force]', 'remove the worktrees of an ended goal (its checkout, its teams\' kept ones); its branch stays (--force: those with uncommitted work too)']] },
  discovery: {
    forms: [],
    subcommands: ['discovery list', 'discovery promote', 'discovery dismiss'],
    details: DISCOVERIES,
  },
  'discovery list': {
    forms: [['discovery list [--goal ID | --team NAME] [--status pending|promoted|dismissed]', "the discoveries of a goal or team (default: all), oldest first"]],
    details: `With --format json: {"count","discoveries":[${DISCOVERY_FIELDS}]}. Every command takes --format text|json|md.`,
  },
  'discovery promote': {
    forms: [['discovery promote <id> [--goal ID | --team NAME] [--depends-on T1,T2]', "make it a task of its goal's or team's graph, scheduled after the tasks named"]],
    details: `${ID_SCOPE}
The task's id is the discovery's (DSC-001). A team at work schedules it at once; a goal's team at work takes it,
else the goal's next team (before the goal verifies anything). Refused, the discovery left pending, when the graph
cannot take it: an unknown task in --depends-on, a cycle, a team that has ended or is still planning.
With --format json: {"discovery":{…},"task":{"id","title","description","depends_on","status",…}}.`,
  },
  'discovery dismiss': {
    forms: [['discovery dismiss <id> --reason "<why>" [--goal ID | --team NAME]', 'set it aside, saying why']],
    details: `${ID_SCOPE}
With --format json: the discovery, {${DISCOVERY_FIELDS}}.`,
  },
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
  --type T       only this type (agent.started) or family (agent, task, team, pool, merge, gate, breaker,
                 goal, budget, discovery, compare); repeatable
With --format json, one JSON object per line: {"v":1,"seq","ts","type","key","entity","pid"}.`,
  },
  mcp: {
    forms: [
      ['mcp --stdio', 'serve the MCP tools on stdin/stdout (for clients that start servers)'],
      ['mcp --http [--port N]', 'serve them on http://127.0.0.1:N/mcp with a bearer token (and the HTTP API at /api/v1, as serve does)'],
    ],
    subcommands: ['mcp config'],
    details: 'SIGINT or SIGTERM stops the server; teams it runs are shut down gracefully first (a second signal: at once).',
  },
  'mcp config': { forms: [['mcp config <claude|codex|gemini|cursor>', 'what that client needs to reach the HTTP server']] },
  metrics: {
    forms: [['metrics', 'counters every process of the state folder adds to: runs, kills, teams, tasks, goals, gates, calls, tokens, dollars']],
    details: 'With --format json: {"metrics":{"total_runs",…,"created_at","updated_at"}}, as MCP get_metrics and GET /api/v1/metrics say.',
  },
  serve: {
    forms: [['serve [--port N]', 'serve MCP at /mcp and the HTTP API at /api/v1 on http://127.0.0.1:N, headless']],
    details: `Every request needs the bearer token (in <state>/mcp/token), a loopback Host and no foreign Origin.
The OpenAPI document is at /api/v1/openapi.json, the live feed at /api/v1/events (Server-Sent Events),
Prometheus counters at /metrics. SIGINT or SIGTERM stops it; teams it runs are shut down gracefully first.`,
  },
  webhooks: {
    forms: [],
    subcommands: ['webhooks log', 'webhooks test', 'webhooks deliver'],
    details: `Webhooks are configured in config.json ("webhooks": [{"url", "events", "secret", "format"}]). Each webhook is
delivered by one process at a time among those that have it configured: VS Code, an MCP server, or \`webhooks deliver\`. Events that happen while none
runs wait in the feed and are delivered when one starts. A failed delivery is tried again with exponential
backoff and jitter for up to an hour; the queue is on disk (<state>/webhooks/).`,
  },
  'webhooks log': { forms: [['webhooks log [--failed] [--limit N]', 'deliveries: event, address, tries, outcome (--failed: those not delivered)']] },
  'webhooks test': { forms: [['webhooks test <url> [--secret S] [--payload json|slack|discord]', 'send one test delivery (event ping) now; a configured webhook is sent as configured']] },
  'webhooks deliver': { forms: [['webhooks deliver [--once]', 'deliver in the foreground until Ctrl+C (--once: what is due now, then exit)']] },
  chat: {
    forms: [
      ['chat [--session ID | --new] [--runner R]', "VS Code's @switchboard in a terminal: one request a line on stdin"],
      ['chat --list', 'the chat sessions (conversations that started work)'],
    ],
    details: `The same slash commands as @switchboard: /run <runner> <prompt> (follows its output), /status [id], /steer <id> <message>,
/kill <id>|all, /logs <id>, /team <spec> <goal>, /goal <objective>, /budget [goal], /gates, /discoveries, /doctor, /help.
What needs a yes (a kill, starting a goal, a reset) is asked as "…? [y/N]" on the next line. Free text goes to an
orchestrator agent (--runner, default claude), which drives Switchboard through its MCP server when one serves the
state folder. Ctrl+C stops following (the agent runs on); a second one, or end of input, ends the conversation.`,
  },
};
