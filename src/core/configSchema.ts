/**
 * `<state>/config.json`, the headless CLI's settings, as one schema: it checks the file when it is
 * read, and its JSON Schema (dist/schemas/config.schema.json) gives editors completion and hovers.
 * Unknown keys are tolerated (and ignored); a known key of the wrong type is refused, by name.
 * Each part is made when first needed (`once`): a file sets a few fields, and making the schema of
 * all of them cost each CLI start some 5 ms (configSchemaFor checks a file with those it has).
 */
import { z } from 'zod';
import { ACP_DEFAULT_RUNNER_IDS, ACP_RUNNER_IDS, liveProtocolOf, RUNNERS, RUNNER_IDS } from './runners/runnerTable';
import { patternProblem } from './redactRules';
import { WEBHOOK_EVENT_NAMES, WEBHOOK_FORMATS } from './webhooks/webhookEvents';

/** A whole number in [min, max], one message for whatever is wrong with it. */
function wholeNumber(min: number, max?: number, text = `must be a whole number of at least ${min}`) {
  const int = z.int({ error: text }).min(min);
  return max === undefined ? int : int.max(max);
}
const nonNegative = z.number({ error: 'must be a number of at least 0' }).min(0);
const commandLine = z.string({ error: 'must be a command line (a string)' });

const runnerId = z.enum(RUNNER_IDS);

/** Makes a schema the first time it is asked for; later calls get the same one. */
function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

const runnerConfig = once(() =>
  z.object(
    {
      binary: z.string().optional().describe('The binary: a name looked up on PATH, or a full path (default: the runner id).'),
      extraArgs: z.array(z.string(), { error: 'must be an array of arguments (strings)' }).optional().describe('Extra arguments added to every command line of this runner.'),
      model: z.string().optional().describe('The model the CLI should use (default: the CLI chooses).'),
      permissionMode: z.string().optional().describe('What the agent may do without asking, passed to its CLI\'s own flag: Claude `--permission-mode` (default acceptEdits), Codex `--sandbox` (workspace-write), Gemini `--approval-mode` (auto_edit), Qwen `--approval-mode` (auto-edit).'),
      command: commandLine.optional().describe('The custom runner\'s command: `{prompt}` is replaced by the prompt as one argument (no shell runs it); without `{prompt}`, the prompt is added last.'),
      protocol: z.enum(['acp', 'app-server', 'json'], { error: 'must be "acp", "app-server" or "json"' }).optional().describe(`How to talk to a CLI that speaks both: \`acp\` (a live ACP session: steering, approvals, a clean cancel; Codex: \`app-server\`, its own live protocol) or \`json\` (one prompt per process). For ${ACP_RUNNER_IDS.join(', ')} (\`acp\`) and codex (\`app-server\`); default \`acp\` for ${ACP_DEFAULT_RUNNER_IDS.join(' and ')}, \`app-server\` for codex, \`json\` for the others.`),
      maxRetries: wholeNumber(0, 100).optional().describe(`The most times the CLI retries a failed model call (a 429, a 5xx) on its own, where it has a knob for it: ${RUNNERS.filter((r) => r.retryCap).map((r) => `${r.id} (${r.retryCap})`).join(', ')}. Default: the CLI's own.`),
    },
    { error: 'must be an object ({ "binary", "extraArgs", "model", "permissionMode", "command", "maxRetries", "protocol" })' },
  ),
);

/** A runner's settings: where it speaks a live protocol besides one-shot JSON, `protocol` is one of the two. */
function runnerConfigOf(id: string) {
  const live = liveProtocolOf(id);
  if (!live) return runnerConfig();
  return runnerConfig().extend({ protocol: z.enum([live, 'json'], { error: `must be "${live}" or "json"` }).optional().describe(runnerConfig().shape.protocol.description ?? '') });
}

const runnersConfig = once(() =>
  z
    .object(Object.fromEntries(RUNNERS.map((r) => [r.id, runnerConfigOf(r.id).optional().describe(`The \`${r.id}\` runner (${r.displayName}).`)])), { error: 'must be an object of runner ids to their settings' })
    .describe(`Settings by runner id (${RUNNER_IDS.join(', ')}).`),
);

const price = once(() =>
  z.object(
    {
      inputPerMTok: nonNegative.describe('US dollars per million input tokens.'),
      outputPerMTok: nonNegative.describe('US dollars per million output tokens.'),
    },
    { error: 'must be an object ({ "inputPerMTok", "outputPerMTok" })' },
  ),
);

