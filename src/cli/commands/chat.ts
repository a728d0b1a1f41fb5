/**
 * `switchboard chat`: the `@switchboard` conversation in a terminal. Lines from stdin are the
 * requests: the same slash commands, answered by the same code as the chat panel (dispatch) into a
 * terminal sink (plain lines; a confirmation is a y/N question on the next line); free text goes to
 * an orchestrator agent (`--runner`, Claude Code by default), which gets Switchboard's MCP server
 * (the one serving this state folder, else one this chat serves while it lasts), told first what
 * the panel's model is told, and resumed in its own session line after line; what it starts over
 * MCP is recorded in the conversation's session. A conversation that starts work is a session under
 * the state folder: `--list` lists them, `--session <id>` resumes one, `--new` (the default) starts
 * afresh. Goals and teams this chat's process works on when it exits go on in background processes.
 */
import * as readline from 'node:readline';
import { parseArgs } from 'node:util';
import { ChatSessions } from '../../core/chat/chatSessions';
import { runDoctor } from '../../core/doctor';
import { liveEndpoint } from '../../http/credentials';
import { McpService } from '../../mcp/mcpService';
import { Answer, type ChatSink, type ConfirmArg } from '../../chat/answerContext';
import { parseChatRequest } from '../../chat/chatCommands';
import { ChatOps } from '../../chat/chatOps';
import { dispatch } from '../../chat/dispatch';
import { followAnswer } from '../../chat/runAnswers';
import { freeInstructions, TERMINAL_OWN_GATES } from '../../chat/chatText';
import { errorMessage } from '../../core/errors';
import { isLiveGoal } from '../../core/goals/goalRecord';
import type { Switchboard } from '../../core/switchboard';
import { isActiveTeam } from '../../core/teams/teamStore';
import type { AnswerMeta } from '../../chat/answerContext';
import { inBackground } from '../background';
import { runConfirmed } from '../../chat/confirmed';
import type { CliContext } from '../context';
import { table } from '../output';
import { usageError } from '../usage';

function terminalSink(ctx: CliContext, pending: ConfirmArg[]): ChatSink {
  const say = (text: string): void => ctx.out.stdout(text);
  return {
    text: say,
    block: (text) => say(text.replace(/\n$/, '').split('\n').map((l) => `  ${l}`).join('\n')),
    lines: (lines) => lines.forEach((l) => say(`  ${l}`)),
    table: (agents) => say(table(['RUN', 'ID', 'STATUS', 'RUNNER'], agents.map((a) => [a.name, a.id, a.status, a.runner]))),
    progress: () => {},
    // VS Code's own actions (Show Output, Steer…) have slash commands here.
    button: () => {},
    confirm: (confirm) => pending.push(confirm),
    markdown: say,
  };
}

function listSessions(ctx: CliContext, sessions: ChatSessions): number {
  const all = sessions.list();
  if (all.length === 0) return ctx.out.stdout('No chat sessions yet: a conversation gets one when it starts work.'), 0;
  ctx.out.stdout(table(['SESSION', 'STARTED', 'TURNS', 'WORK', 'WORKSPACE'], all.map((s) => [s.id, s.startedAt, String(sessions.turns(s.id).length), String(sessions.work(s.id).length), s.workspace ?? ''])));
  return 0;
}

/**
 * The orchestrator agent free text goes to: framed on its first line as the panel's model is, then
 * resuming its own session (so it remembers the conversation, after `--session` too); linked to the
 * chat's session, so what it starts over MCP is recorded there by whichever process serves it.
 */
class Orchestrator {
  private agentSession: string | undefined;

  constructor(private readonly sb: Switchboard, private readonly runner: string, chatSession: string | undefined) {
    // Only a session this runner can resume here: its own, in this folder.
    const earlier = chatSession ? sb.runs.list().filter((r) => r.links.chatSession === chatSession && r.sessionId && r.runner === runner && r.cwd === process.cwd()) : [];
    this.agentSession = earlier.sort((x, y) => x.createdAt - y.createdAt).at(-1)?.sessionId;
  }

  async answer(a: Answer, text: string): Promise<AnswerMeta> {
    const chatSession = a.ensureSession();
    const resume = this.agentSession;
    const framed = `${freeInstructions(`in a terminal, in ${process.cwd()}`, "Switchboard's MCP tools (its server is called switchboard)")}\n\nThe user asks: ${text}`;
    let run;
    try {
      run = await this.sb.runs.run({ runner: this.runner, prompt: resume ? text : framed, cwd: process.cwd(), ...(resume ? { resumeSessionId: resume } : {}), links: chatSession ? { chatSession } : {}, startedBy: 'chat' });
    } catch (error) {
      a.text(`${this.runner} could not start: ${errorMessage(error)}`);
      return {};
    }
    const meta = await followAnswer(a, this.sb.runs, this.runner, run, `Asked ${run.name} (id ${run.id}, ${this.runner}${resume ? ', going on with its session' : ''}).`);
    const ended = this.sb.runs.resolve(run.id);
    // A resume that failed starts afresh (framed) on the next line rather than failing the same way again.
    this.agentSession = ended.sessionId ?? (ended.status === 'done' ? resume : undefined);
    return meta;
  }
}

