/** config.json: one schema checks it; a good file is taken, a wrong field is named, a broken file is set aside for the defaults. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configProblem, DEFAULT_CONFIG, loadConfigFile } from '../../src/core/config';
import { configFileSchema, configSchemaFor } from '../../src/core/configSchema';

/** The example config.json of the README. */
const readmeExample = (): unknown => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const block = /reads optional settings from\s+`<state>\/config\.json`:\s+```json\n([\s\S]*?)```/.exec(readme);
  assert.ok(block, 'the README shows a config.json');
  return JSON.parse(block[1]!);
};

describe('config.json', () => {
  let stateDir: string;
  beforeEach(() => (stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-config-'))));
  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));
  const write = (value: unknown) => fs.writeFileSync(path.join(stateDir, 'config.json'), typeof value === 'string' ? value : JSON.stringify(value));
  const setAside = () => fs.readdirSync(stateDir).filter((f) => f.startsWith('config.json.corrupt-'));

  it("takes the README's example, an empty file, and keys it does not know", () => {
    assert.equal(configProblem(readmeExample()), undefined);
    assert.equal(configProblem({}), undefined);
    assert.equal(configProblem({ $schema: './config.schema.json', comment: 'mine', runners: { someday: { binary: 'x' } }, teams: { later: true } }), undefined);
  });

  it('merges what the file sets over the defaults, without the keys it does not know', () => {
    write({ version: 1, $schema: 'x', unknown: 1, maxWorkers: 4, runners: { codex: { model: 'gpt-5', extraArgs: ['-q'] } }, pools: { teams: { maxWorkers: 2, maxQueue: 5 } }, teams: { maxAttempts: 3, roles: { tester: { runner: 'claude' } } }, prices: { m: { inputPerMTok: 1, outputPerMTok: 2 } } });
    const { config, warning } = loadConfigFile(stateDir);
    assert.equal(warning, undefined);
    assert.equal(config.maxWorkers, 4);
    assert.deepEqual(config.runners.codex, { model: 'gpt-5', extraArgs: ['-q'] });
    assert.deepEqual(config.pools, { default: { maxWorkers: 8 }, teams: { maxWorkers: 2, maxQueue: 5 } });
    assert.deepEqual(config.teams, { roles: { tester: { runner: 'claude' } }, copyFiles: [], maxAttempts: 3 });
    assert.deepEqual(config.prices.m, { inputPerMTok: 1, outputPerMTok: 2 });
    assert.equal(config.prices['gpt-5']?.inputPerMTok, DEFAULT_CONFIG.prices['gpt-5']?.inputPerMTok);
    assert.equal(config.retentionHours, DEFAULT_CONFIG.retentionHours);
    assert.ok(!('unknown' in config) && !('$schema' in config) && !('version' in config));
    assert.deepEqual(loadConfigFile(fs.mkdtempSync(path.join(stateDir, 'none-'))), { config: DEFAULT_CONFIG });
  });

  it('names each wrong field and what it must be', () => {
    const cases: [unknown, string][] = [
      [[], 'the file must be a JSON object'],
      [{ version: 2 }, '"version" must be 1'],
      [{ retentionHours: '5' }, '"retentionHours" must be a number of at least 0'],
      [{ killGraceMs: -1 }, '"killGraceMs" must be a number of at least 0'],
      [{ outputTailBytes: null }, '"outputTailBytes" must be a number of at least 0'],
      [{ agentNiceness: 20 }, '"agentNiceness" must be a whole number from 0 (normal priority) to 19 (lowest)'],
      [{ maxWorkers: 1.5 }, '"maxWorkers" must be a whole number of at least 1'],
      [{ runners: { claude: { binary: 7 } } }, '"runners.claude.binary" must be a string, not number 7'],
      [{ runners: { codex: { extraArgs: '--full-auto' } } }, '"runners.codex.extraArgs" must be an array of arguments (strings)'],
      [{ runners: { custom: { command: ['a'] } } }, '"runners.custom.command" must be a command line (a string)'],
      [{ prices: { m: { inputPerMTok: 1 } } }, '"prices.m.outputPerMTok" is required (it must be a number of at least 0)'],
      [{ pools: { teams: {} } }, '"pools.teams.maxWorkers" is required (it must be a whole number of at least 1)'],
      [{ pools: { teams: { maxWorkers: 2, maxQueue: -1 } } }, '"pools.teams.maxQueue" must be a whole number of at least 0'],
      [{ teams: [] }, '"teams" must be an object'],
      [{ teams: { setup: ['npm', 'ci'] } }, '"teams.setup" must be a command line (a string)'],
      [{ teams: { copyFiles: '.env' } }, '"teams.copyFiles" must be an array of paths'],
      [{ teams: { maxAttempts: 0 } }, '"teams.maxAttempts" must be a whole number of at least 1'],
      [{ teams: { maxAttempts: '2' } }, '"teams.maxAttempts" must be a whole number of at least 1'],
      [{ teams: { roles: { tester: 'x' } } }, '"teams.roles.tester" must be an object'],
      [{ teams: { roles: { tester: { runner: 'aider' } } } }, '"teams.roles.tester.runner" must be one of "claude", "codex", "gemini", "qwen", "opencode", "kilo", "copilot", "cline", "custom", not "aider"'],
      [{ teams: { roles: { tester: { preamble: 1 } } } }, '"teams.roles.tester.preamble" must be a string, not number 1'],
    ];
    for (const [value, message] of cases) assert.ok(configProblem(value)?.startsWith(message), `${JSON.stringify(value)}: ${configProblem(value)}`);
  });

  it('tells several problems at once, the first five', () => {
    const problem = configProblem({ version: 3, maxWorkers: 0, agentNiceness: -1, retentionHours: 'x', killGraceMs: 'y', teams: { maxAttempts: 0 }, pools: { a: {} } });
    assert.match(problem!, /^"version" must be 1.*; "retentionHours" .*; "killGraceMs" .*; "agentNiceness" .*; "maxWorkers" .*; and 2 more problems$/);
  });

  it('checks a file with the schema of the fields it has exactly as with the whole one', () => {
    const files: unknown[] = [readmeExample(), {}, [], 'x', null, 7, { agentNiceness: 0 }, { agentNiceness: 20, unknown: { a: 1 } }, { version: 3, maxWorkers: 0, agentNiceness: -1, retentionHours: 'x', killGraceMs: 'y', teams: { maxAttempts: 0 }, pools: { a: {} } }];
    files.push({ runners: { claude: { binary: 7 }, codex: { protocol: 'acp' } }, webhooks: [{ url: 'ftp://x' }], redaction: { patterns: [{ name: 'n', pattern: '(' }] }, goals: { evaluatorRubric: { a: 0 } }, gates: { halfOpenCalls: 0 }, containers: { memory: 'lots' } });
    for (const value of files) {
      const [part, whole] = [configSchemaFor(value).safeParse(value), configFileSchema().safeParse(value)];
      assert.deepEqual([part.success, part.data, part.error?.issues], [whole.success, whole.data, whole.error?.issues], JSON.stringify(value));
    }
  });

  it('sets a corrupt file aside, says why, and uses the defaults', () => {
    write('{ "maxWorkers": 4,');
    const { config, warning } = loadConfigFile(stateDir);
    assert.deepEqual(config, DEFAULT_CONFIG);
    assert.match(warning!, /config\.json was unreadable \(not valid JSON .*\); it was set aside as .*config\.json\.corrupt-.* and defaults are used\./);
    assert.equal(setAside().length, 1);
    assert.ok(!fs.existsSync(path.join(stateDir, 'config.json')));
  });

  it('sets a file with a wrong field aside too, naming the field, and keeps it as it was', () => {
    write({ maxWorkers: 4, teams: { maxAttempts: 'two' } });
    const { config, warning } = loadConfigFile(stateDir);
    assert.deepEqual(config, DEFAULT_CONFIG);
    assert.match(warning!, /config\.json was unreadable \("teams\.maxAttempts" must be a whole number of at least 1\); it was set aside as .*config\.json\.corrupt-/);
    assert.deepEqual(setAside().map((f) => JSON.parse(fs.readFileSync(path.join(stateDir, f), 'utf8'))), [{ maxWorkers: 4, teams: { maxAttempts: 'two' } }]);
  });
});
