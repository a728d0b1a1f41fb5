/** The JSON Schemas the build writes for editors (dist/schemas/): there, current, contributed, and they tell good files from bad. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { jsonSchemaOf, SCHEMA_FILES } from '../../src/schemaFiles';

const root = path.join(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const built = (name: string): Record<string, unknown> => {
  const file = path.join(root, 'dist', 'schemas', name);
  assert.ok(fs.existsSync(file), `${file} exists (the build, node esbuild.mjs, writes it)`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
};

/** VS Code's fileMatch globs, enough for these: `**` any folders, `*` within a name; a pattern without `/` matches the name. */
const matches = (pattern: string, file: string): boolean => {
  const regex = pattern
    .split('**/')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('(?:.*/)?');
  return new RegExp(`^${regex}$`).test(pattern.includes('/') ? file : path.posix.basename(file));
};

/** Every property of the schema, with its path, so that each can be checked for a hover text. */
function* propertiesOf(schema: unknown, at = ''): Generator<[string, Record<string, unknown>]> {
  if (schema === null || typeof schema !== 'object') return;
  const s = schema as Record<string, unknown>;
  for (const [name, sub] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) {
    yield [`${at}${name}`, sub];
    yield* propertiesOf(sub, `${at}${name}.`);
  }
  for (const key of ['items', 'additionalProperties']) yield* propertiesOf(s[key], `${at}*.`);
  for (const sub of (s.anyOf ?? []) as unknown[]) yield* propertiesOf(sub, at);
}

describe('JSON Schema files', () => {
  it('are built from the current zod schemas, as draft-07, with a hover text for every field', () => {
    for (const [name, schema] of Object.entries(SCHEMA_FILES)) {
      const file = built(name);
      assert.deepEqual(file, jsonSchemaOf(schema), `${name} is current (rebuild with node esbuild.mjs)`);
      assert.equal(file.$schema, 'http://json-schema.org/draft-07/schema#');
      assert.ok(file.description);
      const fields = [...propertiesOf(file)];
      assert.ok(fields.length > 5);
      for (const [field, sub] of fields) assert.ok(sub.description && sub.markdownDescription, `${name}: ${field} has a description`);
    }
  });

  it('tell a good config.json from a bad one', () => {
    const check = z.fromJSONSchema(built('config.schema.json') as never);
    const good = { $schema: 'x', version: 1, runners: { claude: { binary: 'claude', extraArgs: [] } }, maxWorkers: 4, agentNiceness: 0, pools: { teams: { maxWorkers: 2, maxQueue: 0 } }, teams: { maxAttempts: 1, copyFiles: ['.env'], roles: { tester: { runner: 'codex' } } }, prices: { m: { inputPerMTok: 0, outputPerMTok: 1 } }, mine: true };
    assert.ok(check.safeParse(good).success);
    for (const bad of [{ version: 2 }, { maxWorkers: 1.5 }, { agentNiceness: 20 }, { teams: { maxAttempts: '2' } }, { teams: { roles: { x: { runner: 'aider' } } } }, { pools: { p: {} } }, { runners: { claude: { extraArgs: '-x' } } }, { prices: { m: { inputPerMTok: 1 } } }, []]) {
      assert.equal(check.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });

  it('tell a good task file from a bad one', () => {
    const check = z.fromJSONSchema(built('tasks.schema.json') as never);
    assert.ok(check.safeParse([{ id: 'T1', title: 'a' }, { title: 'b', depends_on: ['T1'], role: 'executor', description: 'more' }]).success);
    assert.ok(check.safeParse({ $schema: 'x', tasks: [{ title: 'a', dependsOn: [] }] }).success);
    for (const bad of [[], [{ id: 'T1' }], [{ title: 'a', depends_on: 'T1' }], [{ title: 3 }], { tasks: [] }, { steps: [{ title: 'a' }] }, 'a']) {
      assert.equal(check.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });

  it('are contributed for config.json in the state folder and *.tasks.json, and ship in the VSIX', () => {
    const entries = manifest.contributes.jsonValidation as { fileMatch: string[]; url: string }[];
    assert.deepEqual(entries.map((e) => e.url).sort(), Object.keys(SCHEMA_FILES).map((name) => `./dist/schemas/${name}`).sort());
    const schemaFor = (file: string) => entries.find((e) => e.fileMatch.some((p) => matches(p, file)))?.url;
    for (const file of ['/home/me/.local/state/switchboard/config.json', '/Users/me/Library/Application Support/Switchboard/config.json', '/c:/Users/me/AppData/Local/Switchboard/config.json']) {
      assert.equal(schemaFor(file), './dist/schemas/config.schema.json', file);
    }
    assert.equal(schemaFor('/work/repo/login.tasks.json'), './dist/schemas/tasks.schema.json');
    for (const file of ['/work/repo/config.json', '/work/repo/.vscode/tasks.json', '/work/repo/package.json']) assert.equal(schemaFor(file), undefined, file);
    assert.ok(fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').includes('!dist/schemas/**'));
  });
});