/** Goals and teams this process works on (from /goal, /team or the orchestrator over the MCP server this chat serves): they must outlive it. */
function ownedWork(sb: Switchboard): { goals: string[]; teams: string[] } {
  const mine = (owner: { pid: number } | undefined): boolean => owner?.pid === process.pid;
  return {
    goals: sb.goals.list().filter((g) => mine(g.owner) && isLiveGoal(g.status)).map((g) => g.id),
    // A goal's own team goes on with its goal.
    teams: sb.teams.list().filter((t) => mine(t.owner) && isActiveTeam(t.status) && !t.goal).map((t) => t.name),
  };
}

/** Once this process has let go of them: each goal and team it worked on goes on in a background process of its own, and the user is told where. */
function handOver(ctx: CliContext, work: { goals: string[]; teams: string[] }): void {
  for (const id of work.goals) {
    const log = ctx.state.goal(id).ownerLog;
    const pid = inBackground(['goal', 'resume', id], log);
    ctx.out.stdout(pid ? `Goal ${id} goes on in the background (pid ${pid}, its output in ${log}); switchboard goal status ${id} shows it.` : `Goal ${id} could not be started in the background; go on with: switchboard goal resume ${id}`);
  }
  for (const name of work.teams) {
    const pid = inBackground(['team', 'resume', name]);
    ctx.out.stdout(pid ? `Team ${name} goes on in the background (pid ${pid}); switchboard team status ${name} shows it.` : `Team ${name} could not be started in the background; go on with: switchboard team resume ${name}`);
  }
}

interface ChatOptions {
  list?: boolean;
  session?: string;
  new?: boolean;
  runner?: string;
}

export async function chatCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { list: { type: 'boolean' }, session: { type: 'string' }, new: { type: 'boolean' }, runner: { type: 'string' } } });
  if (values.session && values.new) throw usageError('chat', 'give --session or --new, not both');
  let owned: { goals: string[]; teams: string[] } = { goals: [], teams: [] };
  // However the chat ends (an error too), the goals and teams it let go of are handed over.
  try {
    return await chatIn(ctx, values, (work) => (owned = work));
  } finally {
    handOver(ctx, owned);
  }
}

async function chatIn(ctx: CliContext, values: ChatOptions, letGo: (work: { goals: string[]; teams: string[] }) => void): Promise<number> {
  return ctx.withSwitchboard(async (sb) => {
    const sessions = new ChatSessions(sb.state);
    if (values.list) return listSessions(ctx, sessions);
    if (values.session && !sessions.meta(values.session)) throw usageError('chat', `there is no session "${values.session}" (switchboard chat --list shows them)`);
    const service = new McpService({ switchboard: sb, logger: ctx.logger, doctor: () => runDoctor(sb.stateDir, sb.config), defaultCwd: () => process.cwd(), guard: () => {} });
    const ops = new ChatOps(() => service.deps);
    const runner = values.runner ?? 'claude';
    let session = values.session;
    const orchestrator = new Orchestrator(sb, runner, session);
    const rl = readline.createInterface({ input: process.stdin, terminal: false });
    const lines = rl[Symbol.asyncIterator]();
    const next = async (): Promise<string | undefined> => {
      const got = await lines.next();
      return got.done ? undefined : String(got.value);
    };
    let current: AbortController | undefined;
    const onSigint = (): void => (current ? current.abort() : rl.close());
    process.on('SIGINT', onSigint);
    try {
      for (let line = await next(); line !== undefined; line = await next()) {
        const text = line.trim();
        if (!text) continue;
        if (text === 'exit' || text === 'quit') break;
        const [, command, rest] = /^\/(\S+)\s*([\s\S]*)$/.exec(text) ?? [undefined, undefined, text];
        const pending: ConfirmArg[] = [];
        current = new AbortController();
        const a = new Answer(ops, terminalSink(ctx, pending), current.signal, session, text, process.cwd());
        if (session) sessions.turn(session, 'user', text);
        await dispatch(a, parseChatRequest(command, rest ?? ''), {
          workspace: process.cwd(),
          teamChanges: (listener) => sb.runs.onDidChange(({ run }) => run.links.team && listener([run.links.team])),
          ownGates: TERMINAL_OWN_GATES,
          freeHelp: `Without a command, the text goes to an orchestrator agent (${runner}; --runner changes it) that drives Switchboard through its MCP server.`,
          free: async (request) => {
            // The orchestrator drives Switchboard through an MCP server: this chat serves one while it lasts when none serves the folder.
            if (!liveEndpoint(sb.stateDir)) {
              try {
                await service.startHttp();
              } catch (error) {
                a.text(`(Switchboard's MCP server could not start here (${(error as Error).message}), so ${runner} cannot drive Switchboard; \`switchboard serve\` starts one.)`);
              }
            }
            return orchestrator.answer(a, request);
          },
        });
        current = undefined;
        for (const confirm of pending) {
          ctx.out.stdout(`${confirm.title}? [y/N]`);
          const answer = (await next())?.trim().toLowerCase();
          if (answer === 'y' || answer === 'yes') await runConfirmed(ops, confirm, (_ok, said) => a.text(said));
          else a.text('Not done.');
        }
        if (a.session && !session) ctx.out.stdout(`(session ${a.session}: switchboard chat --session ${a.session} resumes it)`);
        session = a.session;
        if (session) sessions.turn(session, 'assistant', a.said.join('\n'));
      }
    } finally {
      process.off('SIGINT', onSigint);
      rl.close();
      letGo(ownedWork(sb));
      await service.dispose();
    }
    return 0;
  });
}
