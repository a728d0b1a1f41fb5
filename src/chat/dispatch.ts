/**
 * One request to its answer, the same in the chat panel and in `switchboard chat`: the parsed
 * action to the view onto the operations that answers it. Free text is the caller's (the panel's
 * model, the terminal's orchestrator agent). Free of `vscode`.
 */
import type { Answer, AnswerMeta } from './answerContext';
import type { ChatAction } from './chatCommands';
import { helpText } from './chatText';
import { killAllAnswer, killAnswer, logsAnswer, runAnswer, statusAnswer, steerAnswer } from './runAnswers';
import { budgetAnswer, discoveriesAnswer, doctorAnswer, gatesAnswer, goalAnswer, teamAnswer, type TeamChanges } from './workAnswers';

export interface DispatchDeps {
  workspace: string | undefined;
  teamChanges: TeamChanges;
  /** Answers free text. */
  free(text: string): Promise<AnswerMeta>;
  /** What free text does here, for the help. */
  freeHelp: string;
  /** How to give a goal gates of one's own here (the panel's New Goal…, the terminal's `goal create --gate`). */
  ownGates: string;
}

export function dispatch(a: Answer, action: ChatAction, deps: DispatchDeps): Promise<AnswerMeta> | AnswerMeta {
  const registry = a.ops.switchboard()?.runs;
  if (!registry && (action.kind === 'run' || action.kind === 'team')) {
    a.text('Switchboard has no state folder open, so it cannot start work; the Switchboard log says why.');
    return {};
  }
  switch (action.kind) {
    case 'run':
      return runAnswer(a, registry!, action.runner, action.prompt);
    case 'status':
      return statusAnswer(a, action.id);
    case 'steer':
      return steerAnswer(a, action.id, action.message);
    case 'kill':
      return killAnswer(a, action.id);
    case 'killAll':
      return killAllAnswer(a);
    case 'logs':
      return logsAnswer(a, action.id);
    case 'team':
      return teamAnswer(a, deps.teamChanges, action.spec, action.task);
    case 'goal':
      return goalAnswer(a, deps.workspace, action.objective, deps.ownGates);
    case 'budget':
      return budgetAnswer(a, action.goal);
    case 'gates':
      return gatesAnswer(a);
    case 'discoveries':
      return discoveriesAnswer(a);
    case 'doctor':
      return doctorAnswer(a);
    case 'help':
      for (const line of helpText(deps.freeHelp)) a.text(line);
      return { command: 'help' };
    case 'free':
      return deps.free(action.text);
    case 'invalid':
      a.text(`${action.message} Usage: ${action.usage}`);
      return { command: 'invalid' };
  }
}
