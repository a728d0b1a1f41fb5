/**
 * The `@switchboard` chat participant: each request parsed into one action and answered by the
 * matching view onto the operations; follow-ups after an answer about a run (Steer, Show Output,
 * Kill); and the command behind its confirmation buttons.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { isSessionId } from '../../core/chat/chatSessions';
import { Answer, CHAT_INVOKE_COMMAND, type AnswerMeta, type ConfirmArg } from './answerContext';
import { parseChatRequest, type ChatAction } from './chatCommands';
import { failureText, type ChatOps } from './chatOps';
import { helpMarkdown } from './chatText';
import { freeAnswer } from './freeAnswer';
import { killAllAnswer, killAnswer, logsAnswer, runAnswer, statusAnswer, steerAnswer } from './runAnswers';
import { budgetAnswer, discoveriesAnswer, doctorAnswer, gatesAnswer, goalAnswer, teamAnswer, type TeamChanges } from './workAnswers';

export const PARTICIPANT_ID = 'switchboard.chat';

function answer(a: Answer, action: ChatAction, request: vscode.ChatRequest, teamChanges: TeamChanges): Promise<AnswerMeta> | AnswerMeta {
  const registry = a.ops.switchboard()?.runs;
  const workspace = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
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
      return teamAnswer(a, teamChanges, action.spec, action.task);
    case 'goal':
      return goalAnswer(a, workspace, action.objective);
    case 'budget':
      return budgetAnswer(a, action.goal);
    case 'gates':
      return gatesAnswer(a);
    case 'discoveries':
      return discoveriesAnswer(a);
    case 'doctor':
      return doctorAnswer(a);
    case 'help':
      a.stream.markdown(helpMarkdown(false));
      return { command: 'help' };
    case 'free':
      return freeAnswer(a, request);
    case 'invalid':
      a.text(`${action.message} Usage: ${action.usage}`);
      return { command: 'invalid' };
  }
}

function followups(meta: AnswerMeta): vscode.ChatFollowup[] {
  if (meta.run) {
    return [
      { label: 'Steer', command: 'steer', prompt: meta.run },
      { label: 'Show Output', command: 'logs', prompt: meta.run },
      { label: 'Kill', command: 'kill', prompt: meta.run },
    ];
  }
  return [];
}

/** Runs the calls a confirmation button carries, saying what each did, and records kills and goals in the conversation. */
async function confirmed(ops: ChatOps, arg: unknown): Promise<void> {
  const { title, calls, session } = (arg ?? {}) as Partial<ConfirmArg>;
  for (const call of calls ?? []) {
    const result = await ops.call(call.op, call.args, new AbortController().signal);
    if (!result.ok) {
      void vscode.window.showErrorMessage(`${title ?? call.op}: ${failureText(result)}`);
      continue;
    }
    void vscode.window.showInformationMessage(result.summary);
    const id = String(result.structured.id ?? '');
    if (isSessionId(session) && (call.op === 'kill_agent' || call.op === 'goal_create')) ops.sessions()?.record(session, { kind: call.op === 'kill_agent' ? 'kill' : 'goal', id });
  }
}

/** The conversation's session: the last one an answer of ours in its history reported (kept across reloads with the history). */
function sessionOf(context: vscode.ChatContext): string | undefined {
  for (const turn of [...context.history].reverse()) {
    const session = turn instanceof vscode.ChatResponseTurn && turn.participant === PARTICIPANT_ID ? (turn.result.metadata as AnswerMeta | undefined)?.session : undefined;
    if (isSessionId(session)) return session;
  }
  return undefined;
}

export function registerParticipant(extensionUri: vscode.Uri, ops: ChatOps, teamChanges: TeamChanges, logger: Logger): vscode.Disposable[] {
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, async (request, context, stream, token) => {
    const prompt = `${request.command ? `/${request.command} ` : ''}${request.prompt}`;
    const session = sessionOf(context);
    const sessions = ops.sessions();
    const a = new Answer(ops, stream, token, session && sessions?.meta(session) ? session : undefined, prompt);
    if (a.session) sessions?.turn(a.session, 'user', prompt);
    let metadata: AnswerMeta = {};
    try {
      metadata = await answer(a, parseChatRequest(request.command, request.prompt), request, teamChanges);
    } catch (error) {
      logger.error(`[chat] ${prompt.slice(0, 80)} failed: ${errorMessage(error)}`);
      a.text(errorMessage(error));
    }
    if (a.session) sessions?.turn(a.session, 'assistant', a.said.join('\n'));
    return { metadata: { ...metadata, ...(a.session ? { session: a.session } : {}) } };
  });
  participant.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'switchboard.svg');
  participant.followupProvider = { provideFollowups: (result) => followups((result.metadata ?? {}) as AnswerMeta) };
  return [participant, vscode.commands.registerCommand(CHAT_INVOKE_COMMAND, (arg) => confirmed(ops, arg))];
}