const poolLimits = once(() =>
  z.object(
    {
      maxWorkers: wholeNumber(1).describe('At most this many runs of the pool at once; the rest wait in line.'),
      maxQueue: wholeNumber(0).optional().describe('How many runs may wait in line before new ones are refused (default 100).'),
    },
    { error: 'must be an object ({ "maxWorkers", "maxQueue" })' },
  ),
);

const role = once(() =>
  z.object(
    {
      preamble: z.string().optional().describe("Put before every task's prompt."),
      runner: runnerId.optional().describe("The role's runner, unless the team spec names one (`2:executor:codex`)."),
      permissionMode: z.string().optional().describe("That runner's own word for what the role may do (planner and reviewer: Claude's `plan`); it applies only with the role's own runner."),
    },
    { error: 'must be an object ({ "preamble", "runner", "permissionMode" })' },
  ),
);

const teams = once(() =>
  z.object(
    {
      roles: z.record(z.string(), role(), { error: 'must be an object of role names to { "preamble", "runner", "permissionMode" }' }).optional().describe('Roles by name, over the built-in planner, executor and reviewer (a field left out keeps the built-in value); a new name adds a role.'),
      setup: commandLine.optional().describe('Run in each new worker worktree before its first task, e.g. `npm ci`; split like a shell would, but no shell runs it.'),
      copyFiles: z.array(z.string(), { error: 'must be an array of paths' }).optional().describe('Files copied from the workspace into each new worker worktree, e.g. `.env` (files git ignores are not there otherwise).').meta({ default: [] }),
      maxAttempts: wholeNumber(1).optional().describe('Attempts a task gets before it fails for good (2: one retry); its dependents are then blocked.').meta({ default: 2 }),
    },
    { error: 'must be an object ({ "roles", "setup", "copyFiles", "maxAttempts" })' },
  ),
);

const httpUrl = once(() => z.string({ error: 'must be an http:// or https:// address' }).refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), { error: 'must be an http:// or https:// address' }));

export const webhookSchema = once(() =>
  z.object(
    {
      url: httpUrl().describe('Where each delivery is POSTed.'),
      events: z.array(z.enum(WEBHOOK_EVENT_NAMES, { error: `must be one of ${WEBHOOK_EVENT_NAMES.join(', ')}` }), { error: 'must be an array of event names' }).optional().describe(`The events it is sent (default: all): ${WEBHOOK_EVENT_NAMES.join(', ')}.`),
      secret: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional().describe('Signs each delivery: X-Switchboard-Signature is sha256=<hex HMAC-SHA256 of "<X-Switchboard-Timestamp>.<body>">.'),
      format: z.enum(WEBHOOK_FORMATS, { error: `must be one of ${WEBHOOK_FORMATS.join(', ')}` }).optional().describe('json (default): the event and what it is about; slack or discord: a message those render.'),
    },
    { error: 'must be an object ({ "url", "events", "secret", "format" })' },
  ),
);

const redaction = once(() =>
  z.object(
    {
      patterns: z
        .array(
          z.object(
            {
              name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).describe('Names the placeholder: `internal token` gives <<REDACTED_INTERNAL_TOKEN_1>>.'),
              pattern: z.string({ error: 'must be a string' }).superRefine((v, ctx) => {
                const problem = patternProblem(v);
                if (problem) ctx.addIssue({ code: 'custom', message: problem });
              }).describe('A JavaScript regular expression; its first group, when it has one, is the secret.'),
            },
            { error: 'must be an object ({ "name", "pattern" })' },
          ),
          { error: 'must be an array of { "name", "pattern" }' },
        )
        .optional()
        .describe('Secrets of your own shapes.'),
      secrets: z.array(z.string().min(4, { error: 'must be at least 4 characters' }), { error: 'must be an array of strings' }).optional().describe('Values hidden wherever they appear.'),
    },
    { error: 'must be an object ({ "patterns", "secrets" })' },
  ),
);

