/**
 * In-host: the @switchboard chat participant answers a request sent with
 * `workbench.action.chat.open` (blockOnResponse), which returns its result's metadata. A participant
 * runs only when some language model is registered: the scripted one (test/e2e/support/scriptedModel)
 * is installed beside Switchboard for this. A free request where the model starts an agent, waits for
 * it and reports it records the run in the conversation's session.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ChatSessions } from '../../src/core/chat/chatSessions';
import { StateMap } from '../../src/core/state/stateMap';
import { agentRow, startAgent } from './support/host';

interface ChatResult { metadata?: { command?: string; run?: string; ended?: boolean; session?: string }; errorDetails?: { message: string } }

const ask = async (query: string): Promise<ChatResult> =>
  (await vscode.commands.executeCommand<ChatResult>('workbench.action.chat.open', { query, blockOnResponse: true })) ?? {};

describe('The chat participant (in the extension host)', function () {
  this.timeout(180_000);

  before(async function () {
    const models = await vscode.lm.selectChatModels({ vendor: 'scripted' });
    assert.ok(models.length > 0, 'no language model is registered: install test/e2e/support/scriptedModel beside Switchboard');
  });

  it('/status <run> answers with that run, in its metadata', async () => {
    const started = await startAgent('asked about in chat');
    await agentRow(started.id, (r) => r.status === 'done');
    const result = await ask(`@switchboard /status ${started.name}`);
    assert.equal(result.errorDetails, undefined, result.errorDetails?.message);
    // It has ended: its follow-ups leave out Steer and Kill.
    assert.deepEqual({ command: result.metadata?.command, run: result.metadata?.run, ended: result.metadata?.ended }, { command: 'status', run: started.id, ended: true });
  });

  it("a free request: the model starts an agent, waits for it and reports it; the run is recorded in the conversation's session", async () => {
    const result = await ask('@switchboard run and report');
    assert.equal(result.errorDetails, undefined, result.errorDetails?.message);
    const session = result.metadata?.session;
    assert.ok(session, 'the conversation has a session');
    const stateDir = vscode.workspace.getConfiguration('switchboard').get<string>('stateDirectory');
    assert.ok(stateDir);
    const runs = new ChatSessions(new StateMap(stateDir)).work(session).filter((w) => w.kind === 'run');
    assert.equal(runs.length, 1, JSON.stringify(runs));
    const { run } = await agentRow(runs[0]!.id, (r) => r.status === 'done');
    assert.equal(run.prompt, 'report marker');
    assert.equal(run.startedBy, 'chat:tool');
  });

  it('/status of an unknown run answers without a run, and does not fail the request', async () => {
    const result = await ask('@switchboard /status no-such-run');
    assert.equal(result.errorDetails, undefined, result.errorDetails?.message);
    assert.equal(result.metadata?.run, undefined);
  });
});
