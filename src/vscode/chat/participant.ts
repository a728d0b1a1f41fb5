/**
 * The `@switchboard` chat participant: each request parsed and answered by `dispatch` into the
 * panel's sink (free text by the picked model's tool loop); the follow-ups of followupsOf; the
 * conversation's session found again from its history; and the command behind its confirmation
 * buttons (Steer… asks for its message first).
 */
import * as vscode from 'vscode';
import { isSessionId } from '../../core/chat/chatSessions';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { Answer, CHAT_INVOKE_COMMAND, type AnswerMeta, type ConfirmArg } from '../../chat/answerContext';
import { parseChatRequest } from '../../chat/chatCommands';
import { PANEL_FREE_TEXT, PANEL_OWN_GATES } from '../../chat/chatText';
import type { ChatOps } from '../../chat/chatOps';
import { answered, runConfirmed } from '../../chat/confirmed';
import { dispatch } from '../../chat/dispatch';
import { followupsOf } from '../../chat/followups';
import { freeAnswer } from './freeAnswer';
import { panelSink } from './panelSink';
import type { TeamChanges } from '../../chat/workAnswers';

export const PARTICIPANT_ID = 'switchboard.chat';

/** A button's confirmation: its question asked first (Steer…'s message; Escape does nothing), then its calls. */
async function confirmed(ops: ChatOps, arg: Partial<ConfirmArg>, say: (ok: boolean, text: string) => void): Promise<void> {
  if (arg.ask) {
    const answer = await vscode.window.showInputBox({ title: arg.title, prompt: arg.ask.prompt, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Say what to send.') });
    if (!answer) return;
    arg = answered(arg, answer);
  }
  await runConfirmed(ops, arg, say);
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
    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort());
    const workspace = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
    const a = new Answer(ops, panelSink(stream), abort.signal, session && sessions?.meta(session) ? session : undefined, prompt, workspace);
    if (a.session) sessions?.turn(a.session, 'user', prompt);
    let metadata: AnswerMeta = {};
    try {
      metadata = await dispatch(a, parseChatRequest(request.command, request.prompt), { workspace, teamChanges, freeHelp: PANEL_FREE_TEXT, ownGates: PANEL_OWN_GATES, free: () => freeAnswer(a, request, context, token) });
    } catch (error) {
      logger.error(`[chat] ${prompt.slice(0, 80)} failed: ${errorMessage(error)}`);
      a.text(errorMessage(error));
    } finally {
      cancel.dispose();
    }
    if (a.session) sessions?.turn(a.session, 'assistant', a.said.join('\n'));
    return { metadata: { ...metadata, ...(a.session ? { session: a.session } : {}) } };
  });
  participant.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'switchboard.svg');
  participant.followupProvider = { provideFollowups: (result) => followupsOf((result.metadata ?? {}) as AnswerMeta) };
  const say = (ok: boolean, text: string): void => void (ok ? vscode.window.showInformationMessage(text) : vscode.window.showErrorMessage(text));
  return [participant, vscode.commands.registerCommand(CHAT_INVOKE_COMMAND, (arg) => confirmed(ops, (arg ?? {}) as Partial<ConfirmArg>, say))];
}
