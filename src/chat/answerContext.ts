/**
 * What each chat answer works with, free of `vscode` so the terminal's `switchboard chat` gives the
 * same answers: the operations (called with the request's cancellation), a sink that shows what
 * the answer says (the chat panel renders it as escaped markdown and buttons, a terminal as plain
 * lines and questions), and the conversation's session (made when it first starts work), where
 * what it started is recorded.
 */
import type { WorkDone } from '../core/chat/chatSessions';
import type { Invocation } from '../ops/invoke';
import type { AgentBrief } from '../ops/schemas';
import { failureText, type ChatOps } from './chatOps';

/** The command behind confirmation buttons (Kill, Reset, Start Goal…): calls operations with the arguments the answer proposed. */
export const CHAT_INVOKE_COMMAND = 'switchboard.chat.invoke';

export interface OpCall {
  op: string;
  args: Record<string, unknown>;
}

/** What a confirmation carries: its calls, and the conversation to record what they did in. */
export interface ConfirmArg {
  title: string;
  calls: OpCall[];
  session?: string;
  /** Asked of the user before the calls (Steer…'s message): the answer goes in each call's `arg` argument. */
  ask?: { prompt: string; arg: string };
}

/** Where an answer goes. Text is the answer's own or an agent's: the sink shows it as text, never as markup. */
export interface ChatSink {
  /** A paragraph. */
  text(text: string): void;
  /** Preformatted text (an agent's final answer, an output tail). */
  block(text: string): void;
  /** Lines of an agent's output as they come. */
  lines(lines: string[]): void;
  table(agents: readonly AgentBrief[]): void;
  progress(message: string): void;
  /** An action on VS Code's side (Show Output, Steer…): a button in the panel; a terminal may leave it out. */
  button(title: string, command: string, args: unknown[]): void;
  /** Operations the user may confirm (Kill, Start Goal…): a button in the panel, a question in a terminal. */
  confirm(confirm: ConfirmArg): void;
  /** The model's own markdown (free answers); a terminal prints it as it is. */
  markdown(markdown: string): void;
}

/** What an answer reports back (kept with the conversation, so it outlives a reload): the session, and the run or team it was about. */
export interface AnswerMeta {
  command?: string;
  session?: string;
  run?: string;
  /** The run had ended when the answer was given (its follow-ups leave out Steer and Kill). */
  ended?: boolean;
  team?: string;
}

export class Answer {
  /** What the answer said, as plain text, for the conversation's record. */
  readonly said: string[] = [];

  constructor(
    readonly ops: ChatOps,
    readonly sink: ChatSink,
    readonly signal: AbortSignal,
    /** The conversation's session, if it has one yet. */
    public session: string | undefined,
    private readonly prompt: string,
    private readonly workspace: string | undefined,
  ) {}

  call(op: string, args: Record<string, unknown> = {}): Promise<Invocation> {
    return this.ops.call(op, args, this.signal, (message) => this.sink.progress(message));
  }

  /** Calls `op`; on failure says why and returns undefined. */
  async get<T>(op: string, args: Record<string, unknown> = {}): Promise<{ structured: T; summary: string } | undefined> {
    const answer = await this.call(op, args);
    if (answer.ok) return { structured: answer.structured as T, summary: answer.summary };
    this.text(failureText(answer));
    return undefined;
  }

  text(text: string): void {
    this.said.push(text);
    this.sink.text(text);
  }

  button(title: string, command: string, ...args: unknown[]): void {
    this.sink.button(title, command, args);
  }

  /** A question: operations the user confirms (after reading what they do). */
  confirm(title: string, ...calls: OpCall[]): void {
    this.sink.confirm({ title, calls, session: this.session });
  }

  /** An action offered beside the answer (Kill on a running run): a button in the panel; a terminal has the slash command instead. */
  action(title: string, ...calls: OpCall[]): void {
    this.button(title, CHAT_INVOKE_COMMAND, { title, calls, session: this.session } satisfies ConfirmArg);
  }

  /** An action that asks the user something first (Steer…: the message), then calls operations with the answer: a button in the panel; a terminal has the slash command instead. */
  ask(title: string, ask: NonNullable<ConfirmArg['ask']>, ...calls: OpCall[]): void {
    this.button(title, CHAT_INVOKE_COMMAND, { title, calls, session: this.session, ask } satisfies ConfirmArg);
  }

  /** The conversation's session, made now (with this request as its first turn) if it has none. */
  ensureSession(): string | undefined {
    if (this.session) return this.session;
    const sessions = this.ops.sessions();
    if (!sessions) return undefined;
    this.session = sessions.create(this.workspace).id;
    sessions.turn(this.session, 'user', this.prompt);
    return this.session;
  }

  /** Records work this conversation started or sent. */
  did(work: WorkDone): void {
    const session = this.ensureSession();
    if (session) this.ops.sessions()?.record(session, work);
  }
}
