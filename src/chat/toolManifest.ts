/**
 * Switchboard's operations as language model tools: each tool's `languageModelTools` entry in
 * package.json, made from the operation (its name with a `switchboard_` prefix, its description
 * for the model, the JSON Schema of its zod input as MCP lists it). package.json holds the output
 * of `npx tsx scripts/syncChatTools.ts`; a unit test fails when they drift. Free of `vscode`.
 */
import { describeTool } from '../mcp/toolKit';
import type { Operation } from '../ops/operation';

export const TOOL_PREFIX = 'switchboard_';

export const toolName = (op: Operation): string => `${TOOL_PREFIX}${op.name}`;

/** The operation a tool name stands for, by name. */
export const opNameOf = (tool: string): string | undefined => (tool.startsWith(TOOL_PREFIX) ? tool.slice(TOOL_PREFIX.length) : undefined);

/** Merges change the user's branches: not destructive to MCP clients' hints, but asked about here. */
const MERGES = new Set(['merge_worker', 'run_merge']);

/** Whether a call asks the user first: operations that stop, remove, merge or roll back work. */
export const isDestructive = (op: Operation): boolean => op.annotations?.destructiveHint === true || MERGES.has(op.name);

/** The thing a call acts on, from its input (a run's id, a team's or goal's name…), for a confirmation to name it. */
const TARGETS = ['id', 'name', 'goal_id', 'team', 'worker', 'gate'] as const;

/** A destructive call's question, naming what it acts on: `Kill an agent: custom-3?`. */
export function confirmationTitle(op: Operation, input: unknown): string {
  const args = (input ?? {}) as Record<string, unknown>;
  const target = TARGETS.map((k) => args[k]).find((v): v is string => typeof v === 'string' && v !== '');
  return `${op.title}${target ? `: ${target}` : ''}?`;
}

export interface ToolContribution {
  name: string;
  displayName: string;
  toolReferenceName: string;
  canBeReferencedInPrompt: boolean;
  icon: string;
  userDescription: string;
  modelDescription: string;
  inputSchema: Record<string, unknown>;
}

export function toolContribution(op: Operation): ToolContribution {
  const { $schema: _schema, ...inputSchema } = describeTool(op).inputSchema as Record<string, unknown>;
  return {
    name: toolName(op),
    displayName: `Switchboard: ${op.title}`,
    toolReferenceName: op.name,
    canBeReferencedInPrompt: true,
    icon: '$(radio-tower)',
    userDescription: op.title,
    modelDescription: op.description,
    inputSchema,
  };
}
