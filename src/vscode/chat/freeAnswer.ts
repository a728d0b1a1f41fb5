/**
 * `@switchboard` without a slash command: the model the user picked answers, knowing the
 * conversation so far, in its own tool loop over Switchboard's tools, each step shown as progress;
 * destructive tools ask first (their confirmation), cancellation stops the loop (agents it started
 * run on). With no model that answers, it says what to type instead.
 */
import * as vscode from 'vscode';
import type { AnswerMeta, Answer } from '../../chat/answerContext';
import { freeInstructions, helpText, NO_MODEL_TEXT } from '../../chat/chatText';
import { opNameOf, TOOL_PREFIX } from '../../chat/toolManifest';
import { workOfToolResult } from '../../chat/toolResult';

const MAX_ROUNDS = 16;

const INSTRUCTIONS = freeInstructions('in this VS Code window', `the ${TOOL_PREFIX} tools`);

/** The conversation so far (VS Code gives a participant its own turns): each request, and the text of each answer, so the model knows what was said and done. */
function historyOf(context: vscode.ChatContext): vscode.LanguageModelChatMessage[] {
  return context.history.flatMap((turn) => {
    if (turn instanceof vscode.ChatRequestTurn) return [vscode.LanguageModelChatMessage.User(`${turn.command ? `/${turn.command} ` : ''}${turn.prompt}`)];
    const text = turn.response.map((part) => (part instanceof vscode.ChatResponseMarkdownPart ? part.value.value : '')).join('');
    return text ? [vscode.LanguageModelChatMessage.Assistant(text)] : [];
  });
}

export async function freeAnswer(a: Answer, request: vscode.ChatRequest, context: vscode.ChatContext, token: vscode.CancellationToken): Promise<AnswerMeta> {
  const tools = vscode.lm.tools.filter((t) => t.name.startsWith(TOOL_PREFIX));
  const messages = [vscode.LanguageModelChatMessage.User(INSTRUCTIONS), ...historyOf(context), vscode.LanguageModelChatMessage.User(request.prompt)];
  try {
    for (let round = 0; round < MAX_ROUNDS && !token.isCancellationRequested; round++) {
      const response = await request.model.sendRequest(messages, { tools, justification: 'Switchboard answers with your model, using its tools.' }, token);
      const calls: vscode.LanguageModelToolCallPart[] = [];
      const said: vscode.LanguageModelTextPart[] = [];
      for await (const part of response.stream) {
        if (part instanceof vscode.LanguageModelTextPart) {
          said.push(part);
          a.said.push(part.value);
          a.sink.markdown(part.value);
        } else if (part instanceof vscode.LanguageModelToolCallPart) calls.push(part);
      }
      if (calls.length === 0) return { command: 'free' };
      messages.push(vscode.LanguageModelChatMessage.Assistant([...said, ...calls]));
      for (const call of calls) {
        if (token.isCancellationRequested) break;
        a.sink.progress(`${call.name.slice(TOOL_PREFIX.length)}…`);
        const result = await vscode.lm.invokeTool(call.name, { input: call.input, toolInvocationToken: request.toolInvocationToken }, token).then(
          (r) => r.content.filter((p): p is vscode.LanguageModelTextPart => p instanceof vscode.LanguageModelTextPart),
          (error: unknown) => [new vscode.LanguageModelTextPart(`Error: ${(error as Error)?.message ?? String(error)}`)],
        );
        const work = workOfToolResult(opNameOf(call.name) ?? '', call.input, result.map((p) => p.value).join(''));
        if (work) a.did(work);
        messages.push(vscode.LanguageModelChatMessage.User([new vscode.LanguageModelToolResultPart(call.callId, result)]));
      }
    }
  } catch (error) {
    if (token.isCancellationRequested) return { command: 'free' };
    a.text(`No language model answered (${(error as Error)?.message ?? String(error)}). Type a command instead:`);
    for (const line of helpText(NO_MODEL_TEXT)) a.text(line);
  }
  return { command: 'free' };
}
