/**
 * What each chat answer works with: the operations (called with the request's cancellation), the
 * response stream, and small helpers to write escaped text, a failed call, and buttons.
 */
import * as vscode from 'vscode';
import type { Invocation } from '../../ops/invoke';
import { failureText, type ChatOps } from './chatOps';
import { escapeMarkdown } from './chatText';

/** The command behind confirmation buttons (Kill, Reset, Start Goal…): calls operations with the arguments the answer proposed. */
export const CHAT_INVOKE_COMMAND = 'switchboard.chat.invoke';

export interface OpCall {
  op: string;
  args: Record<string, unknown>;
}

/** What an answer reports back for follow-ups: the run or team it was about. */
export interface AnswerMeta {
  command?: string;
  run?: string;
  team?: string;
}

export class Answer {
  readonly signal: AbortSignal;

  constructor(
    readonly ops: ChatOps,
    readonly stream: vscode.ChatResponseStream,
    readonly token: vscode.CancellationToken,
  ) {
    const abort = new AbortController();
    if (token.isCancellationRequested) abort.abort();
    token.onCancellationRequested(() => abort.abort());
    this.signal = abort.signal;
  }

  call(op: string, args: Record<string, unknown> = {}): Promise<Invocation> {
    return this.ops.call(op, args, this.signal, (message) => this.stream.progress(message));
  }

  /** Calls `op`; on failure says why and returns undefined. */
  async get<T>(op: string, args: Record<string, unknown> = {}): Promise<{ structured: T; summary: string } | undefined> {
    const answer = await this.call(op, args);
    if (answer.ok) return { structured: answer.structured as T, summary: answer.summary };
    this.text(failureText(answer));
    return undefined;
  }

  /** Plain text (escaped), as its own paragraph. */
  text(text: string): void {
    this.stream.markdown(`${escapeMarkdown(text)}\n\n`);
  }

  button(title: string, command: string, ...args: unknown[]): void {
    this.stream.button({ title, command, arguments: args });
  }

  /** A button that calls operations when clicked (after the user has read what they do). */
  confirm(title: string, ...calls: OpCall[]): void {
    this.button(title, CHAT_INVOKE_COMMAND, { title, calls });
  }
}
