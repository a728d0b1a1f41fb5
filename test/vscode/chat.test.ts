/**
 * In-host: the @switchboard chat participant answers a request sent with
 * `workbench.action.chat.open` (blockOnResponse), which returns its result's metadata. A participant
 * runs only when some language model is registered: the scripted one (test/e2e/support/scriptedModel)
 * is installed beside Switchboard for this.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { agentRow, startAgent } from './support/host';

interface ChatResult { metadata?: { command?: string; run?: string }; errorDetails?: { message: string } }

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
    assert.deepEqual({ command: result.metadata?.command, run: result.metadata?.run }, { command: 'status', run: started.id });
  });

  it('/status of an unknown run answers without a run, and does not fail the request', async () => {
    const result = await ask('@switchboard /status no-such-run');
    assert.equal(result.errorDetails, undefined, result.errorDetails?.message);
    assert.equal(result.metadata?.run, undefined);
  });
});
