/**
 * The follow-ups offered after an answer, from what it was about (its metadata): after a run,
 * Steer, Show Output and Kill (Show Output alone once it ended); after a team, its status with Show
 * DAG. Free of `vscode` (the participant hands them to VS Code as they are).
 */
import type { AnswerMeta } from './answerContext';

export interface Followup {
  label: string;
  command: string;
  prompt: string;
}

export function followupsOf(meta: AnswerMeta): Followup[] {
  if (meta.team) return [{ label: 'Team status and DAG', command: 'status', prompt: meta.team }];
  if (!meta.run) return [];
  const output = { label: 'Show Output', command: 'logs', prompt: meta.run };
  // An ended run can no longer be steered or killed.
  if (meta.ended) return [output];
  return [{ label: 'Steer', command: 'steer', prompt: meta.run }, output, { label: 'Kill', command: 'kill', prompt: meta.run }];
}