const containers = once(() =>
  z.object(
    {
      image: z.string({ error: 'must be an image name' }).min(1).optional().describe('The image container runs use (built by `npm run docker-image`, or one of your own with Node and the agent CLIs on its PATH).').meta({ default: 'switchboard-agent:latest' }),
      cpus: z.number({ error: 'must be a number of CPUs' }).positive().optional().describe('CPUs each container run may use (`docker run --cpus`).'),
      memory: z.string({ error: 'must be a size such as 2g' }).regex(/^\d+(\.\d+)?\s*[kmgKMG]?[bB]?$/, { error: 'must be a size such as 512m or 2g' }).optional().describe('Memory each container run may use (`docker run --memory`), e.g. 2g.'),
      network: z.string({ error: 'must be a network mode' }).min(1).optional().describe('The network mode of container runs: bridge, host, none or a network name.').meta({ default: 'bridge' }),
      env: z.array(z.string(), { error: 'must be an array of variable names' }).optional().describe("Names of this process's environment variables passed into containers (the agent CLIs' credentials); nothing else of the environment is."),
      files: z.array(z.string(), { error: 'must be an array of paths' }).optional().describe('Files mounted read-only at the same path in every container run (credential files a CLI reads).').meta({ default: [] }),
      sshArgs: z.array(z.string(), { error: 'must be an array of ssh arguments' }).optional().describe('Arguments given to `ssh` before the host when an engine is reached over ssh:// (a Docker context or DOCKER_HOST), e.g. ["-i", "/home/me/.ssh/build_box"].').meta({ default: [] }),
      contexts: z.array(z.string().min(1), { error: 'must be an array of Docker context names' }).optional().describe('Docker contexts container runs go to (`--backend docker:<context>`): Doctor checks the engine of each.').meta({ default: [] }),
      copyWorktree: z.enum(['auto', 'always', 'never'], { error: 'must be "auto", "always" or "never"' }).optional().describe("Whether a docker run's worktree is copied into a volume of the run's and back when it ends, instead of mounted: auto copies for an engine not on this machine (ssh://, tcp://), mounts for the local socket.").meta({ default: 'auto' }),
    },
    { error: 'must be an object ({ "image", "cpus", "memory", "network", "env", "files", "sshArgs", "contexts", "copyWorktree" })' },
  ),
);

const gate = once(() =>
  z.object(
    {
      name: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).describe('Names the gate (and its circuit breaker), e.g. `unit`.'),
      command: commandLine.min(1, { error: 'must not be empty' }).describe('Its command line, e.g. `npm test`; split like a shell would, but no shell runs it.'),
      required: z.boolean({ error: 'must be true or false' }).optional().describe('The goal is not ready unless it passes (default true); an optional gate is run and told, not required.'),
      timeoutSecs: z.number({ error: 'must be a number of seconds' }).positive({ error: 'must be more than 0' }).optional().describe('Killed, with all it started, after this many seconds (default 600).'),
    },
    { error: 'must be an object ({ "name", "command", "required", "timeoutSecs" })' },
  ),
);

const goals = once(() =>
  z.object(
    {
      budgetWarningAt: z.number({ error: 'must be a number from 0.01 to 1' }).min(0.01, { error: 'must be a number from 0.01 to 1' }).max(1, { error: 'must be a number from 0.01 to 1' }).optional().describe('The part of any budget past which a goal warns (`budget.warning`), 0.01 to 1: 0.8 is 80%.').meta({ default: 0.8 }),
      evaluatorRubric: z
        .record(z.string(), nonNegative, { error: 'must be an object of dimension names to weights' })
        .refine((rubric) => Object.values(rubric).some((w) => w > 0), { error: 'must give at least one dimension a weight above 0' })
        .optional()
        .describe("The evaluator's rubric: the dimensions it scores 0..1 and their weights; the score is the weighted mean.")
        .meta({ default: { correctness: 0.5, safety: 0.3, style: 0.2 } }),
      gates: z.array(gate(), { error: 'must be an array of { "name", "command", "required", "timeoutSecs" }' }).optional().describe('The gates of a goal created without any (those detected in the workspace otherwise).').meta({ default: [] }),
    },
    { error: 'must be an object ({ "budgetWarningAt", "evaluatorRubric", "gates" })' },
  ),
);

const breakers = once(() =>
  z.object(
    {
      failureThreshold: wholeNumber(1).optional().describe("Failures in a row that open a gate's circuit breaker (the gate then fails at once without running).").meta({ default: 5 }),
      recoveryTimeoutSecs: nonNegative.optional().describe('Seconds an open breaker waits before it lets trial runs through (HalfOpen).').meta({ default: 60 }),
      halfOpenCalls: wholeNumber(1).optional().describe('Trial runs a half-open breaker lets through: a pass closes it, a failure opens it again.').meta({ default: 3 }),
    },
    { error: 'must be an object ({ "failureThreshold", "recoveryTimeoutSecs", "halfOpenCalls" })' },
  ),
);

