/**
 * The model step of Run Agent and Compare Agents, as data: the runner's default first (its
 * `model` setting, or the CLI's own), then the models known for it (the price table's, with their
 * price), then typing any other name, checked by the rule every run's model follows.
 */
import type { SwitchboardConfig } from '../../core/config';
import { knownModels, MODEL_PATTERN, MODEL_RULE } from '../../core/runners/models';

export const RUNNER_DEFAULT = 'Runner default';
export const TYPE_MODEL = 'Type a model…';

export interface ModelChoice {
  label: string;
  description?: string;
  detail?: string;
  /** `default`: no model of its own; `known`: `model`; `type`: ask for a name. */
  choice: 'default' | 'known' | 'type';
  model?: string;
}

export function modelChoices(runner: string, config: Pick<SwitchboardConfig, 'runners' | 'prices'>): ModelChoice[] {
  const known = knownModels(runner, config);
  const configured = known.find((k) => k.configured);
  return [
    {
      choice: 'default',
      label: RUNNER_DEFAULT,
      description: configured ? configured.model : "the CLI's own default",
      detail: configured ? `From the setting switchboard.runners.${runner}.model` : 'Nothing is passed: the CLI uses the model its own configuration names',
    },
    ...known.filter((k) => !k.configured).map((k): ModelChoice => ({ choice: 'known', label: k.model, model: k.model, ...(k.price ? { description: `$${k.price.inputPerMTok} in / $${k.price.outputPerMTok} out per million tokens` } : {}) })),
    { choice: 'type', label: TYPE_MODEL, description: 'any name the CLI knows' },
  ];
}

/** Why a typed model name cannot be used, or undefined when it can. */
export function modelProblem(text: string): string | undefined {
  return MODEL_PATTERN.test(text.trim()) ? undefined : `Give ${MODEL_RULE}.`;
}
