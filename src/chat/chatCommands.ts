/**
 * The `@switchboard` slash commands: their table (names, descriptions, usage; package.json's
 * `chatParticipants` lists the same, a unit test keeps them equal) and the parsing of one request
 * into what to do. Free of `vscode` so it tests in plain Node.
 */

export const CHAT_COMMANDS = [
  { name: 'run', usage: '/run <runner> <prompt>', description: 'Start an agent in the workspace and follow its output here' },
  { name: 'status', usage: '/status [id]', description: 'All runs, or one in detail' },
  { name: 'steer', usage: '/steer <id> <message>', description: 'Give a running agent a new instruction' },
  { name: 'kill', usage: '/kill <id>|all', description: 'Stop an agent (or all), after you confirm' },
  { name: 'logs', usage: '/logs <id>', description: "The last lines of a run's readable output" },
  { name: 'team', usage: '/team <spec> <goal>', description: 'Start a team (spec like 1:planner,2:executor) and follow its tasks' },
  { name: 'goal', usage: '/goal <objective>', description: 'Propose budgets and gates for an objective; start it when you accept' },
  { name: 'budget', usage: '/budget [goal]', description: "A goal's spend against its budgets (or every goal's)" },
  { name: 'gates', usage: '/gates', description: "The workspace's gate breakers, with Reset buttons" },
  { name: 'discoveries', usage: '/discoveries', description: 'Work agents reported, with Promote and Dismiss' },
  { name: 'doctor', usage: '/doctor', description: 'Check runners, the state folder and the servers' },
  { name: 'help', usage: '/help', description: 'What @switchboard can do' },
] as const;

export type ChatCommandName = (typeof CHAT_COMMANDS)[number]['name'];

export type ChatAction =
  | { kind: 'run'; runner: string; prompt: string }
  | { kind: 'status'; id?: string }
  | { kind: 'steer'; id: string; message?: string }
  | { kind: 'kill'; id: string }
  | { kind: 'killAll' }
  | { kind: 'logs'; id: string }
  | { kind: 'team'; spec: string; task: string }
  | { kind: 'goal'; objective: string }
  | { kind: 'budget'; goal?: string }
  | { kind: 'gates' }
  | { kind: 'discoveries' }
  | { kind: 'doctor' }
  | { kind: 'help' }
  | { kind: 'free'; text: string }
  | { kind: 'invalid'; message: string; usage: string };

/** The first word and the rest (trimmed), of text whose words are separated by any whitespace. */
function firstWord(text: string): [string, string] {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text.trim());
  return match ? [match[1]!, match[2]!.trim()] : ['', ''];
}

const usageOf = (name: ChatCommandName): string => CHAT_COMMANDS.find((c) => c.name === name)!.usage;

/** What a request asks: `command` is the slash command VS Code recognised (undefined for free text). */
export function parseChatRequest(command: string | undefined, prompt: string): ChatAction {
  const text = prompt.trim();
  if (command === undefined) return text ? { kind: 'free', text } : { kind: 'help' };
  const invalid = (name: ChatCommandName, message: string): ChatAction => ({ kind: 'invalid', message, usage: usageOf(name) });
  const [first, rest] = firstWord(text);
  switch (command) {
    case 'run':
      if (!first) return invalid('run', 'Say which runner (claude, codex, gemini, custom…) and what the agent should do.');
      if (!rest) return invalid('run', `Say what ${first} should do.`);
      return { kind: 'run', runner: first, prompt: rest };
    case 'status':
      return first ? { kind: 'status', id: first } : { kind: 'status' };
    case 'steer':
      if (!first) return invalid('steer', 'Say which run (its id or name) and the new instruction.');
      // Without a message (the Steer follow-up), the answer offers the Steer… box.
      return rest ? { kind: 'steer', id: first, message: rest } : { kind: 'steer', id: first };
    case 'kill':
      if (!first) return invalid('kill', 'Say which run (its id or name), or all.');
      if (rest) return invalid('kill', `Kill takes one run, or all; "${rest}" is left over.`);
      return first.toLowerCase() === 'all' ? { kind: 'killAll' } : { kind: 'kill', id: first };
    case 'logs':
      if (!first || rest) return invalid('logs', 'Say which run: its id or name, and nothing else.');
      return { kind: 'logs', id: first };
    case 'team':
      if (!first) return invalid('team', 'Say the workers (N:role[:runner] joined by commas, e.g. 1:planner,2:executor) and what the team is for.');
      if (!rest) return invalid('team', 'Say what the team is for, after its spec.');
      return { kind: 'team', spec: first, task: rest };
    case 'goal':
      return text ? { kind: 'goal', objective: text } : invalid('goal', 'Say what should be true when the goal is done.');
    case 'budget':
      return first ? { kind: 'budget', goal: first } : { kind: 'budget' };
    case 'gates':
    case 'discoveries':
    case 'doctor':
    case 'help':
      return { kind: command };
    default:
      return { kind: 'invalid', message: `@switchboard has no /${command} command.`, usage: '/help' };
  }
}
