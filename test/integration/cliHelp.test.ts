/** Every command's help, usage errors and the version, from the built CLI: one usage text per command, exit 0 for help, 2 for usage errors. */
import * as assert from 'node:assert/strict';
import packageJson from '../../package.json';
import { DOCS, TOP_LEVEL } from '../../src/cli/commandDocs';
import { commandUsage, topLevelHelp } from '../../src/cli/usage';
import { ensureBuilt, tempDir } from '../support/harness';
import { inBatches, runCli } from '../support/cliChild';

describe('CLI help and usage', function () {
  this.timeout(120_000);
  let home: string;
  /** Every command and subcommand the CLI has. */
  const KEYS = Object.keys(DOCS);
  before(() => ensureBuilt());
  beforeEach(() => (home = tempDir('sb-cli-help-')));

  it('--help and -h print each command\'s usage on stdout and exit 0', async () => {
    assert.ok(KEYS.length >= 25, KEYS.join(' '));
    const cases = KEYS.flatMap((key) => [[...key.split(' '), '--help'], [...key.split(' '), '-h'], ['help', ...key.split(' ')]]);
    await inBatches(cases, 8, async (args) => {
      const key = args.filter((a) => a !== 'help' && !a.startsWith('-')).join(' ');
      const result = await runCli(home, args);
      assert.deepEqual([result.code, result.stderr], [0, ''], args.join(' '));
      assert.equal(result.stdout, `${commandUsage(key)}\n`, args.join(' '));
      assert.match(result.stdout, new RegExp(`^usage: switchboard ${key.replace(/[-]/g, '\\-')}`), args.join(' '));
    });
    // Options and arguments before --help do not matter; after `--` it is a value, not a question.
    const late = await runCli(home, ['team', 'run', '2:executor', 'x', '--name', 'n', '--help']);
    assert.equal(late.stdout, `${commandUsage('team run')}\n`);
    const literal = await runCli(home, ['steer', 'nope', '--', '--help']);
    assert.equal(literal.code, 1);
    assert.match(literal.stderr, /No run is called "nope"/);
  });

  it('the top-level help lists every command and subcommand; --version prints the package version', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const result = await runCli(home, args);
      assert.deepEqual([result.code, result.stdout, result.stderr], [0, `${topLevelHelp()}\n`, ''], args.join(' '));
    }
    const help = topLevelHelp();
    for (const key of TOP_LEVEL) for (const [synopsis] of DOCS[key]!.forms) assert.ok(help.includes(`  ${synopsis}`), synopsis);
    for (const key of KEYS.filter((k) => k.includes(' '))) assert.ok(help.includes(`  ${DOCS[key]!.forms[0]![0]}`), key);
    for (const sub of ['list', 'resume', 'add-task', 'cancel-task', 'merge-status', 'merge', 'cleanup']) assert.match(help, new RegExp(`^  team ${sub} `, 'm'));
    assert.match(help, /^ {2}events \[--follow\] \[--since SEQ\] \[--type T\]\.\.\.\n {30}the live feed of changes \(runs, teams, tasks, pools\)$/m);
    const none = await runCli(home, []);
    assert.deepEqual([none.code, none.stdout, none.stderr], [2, '', `${help}\n`]);
    for (const args of [['--version'], ['-V'], ['version']]) {
      const result = await runCli(home, args);
      assert.deepEqual([result.code, result.stdout, result.stderr], [0, `${packageJson.version}\n`, ''], args.join(' '));
    }
    assert.deepEqual(JSON.parse((await runCli(home, ['--version', '--format', 'json'])).stdout), { version: packageJson.version });
  });

  it('a command without its required arguments exits 2 with its usage on stderr', async () => {
    const cases: [string[], string, RegExp][] = [
      [['status'], 'status', /which run\?/],
      [['logs'], 'logs', /which run\?/],
      [['steer'], 'steer', /which run\?/],
      [['steer', 'x'], 'steer', /the message is missing/],
      [['interrupt'], 'interrupt', /which run\?/],
      [['kill'], 'kill', /which run\?/],
      [['kill', 'a', 'b'], 'kill', /one run at a time/],
      [['wait'], 'wait', /which run\?/],
      [['rm'], 'rm', /which run\?/],
      [['run'], 'run', /which runner\?/],
      [['run', 'claude'], 'run', /the prompt is missing/],
      [['pools'], 'pools', /which pools command\? status, cleanup/],
      [['pools', 'frob'], 'pools', /unknown pools command "frob"/],
      [['pools', 'status', 'extra'], 'pools status', /Unexpected argument 'extra'/],
      [['dag'], 'dag', /which dag command\? show/],
      [['dag', 'show'], 'dag show', /<team> missing/],
      [['mcp'], 'mcp', /--stdio or --http\?/],
      [['mcp', 'config'], 'mcp config', /which client\?/],
      [['mcp', 'config', 'emacs'], 'mcp config', /"emacs" is not one of claude, codex, gemini, cursor/],
      [['team'], 'team', /which team command\? run, list, status, shutdown, resume, add-task/],
      [['team', 'frob'], 'team', /unknown team command "frob"/],
      [['team', 'run'], 'team run', /<spec> and the task missing/],
      [['team', 'run', '2:executor'], 'team run', /the task is missing/],
      [['team', 'status'], 'team status', /<name> missing/],
      [['team', 'list', 'x'], 'team list', /unexpected "x"/],
      [['team', 'shutdown'], 'team shutdown', /<name> missing/],
      [['team', 'resume'], 'team resume', /<name> missing/],
      [['team', 'add-task', 'alpha'], 'team add-task', /the title is missing/],
      [['team', 'cancel-task', 'alpha'], 'team cancel-task', /<task id> missing/],
      [['team', 'merge-status'], 'team merge-status', /<name> missing/],
      [['team', 'merge', 'alpha'], 'team merge', /<worker> missing/],
      [['team', 'cleanup'], 'team cleanup', /<name> missing/],
    ];
    await inBatches(cases, 8, async ([args, key, problem]) => {
      const result = await runCli(home, args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, problem, args.join(' '));
      assert.ok(result.stderr.startsWith(`switchboard: ${key}: `), result.stderr);
      assert.ok(result.stderr.endsWith(`\n${commandUsage(key)}\n`), `${args.join(' ')}: ${result.stderr}`);
    });
    const json = await runCli(home, ['team', 'status', '--format', 'json']);
    assert.equal(json.code, 2);
    assert.deepEqual(JSON.parse(json.stdout).error, { code: 'usage', message: 'team status: <name> missing', usage: commandUsage('team status') });
  });

  it('an unknown option is a usage error naming it, for every command', async () => {
    await inBatches(KEYS, 8, async (key) => {
      const args = [...key.split(' '), '--frobnicate'];
      const result = await runCli(home, args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /unknown option --frobnicate/, args.join(' '));
      assert.ok(result.stderr.endsWith(`\n${commandUsage(key)}\n`), `${args.join(' ')}: ${result.stderr}`);
    });
  });
});
