/** package.json's settings and the code agree: the keys read, their defaults, the runner lists, and the config.json fields they mirror. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG } from '../../src/core/config';
import { configFileSchema } from '../../src/core/configSchema';
import { RUNNER_IDS } from '../../src/core/runners/runnerTable';
import { jsonSchemaOf } from '../../src/schemaFiles';
import { AGENT_RUNNERS, ALL_SETTINGS } from '../../src/vscode/settingKeys';

type JsonSchema = Record<string, unknown>;

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
const properties = manifest.contributes.configuration.properties as Record<string, JsonSchema & { default?: unknown }>;
const contributed = (key: string): JsonSchema & { default?: unknown } => {
  const setting = properties[`switchboard.${key}`];
  assert.ok(setting, `switchboard.${key} is contributed`);
  return setting;
};

/** What a JSON Schema allows, without its texts and defaults (so that a setting and a config.json field compare). */
function allowed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(allowed);
  if (schema === null || typeof schema !== 'object') return schema;
  const kept = ['type', 'enum', 'minimum', 'maximum', 'items', 'properties', 'additionalProperties', 'required'];
  return Object.fromEntries(Object.entries(schema).filter(([k]) => kept.includes(k)).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, allowed(s)])) : allowed(v)]));
}

describe('settings in package.json', () => {
  it('contributes every setting the code reads, and reads every setting it contributes', () => {
    const read = ALL_SETTINGS.map((s) => `switchboard.${s.key}`).sort();
    assert.equal(new Set(read).size, read.length, 'no key is read twice');
    assert.deepEqual(Object.keys(properties).sort(), read);
  });

  it('gives each setting the default the code falls back to', () => {
    for (const setting of ALL_SETTINGS) assert.deepEqual(contributed(setting.key).default, setting.fallback, `switchboard.${setting.key}`);
  });

  it("gives the core's defaults (DEFAULT_CONFIG) as its own", () => {
    const expected: Record<string, unknown> = {
      retentionHours: DEFAULT_CONFIG.retentionHours,
      maxConcurrentAgents: DEFAULT_CONFIG.maxWorkers,
      killGraceSeconds: DEFAULT_CONFIG.killGraceMs / 1000,
      runAgentsAtLowPriority: DEFAULT_CONFIG.agentNiceness === 19,
      pools: DEFAULT_CONFIG.pools,
      'teams.roles': DEFAULT_CONFIG.teams.roles,
      'teams.setupCommand': DEFAULT_CONFIG.teams.setup ?? '',
      'teams.copyFiles': DEFAULT_CONFIG.teams.copyFiles,
      'teams.maxAttempts': DEFAULT_CONFIG.teams.maxAttempts,
      prices: {}, // over DEFAULT_CONFIG.prices, which settings.ts keeps
      webhooks: DEFAULT_CONFIG.webhooks,
      'redaction.patterns': DEFAULT_CONFIG.redaction.patterns,
      'redaction.secrets': DEFAULT_CONFIG.redaction.secrets,
      'containers.image': DEFAULT_CONFIG.containers.image,
      'containers.network': DEFAULT_CONFIG.containers.network,
      'containers.env': DEFAULT_CONFIG.containers.env,
      'containers.files': DEFAULT_CONFIG.containers.files,
      'containers.sshArgs': DEFAULT_CONFIG.containers.sshArgs,
      'goals.budgetWarningAt': DEFAULT_CONFIG.goals.budgetWarningAt,
      'goals.evaluatorRubric': DEFAULT_CONFIG.goals.evaluatorRubric,
      'goals.gates': DEFAULT_CONFIG.goals.gates,
      'gates.failureThreshold': DEFAULT_CONFIG.gates.failureThreshold,
      'gates.recoveryTimeoutSecs': DEFAULT_CONFIG.gates.recoveryTimeoutSecs,
      'gates.halfOpenCalls': DEFAULT_CONFIG.gates.halfOpenCalls,
    };
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(contributed(key).default, value, `switchboard.${key}`);
    for (const id of AGENT_RUNNERS) assert.deepEqual(contributed(`runners.${id}.extraArgs`).default, []);
  });

  it('knows the same runners as the runner table', () => {
    assert.deepEqual([...AGENT_RUNNERS, 'custom'], RUNNER_IDS);
    assert.deepEqual(contributed('defaultRunner').enum, RUNNER_IDS);
    assert.ok(RUNNER_IDS.includes(contributed('defaultRunner').default as string));
    const roles = contributed('teams.roles') as { additionalProperties: { properties: { runner: { enum: string[] } } } };
    assert.deepEqual(roles.additionalProperties.properties.runner.enum, RUNNER_IDS);
    const perRunner = new Set(Object.keys(properties).flatMap((key) => /^switchboard\.runners\.([^.]+)\./.exec(key)?.[1] ?? []));
    assert.deepEqual([...perRunner], RUNNER_IDS);
    for (const id of AGENT_RUNNERS) for (const field of ['path', 'extraArgs', 'model', 'permissionMode']) contributed(`runners.${id}.${field}`);
    contributed('runners.custom.command');
  });

  it('allows the values config.json allows where a setting fills a config.json field', () => {
    const config = jsonSchemaOf(configFileSchema()) as { properties: Record<string, { properties?: Record<string, unknown> }> };
    const teams = config.properties.teams!.properties!;
    const redaction = config.properties.redaction!.properties!;
    const containers = config.properties.containers!.properties!;
    const pairs: [string, unknown][] = [
      ['maxConcurrentAgents', config.properties.maxWorkers],
      ['pools', config.properties.pools],
      ['prices', config.properties.prices],
      ['teams.roles', teams.roles],
      ['teams.copyFiles', teams.copyFiles],
      ['teams.maxAttempts', teams.maxAttempts],
      ['webhooks', config.properties.webhooks],
      ['redaction.patterns', redaction.patterns],
      ['redaction.secrets', redaction.secrets],
      ...['image', 'memory', 'network', 'env', 'files', 'sshArgs'].map((key): [string, unknown] => [`containers.${key}`, containers[key]]),
      ...['budgetWarningAt', 'evaluatorRubric', 'gates'].map((key): [string, unknown] => [`goals.${key}`, config.properties.goals!.properties![key]]),
      ...['failureThreshold', 'recoveryTimeoutSecs', 'halfOpenCalls'].map((key): [string, unknown] => [`gates.${key}`, config.properties.gates!.properties![key]]),
    ];
    for (const [key, field] of pairs) assert.deepEqual(allowed(contributed(key)), allowed(field), `switchboard.${key}`);
  });
});
