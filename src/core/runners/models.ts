/**
 * A run's model: the rule a model name given to a run follows (`run --model`, `run_agent`, a task of a
 * team), and the models known for a runner, for a picker: the one its settings name, and those the
 * price table has for it (`<runner>:<model>` keys, and model names of the families its CLI takes).
 */
import type { SwitchboardConfig } from '../config';
import { SwitchboardError } from '../errors';
import type { Price } from '../pricing';
import { getRunner } from './runnerTable';

/** A model name: no whitespace and no control characters (it is one argument of the CLI), at most 200 characters. */
export const MODEL_PATTERN = /^[^\s\p{Cc}]{1,200}$/u;
export const MODEL_RULE = 'a model name without spaces or control characters, at most 200 characters (e.g. claude-sonnet-4-5, gpt-5)';

/**
 * The model names of the price table each runner's CLI takes, by prefix; `provider/prefix`: the CLI
 * takes them with the provider in front (opencode and Kilo name models `provider/model`).
 */
const FAMILIES: Record<string, readonly string[]> = {
  claude: ['claude-'],
  codex: ['gpt-', 'o1', 'o3', 'o4', 'codex-'],
  gemini: ['gemini-'],
  qwen: ['qwen'],
  opencode: ['anthropic/claude-', 'openai/gpt-', 'google/gemini-'],
  kilo: ['anthropic/claude-', 'openai/gpt-', 'google/gemini-'],
  copilot: ['claude-', 'gpt-', 'gemini-'],
  cline: ['claude-', 'gpt-', 'gemini-'],
};

/** The name a runner's CLI takes for a model of the price table, if it is of one of its families. */
function familyName(families: readonly string[], key: string): string | undefined {
  for (const family of families) {
    // A key already in the CLI's own form (`anthropic/claude-opus-4-1` for opencode) is taken as it is.
    if (key.startsWith(family)) return key;
    const provider = family.slice(0, family.indexOf('/') + 1);
    if (key.startsWith(family.slice(provider.length))) return provider + key;
  }
  return undefined;
}

/** Refuses a model for a runner that takes none (custom) or a name that breaks the rule; `where` names the field. */
export function checkModel(runnerId: string, model: string, where = 'the model'): string {
  const runner = getRunner(runnerId);
  if (runner.id === 'custom') {
    throw new SwitchboardError('invalid_argument', `The custom runner takes no model: its command template says everything it runs (${where} was ${JSON.stringify(model)}).`, 'Put the model in the command (--command "my-agent --model X {prompt}", `command` over MCP and the HTTP API), or leave the model out.');
  }
  if (!MODEL_PATTERN.test(model)) throw new SwitchboardError('invalid_argument', `${JSON.stringify(model)} is not a usable model name (${where}).`, `Give ${MODEL_RULE}.`, { field: 'model', value: model });
  return model;
}

export interface KnownModel {
  model: string;
  /** The model the runner's settings name: what a run without a model of its own uses. */
  configured: boolean;
  /** Its price in the price table, when it has one (USD per million tokens). */
  price?: Price;
}

/** The models known for a runner: the configured one first, then the price table's, by name. None for custom. */
export function knownModels(runnerId: string, config: Pick<SwitchboardConfig, 'runners' | 'prices'>): KnownModel[] {
  const runner = getRunner(runnerId);
  if (runner.id === 'custom') return [];
  const families = FAMILIES[runner.id] ?? [];
  const own = `${runner.id}:`;
  const found = new Map<string, KnownModel>();
  for (const [key, price] of Object.entries(config.prices)) {
    const model = key.startsWith(own) ? key.slice(own.length) : key.includes(':') ? undefined : familyName(families, key);
    if (model && model !== 'default') found.set(model, { model, configured: false, price });
  }
  const configured = config.runners[runner.id]?.model;
  const price = configured ? found.get(configured)?.price : undefined;
  if (configured) found.delete(configured);
  const rest = [...found.values()].sort((a, b) => a.model.localeCompare(b.model));
  return configured ? [{ model: configured, configured: true, ...(price ? { price } : {}) }, ...rest] : rest;
}