/** The file's fields, each made when first needed. Every one may be left out: the defaults (DEFAULT_CONFIG) fill in. */
export const CONFIG_FIELDS = {
  $schema: once(() => z.string().optional().describe('This JSON Schema, for editors.')),
  version: once(() => z.literal(1, { error: 'must be 1, the only version there is' }).optional().describe('The version of this file: 1.')),
  runners: once(() => runnersConfig().optional()),
  prices: once(() => z.record(z.string(), price(), { error: 'must be an object of model names to { "inputPerMTok", "outputPerMTok" }' }).optional().describe('Prices by model name (or `<runner>:default`), over the built-in ones, to estimate the cost of CLIs that do not report it.')),
  retentionHours: once(() => nonNegative.optional().describe('Finished runs and their logs are removed after this many hours; running ones never.').meta({ default: 168 })),
  killGraceMs: once(() => nonNegative.optional().describe('How long a kill waits after the graceful stop before it kills the whole process tree, in milliseconds.').meta({ default: 5000 })),
  outputTailBytes: once(() => nonNegative.optional().describe("Bytes of each run's output kept in memory for quick display.").meta({ default: 65536 })),
  agentNiceness: once(() => wholeNumber(0, 19, 'must be a whole number from 0 (normal priority) to 19 (lowest)').optional().describe('The CPU priority agents run at, 0 (normal) to 19 (lowest), so that they give way to the editor.').meta({ default: 19 })),
  maxWorkers: once(() => wholeNumber(1).optional().describe('At most this many runs at once over all pools; more wait in line.').meta({ default: 16 })),
  pools: once(() => z.record(z.string(), poolLimits(), { error: 'must be an object of pool names to { "maxWorkers", "maxQueue" }' }).optional().describe('Admission pools by name (`default` takes runs that name none, `teams` the runs of teams); a run waits in line while its pool is full.')),
  teams: once(() => teams().optional().describe('How teams are made: roles, and what each new worker worktree gets.')),
  webhooks: once(() => z.array(webhookSchema(), { error: 'must be an array of { "url", "events", "secret", "format" }' }).optional().describe('Told of what happens (a run ended, a task done, a goal ready…) by a signed POST each.').meta({ default: [] })),
  containers: once(() => containers().optional().describe('Container runs (`--backend docker` or `swarm`): the image, CPU and memory limits, network, and the credentials passed in.')),
  redaction: once(() => redaction().optional().describe('More secrets to keep out of every answer, besides the built-in shapes and the environment\'s secrets.')),
  goals: once(() => goals().optional().describe('Goals: the budget warning mark, the evaluator\'s rubric, and the gates of a goal given none.')),
  gates: once(() => breakers().optional().describe("The gates' circuit breakers: when one opens, how long it stays open, its trial runs.")),
};

type ConfigFields = { [K in keyof typeof CONFIG_FIELDS]: ReturnType<(typeof CONFIG_FIELDS)[K]> };
type FieldName = keyof ConfigFields;
const FIELD_NAMES = Object.keys(CONFIG_FIELDS) as FieldName[];

/** The file's object of `names` (in the order of CONFIG_FIELDS, which is the order its problems are told in). */
function fileObject<N extends FieldName>(names: readonly N[]) {
  return z.object(Object.fromEntries(names.map((name) => [name, CONFIG_FIELDS[name]()])) as Pick<ConfigFields, N>, { error: 'must be a JSON object' });
}

/** The whole file (its JSON Schema is made from this). */
export const configFileSchema = once(() => fileObject(FIELD_NAMES).describe('Switchboard settings for the headless CLI (`switchboard`), in its state folder.'));

export type ConfigFile = z.output<ReturnType<typeof configFileSchema>>;

/**
 * The schema of a file with the fields `value` has: it checks and parses that file as the whole one
 * does (every field may be left out, and unknown ones are dropped), making only those fields.
 */
export function configSchemaFor(value: unknown): z.ZodType<ConfigFile> {
  const given = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
  return fileObject(FIELD_NAMES.filter((name) => Object.hasOwn(given, name)));
}
