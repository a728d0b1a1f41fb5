/**
 * What each chat answer works with: the operations (called with the request's cancellation), the
 * response stream, helpers to write escaped text, a failed call, and buttons, and the conversation's
 * session (made when it first starts work) where what it started is recorded.
 */
import * as vscode from 'vscode';
import type { WorkDone } from '../../core/chat/chatSessions';
import type { Invocation } from '../../ops/invoke';
import { failureText, type ChatOps } from './chatOps';
import { escapeMarkdown } from './chatText';

/** The command behind confirmation buttons (Kill, Reset, Start Goal…): calls operations with the arguments the answer proposed. */
export const CHAT_INVOKE_COMMAND = 'switchboard.chat.invoke';

export interface OpCall {
  op: string;
  args: Record<string, unknown>;
}

/** What a confirmation button carries: its calls, and the conversation to record what they did in. */
export interface ConfirmArg {
  title: string;
  calls: OpCall[];
  session?: string;
}

/** What an answer reports back (kept with the conversation, so it outlives a reload): the session, and the run or team it was about. */
export interface AnswerMeta {
  command?: string;
  session?: string;
  run?: string;
  team?: string;
}

export class Answer {
  readonly signal: AbortSignal;
  /** What the answer said, as plain text, for the conversation's record. */
  readonly said: string[] = [];

  constructor(
    readonly ops: ChatOps,
    readonly stream: vscode.ChatResponseStream,
    readonly token: vscode.CancellationToken,
    /** The conversation's session, if it has one yet. */
    public session: string | undefined,
    private readonly prompt: string,
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
    this.said.push(text);
    this.stream.markdown(`${escapeMarkdown(text)}\n\n`);
  }

  button(title: string, command: string, ...args: unknown[]): void {
    this.stream.button({ title, command, arguments: args });
  }

  /** A button that calls operations when clicked (after the user has read what they do). */
  confirm(title: string, ...calls: OpCall[]): void {
    this.button(title, CHAT_INVOKE_COMMAND, { title, calls, session: this.session } satisfies ConfirmArg);
  }

  /** The conversation's session, made now (with this request as its first turn) if it has none. */
  ensureSession(): string | undefined {
    if (this.session) return this.session;
    const sessions = this.ops.sessions();
    if (!sessions) return undefined;
    this.session = sessions.create(vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath).id;
    sessions.turn(this.session, 'user', this.prompt);
    return this.session;
  }

  /** Records work this conversation started or sent. */
  did(work: WorkDone): void {
    const session = this.ensureSession();
    if (session) this.ops.sessions()?.record(session, work);
  }
}
