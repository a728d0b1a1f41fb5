/** The conversation the supervisor has with one agent process: the runner's own (ACP), or one made of its stateless line functions. */
import type { AgentEnv, Conversation, Runner, StartRequest } from './types';

/** `env`: the agent's environment (an ACP conversation gives Switchboard's MCP server with the token it holds). */
export function openConversation(runner: Runner, request: StartRequest, env: AgentEnv): Conversation {
  if (runner.createConversation) return runner.createConversation(request, env);
  const parse = runner.createParser();
  const { steerInput, interruptInput, approvalInput } = runner;
  return {
    read(line) {
      const events = parse(line);
      return events && { events, replies: [] };
    },
    ...(runner.steering === 'live' && steerInput ? { steer: (message: string) => [steerInput(message)] } : {}),
    ...(interruptInput ? { interrupt: (requestId: string) => [interruptInput(requestId)] } : {}),
    ...(approvalInput ? { answer: (approval, allow, message) => [approvalInput(approval, allow, message)] } : {}),
  };
}
