// Test-only extension: one language model, "Scripted Model", with tool calling, answering from a
// script (as the agent CLIs' tests use scripted providers), by the request it answers (the newest
// user message that is not a tool result; the conversation's earlier turns come before it). Asked
// with Switchboard's tools and no tool result yet, it calls switchboard_list_agents; given a tool result, it answers with how many
// Switchboard tools it was offered and the result's first line. Asked to "run and report", it starts a
// short agent (run_agent), waits for it (wait_agent), asks its status (get_agent_status), then answers
// with that status. Asked to "think slowly", it starts an agent, then takes 30 s to answer (the test
// cancels it first). And @probe, another participant:
// `@probe <tool> <json input>` invokes that tool as any participant would and shows its answer.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an extension's main is CommonJS
const vscode = require('vscode');

const MODEL = { id: 'scripted-model', name: 'Scripted Model', family: 'scripted', version: '1', maxInputTokens: 100000, maxOutputTokens: 10000, isUserSelectable: true, capabilities: { toolCalling: true } };

const textOf = (message) => (message.content || []).map((p) => (typeof p.value === 'string' ? p.value : p.content ? p.content.map((c) => c.value || '').join('') : '')).join('');

/** "… think slowly": starts an agent with switchboard_run_agent, then takes 30 s to answer (unless cancelled first). */
async function respondSlowly(result, progress, token) {
  if (!result) {
    progress.report(new vscode.LanguageModelToolCallPart('call-slow', 'switchboard_run_agent', { runner: 'custom', prompt: 'slow marker' }));
    return;
  }
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 30000);
    token.onCancellationRequested(() => (clearTimeout(timer), resolve()));
  });
  if (!token.isCancellationRequested) progress.report(new vscode.LanguageModelTextPart('Scripted slow answer'));
}

/** The request being answered: the newest user message that is not a tool result (the conversation's earlier turns come before it). */
const requestOf = (messages) => [...messages].reverse().find((m) => m.role === vscode.LanguageModelChatMessageRole.User && !(m.content || []).some((p) => p instanceof vscode.LanguageModelToolResultPart));

const resultsOf = (messages) => messages.flatMap((m) => (m.content || []).filter((p) => p instanceof vscode.LanguageModelToolResultPart));
const resultText = (result) => result.content.map((c) => c.value || '').join('');

/** A short agent: node prints "<prompt> done" after 1.5 s. */
const SHORT_AGENT = `'${process.execPath}' -e "setTimeout(() => console.log(process.argv[1] + ' done'), 1500)"`;

/** "… run and report": run_agent, then wait_agent and get_agent_status on the run it started, then the status as the answer. */
function respondRunAndReport(messages, progress) {
  const results = resultsOf(messages);
  if (results.length === 0) {
    progress.report(new vscode.LanguageModelToolCallPart('call-run', 'switchboard_run_agent', { runner: 'custom', prompt: 'report marker', command: SHORT_AGENT }));
    return;
  }
  const started = resultText(results[0]);
  const id = started.startsWith('Error') ? undefined : JSON.parse(started.split('\n')[1]).id;
  if (!id) progress.report(new vscode.LanguageModelTextPart(`Scripted report failed: ${started}`));
  else if (results.length === 1) progress.report(new vscode.LanguageModelToolCallPart('call-wait', 'switchboard_wait_agent', { id, timeout_ms: 60000 }));
  else if (results.length === 2) progress.report(new vscode.LanguageModelToolCallPart('call-status', 'switchboard_get_agent_status', { id }));
  else progress.report(new vscode.LanguageModelTextPart(`Scripted report: ${resultText(results[2]).split('\n')[0]}`));
}

async function respond(messages, options, progress, token) {
  const tools = (options.tools || []).filter((t) => t.name.startsWith('switchboard_'));
  const last = messages[messages.length - 1];
  const result = (last.content || []).find((p) => p instanceof vscode.LanguageModelToolResultPart);
  const request = textOf(requestOf(messages) || last);
  if (request.includes('think slowly')) return respondSlowly(result, progress, token);
  if (request.includes('run and report')) return respondRunAndReport(messages, progress);
  if (result) {
    const text = result.content.map((c) => c.value || '').join('').split('\n')[0];
    progress.report(new vscode.LanguageModelTextPart(`Scripted answer from ${tools.length} Switchboard tools: ${text}`));
  } else if (tools.some((t) => t.name === 'switchboard_list_agents')) {
    progress.report(new vscode.LanguageModelToolCallPart('call-1', 'switchboard_list_agents', {}));
  } else {
    progress.report(new vscode.LanguageModelTextPart(`Scripted answer to: ${textOf(last)}`));
  }
}

function activate(context) {
  context.subscriptions.push(
    vscode.lm.registerLanguageModelChatProvider('scripted', {
      provideLanguageModelChatInformation: () => [MODEL],
      provideLanguageModelChatResponse: async (_model, messages, options, progress, token) => respond(messages, options, progress, token),
      provideTokenCount: async (_model, text) => Math.ceil((typeof text === 'string' ? text : textOf(text)).length / 4),
    }),
  );
  const probe = vscode.chat.createChatParticipant('switchboard-test.probe', async (request, _context, stream, token) => {
    const [, name, input] = /^(\S+)\s*(.*)$/s.exec(request.prompt.trim()) || [];
    const result = await vscode.lm.invokeTool(name, { input: JSON.parse(input || '{}'), toolInvocationToken: request.toolInvocationToken }, token);
    stream.markdown(`probe got: ${result.content.map((p) => p.value || '').join('')}`);
  });
  context.subscriptions.push(probe);
  // Models load lazily: asking for them now makes the first chat request find this one.
  void vscode.lm.selectChatModels({ vendor: 'scripted' });
}

module.exports = { activate, deactivate() {} };
