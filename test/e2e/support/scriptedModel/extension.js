// Test-only extension: one language model, "Scripted Model", with tool calling, answering from a
// script (as the agent CLIs' tests use scripted providers). Asked with Switchboard's tools and no
// tool result yet, it calls switchboard_list_agents; given a tool result, it answers with how many
// Switchboard tools it was offered and the result's first line. Asked to "think slowly", it starts an
// agent, then takes 30 s to answer (the test cancels it first). And @probe, another participant:
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

async function respond(messages, options, progress, token) {
  const tools = (options.tools || []).filter((t) => t.name.startsWith('switchboard_'));
  const last = messages[messages.length - 1];
  const result = (last.content || []).find((p) => p instanceof vscode.LanguageModelToolResultPart);
  if (messages.some((m) => textOf(m).includes('think slowly'))) return respondSlowly(result, progress, token);
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
