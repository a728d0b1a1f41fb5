/**
 * The chat panel in a real VS Code (code-server) driven by a real browser, with a test-only
 * extension that registers a scripted language model (code-server has no model of its own, and a
 * participant runs only when some model is registered): `@switchboard /run custom …` streams a
 * scripted agent's output into the answer with its buttons, and its Kill button ends it (no process
 * left); `/status` names the run; a free request is answered by the model calling Switchboard's
 * tools; a cancelled /run leaves its agent running, and so does a cancelled free request (its model
 * loop stops); /kill asks first; after a reload /status knows
 * the conversation's runs; a free request where the model runs an agent, waits for it and reports
 * its outcome, the run recorded as the conversation's (a later /status names it); Steer… on a /run
 * answer asks for the message and steers a (scripted, stream-json) Claude Code through the chat,
 * recorded in the conversation; another participant calls the tools, and a kill through them asks
 * first. Screenshots of the answers go to .test-artifacts/e2e/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChatSessions } from '../../src/core/chat/chatSessions';
import { StateMap } from '../../src/core/state/stateMap';
import { FAKE_AGENT, fakeCommand, pidAlive, tempDir, until } from '../support/harness';
import { answerWith, buttonsOf, cancelChat, openChat, sendChat } from './support/chatPanel';
import { openSwitchboard, screenshotIfFailed, type SwitchboardSession } from './support/session';
import { answerQuickInput, reloadWindow, screenshot } from './support/workbench';

const SCRIPTED_MODEL = path.join(__dirname, 'support', 'scriptedModel');

describe('The chat panel in a real VS Code', function () {
  this.timeout(180_000);
  let session: SwitchboardSession | undefined;

  before(async function () {
    this.timeout(30 * 60_000);
    const workspace = tempDir('sb-e2e-chat-');
    fs.writeFileSync(path.join(workspace, 'README.md'), '# a project for the agents\n');
    // A scripted Claude Code: stream-json in and out, each message a turn of a minute (so it can be steered live).
    const claude = path.join(tempDir('sb-e2e-chat-claude-'), 'claude');
    fs.writeFileSync(claude, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --stdin --sleep 60000 "$@"\n`, { mode: 0o755 });
    session = await openSwitchboard(
      workspace,
      {
        // Three lines 700 ms apart, then the prompt, then a long sleep: it runs until killed.
        'switchboard.runners.custom.command': fakeCommand('--lines', '3', '--every', '700', '--sleep', '120000'),
        'switchboard.runners.claude.path': claude,
        'switchboard.killGraceSeconds': 2,
        'workbench.secondarySideBar.defaultVisibility': 'visible',
      },
      undefined,
      [SCRIPTED_MODEL],
    );
    await openChat(session.page, 'Scripted Model');
  });

  after(async () => {
    await session?.close();
  });

  afterEach(async function () {
    await screenshotIfFailed(this, session?.page, 'chat');
  });

  it('/run streams the agent output with Interrupt, Kill and Show Output; Kill ends it and the answer gives the outcome', async () => {
    const { page, registry } = session!;
    await sendChat(page, '@switchboard /run custom chat <b>marker</b> *not bold*');
    const answer = await answerWith(page, 'line 2 of a busy agent');
    await answerWith(page, 'chat <b>marker</b> *not bold*');
    const run = registry.list().find((r) => r.prompt.includes('marker'));
    assert.ok(run, 'the run is in the registry');
    assert.equal(registry.resolve(run.id).status, 'running');
    // The agent's text is text: no HTML element and no emphasis made of it.
    assert.equal(await answer.locator('b, em').count(), 0);
    assert.deepEqual(await buttonsOf(answer), ['Interrupt', 'Kill', 'Show Output']);
    await screenshot(page, 'chat-run-streaming');
    const pid = registry.resolve(run.id).agent!.pid;
    await answer.locator('.monaco-button', { hasText: /^Kill$/ }).click();
    await until(() => registry.resolve(run.id).status === 'killed', 20_000, 'the run killed');
    await until(() => !pidAlive(pid), 10_000, 'the agent process gone');
    await answerWith(page, new RegExp(`${run.name} \\(${run.id}\\) killed`));
    // The answer ends with the outcome; the next request must not be queued behind this one.
    await page.waitForTimeout(1000);
    await screenshot(page, 'chat-run-killed');
  });

  it('/status lists the run', async () => {
    const { page, registry } = session!;
    const run = registry.list()[0]!;
    await sendChat(page, '@switchboard /status');
    const answer = await answerWith(page, /1 agent: 1 killed/);
    assert.match(await answer.innerText(), new RegExp(run.id));
    await screenshot(page, 'chat-status');
  });

  it('a free request is answered by the model with Switchboard tools', async () => {
    const { page } = session!;
    await sendChat(page, '@switchboard which agents ran here?');
    const answer = await answerWith(page, /Scripted answer from \d+ Switchboard tools: 1 agent: 1 killed/);
    const tools = Number(/from (\d+) Switchboard tools/.exec(await answer.innerText())![1]);
    assert.ok(tools >= 40, `${tools} tools offered`);
    await screenshot(page, 'chat-free');
  });

  it('cancelling a /run stops following, not the agent; /kill asks first and its button kills', async () => {
    const { page, registry } = session!;
    await sendChat(page, '@switchboard /run custom second marker');
    await answerWith(page, 'second marker');
    const run = registry.list().find((r) => r.prompt.includes('second marker'))!;
    await cancelChat(page);
    await page.waitForTimeout(2000);
    assert.equal(registry.resolve(run.id).status, 'running', 'the agent runs on');
    await sendChat(page, `@switchboard /kill ${run.id}`);
    const ask = await answerWith(page, /whole process tree\?/);
    await page.waitForTimeout(1000);
    assert.equal(registry.resolve(run.id).status, 'running', 'nothing is killed before the button');
    await screenshot(page, 'chat-kill-asks');
    const pid = registry.resolve(run.id).agent!.pid;
    await ask.locator('.monaco-button', { hasText: `Kill ${run.name}` }).click();
    await until(() => registry.resolve(run.id).status === 'killed', 20_000, 'the run killed');
    await until(() => !pidAlive(pid), 10_000, 'the agent process gone');
  });

  it('after a window reload, /status in the same conversation names the runs it started', async () => {
    const { page, registry } = session!;
    await reloadWindow(page);
    await openChat(page, 'Scripted Model');
    await sendChat(page, '@switchboard /status');
    const answer = await answerWith(page, /Started in this conversation \(2\)/);
    const text = await answer.innerText();
    for (const run of registry.list().filter((r) => r.prompt.includes('marker'))) assert.ok(text.includes(`${run.name} (${run.id}) killed`), text);
    await screenshot(page, 'chat-status-after-reload');
  });

  it("a free request: the model starts an agent, waits for it and answers with its outcome; the run is the conversation's", async () => {
    const { page, registry, stateDir } = session!;
    await sendChat(page, '@switchboard run and report');
    const answer = await answerWith(page, /Scripted report: /, 90_000);
    const run = registry.list().find((r) => r.prompt === 'report marker');
    assert.ok(run, 'the model started an agent');
    assert.equal(run.status, 'done');
    assert.equal(run.startedBy, 'chat:tool');
    assert.match(await answer.innerText(), new RegExp(`Scripted report: ${run.name} \\(${run.id}\\) done`));
    await screenshot(page, 'chat-free-run-and-report');
    // Recorded in the conversation's session, beside the two runs /run started.
    const sessions = new ChatSessions(new StateMap(stateDir));
    const mine = sessions.list().find((s) => sessions.work(s.id).some((w) => w.kind === 'run' && w.id === run.id));
    assert.ok(mine, "the run is in a session's engine-events.jsonl");
    assert.equal(sessions.work(mine.id).filter((w) => w.kind === 'run').length, 3);
    await sendChat(page, '@switchboard /status');
    const status = await answerWith(page, /Started in this conversation \(3\)/);
    assert.ok((await status.innerText()).includes(`${run.name} (${run.id}) done`));
  });

  it('Steer… on a /run answer asks for the message and steers through the chat, recorded in the conversation', async () => {
    const { page, registry, stateDir } = session!;
    await sendChat(page, '@switchboard /run claude steer me');
    const answer = await answerWith(page, 'ack: steer me');
    const run = registry.list().find((r) => r.runner === 'claude' && r.prompt === 'steer me')!;
    assert.deepEqual(await buttonsOf(answer), ['Steer…', 'Interrupt', 'Kill', 'Show Output']);
    await answer.locator('.monaco-button', { hasText: /^Steer…$/ }).click();
    await answerQuickInput(page, 'go left instead');
    await until(() => registry.events(run.id).some((e) => e.type === 'steer' && e.source === 'chat' && e.message === 'go left instead'), 20_000, 'the steer, sent by the chat');
    const sessions = new ChatSessions(new StateMap(stateDir));
    await until(() => sessions.list().some((s) => sessions.work(s.id).some((w) => w.kind === 'steer' && w.id === run.id && w.text === 'go left instead')), 10_000, "the steer in the conversation's session");
    await screenshot(page, 'chat-steered');
    await answer.locator('.monaco-button', { hasText: /^Kill$/ }).click();
    await until(() => registry.resolve(run.id).status === 'killed', 20_000, 'the run killed');
  });

  it('a cancelled free request stops the model loop, not the agent it started', async () => {
    const { page, registry } = session!;
    await sendChat(page, '@switchboard start one and think slowly');
    await until(() => registry.list().some((r) => r.prompt.includes('slow marker') && r.status === 'running'), 60_000, 'the model to start an agent');
    const run = registry.list().find((r) => r.prompt.includes('slow marker'))!;
    await cancelChat(page);
    // The request ends at once (the stop button goes), with no answer from the model, and the agent runs on.
    await page.locator('.interactive-input-part').first().getByRole('button', { name: /^(Cancel|Stop)/ }).first().waitFor({ state: 'hidden', timeout: 10_000 });
    await page.waitForTimeout(1500);
    assert.equal(await page.locator('.interactive-item-container.interactive-response', { hasText: 'Scripted slow answer' }).count(), 0);
    assert.equal(registry.resolve(run.id).status, 'running', 'the agent runs on');
    await screenshot(page, 'chat-free-cancelled');
    await registry.kill(run.id, { source: 'test' });
  });

  it("another participant invokes Switchboard's tools; a destructive one asks first", async () => {
    const { page, registry } = session!;
    await sendChat(page, '@probe switchboard_list_agents {}');
    await answerWith(page, /probe got: \d+ agents: [^.]*\d+ killed/);
    const run = await registry.run({ runner: 'custom', prompt: 'probe target', cwd: registry.list()[0]!.cwd, command: fakeCommand('--sleep', '120000') });
    // Started by another process (as from a terminal): the window knows it once its status bar counts it.
    await page.locator('.part.statusbar', { hasText: '1 running' }).waitFor({ timeout: 30_000 });
    await sendChat(page, `@probe switchboard_kill_agent {"id":"${run.id}"}`);
    await answerWith(page, `Kill an agent: ${run.id}?`);
    await page.waitForTimeout(1000);
    assert.equal(registry.resolve(run.id).status, 'running', 'nothing is killed before the user allows it');
    await screenshot(page, 'chat-tool-confirmation');
    // The confirmation shows above the chat input, not in the answer.
    await page.locator('.monaco-button', { hasText: /^(Allow|Continue)/ }).filter({ visible: true }).first().click();
    await answerWith(page, new RegExp(`probe got: Killed ${run.name}`));
    await until(() => registry.resolve(run.id).status === 'killed', 20_000, 'the run killed');
  });
});
