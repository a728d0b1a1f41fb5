/**
 * The extension in a real VS Code (code-server) driven by a real browser: what a person sees and
 * does in the Agents view, with real agents (a custom command and a real Claude Code against the
 * scripted provider), the notification when a run finishes, Continue in Terminal on a Claude Code run,
 * and the status bar's warning colour while an agent waits. Screenshots of each state go to .test-artifacts/e2e/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { mergeConfig } from '../../src/core/config';
import { RunRegistry } from '../../src/core/registry/registry';
import { treeMembers } from '../../src/core/proc/killTree';
import type { RunRecord } from '../../src/core/runs/types';
import { OPERATIONS } from '../../src/ops/operations';
import { liveEndpoint, tokenFile } from '../../src/http/credentials';
import { agentCliBinary, offlineCli, type OfflineCli } from '../support/agentClis';
import { call, connectHttp } from '../support/mcpClients';
import { CLI, fakeCommand, killEverything, pidAlive, SUPERVISOR, tempDir, until } from '../support/harness';
import { installExtension, setupVscode, startCodeServer, type CodeServer } from './support/codeServer';
import { packageVsix, writeMachineSettings } from './support/extension';
import { answerQuickInput, launchBrowser, openWorkbench, pickQuickItem, reloadWindow, runCommand, screenshot, waitForNotification } from './support/workbench';
import { agentRow, answerRunPickIfAsked, contextMenu, editorText, rowLabel, showSwitchboard, untrustedWorkbench, waitForRow } from './support/agentsView';

describe('Switchboard in a real VS Code', function () {
  this.timeout(180_000);
  let vsix: string;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let claude: OfflineCli;
  let registry: RunRegistry;
  let stateDir: string;
  let workspace: string;
  /** A file outside the workspace: Claude asks before it touches it, even in acceptEdits. */
  let outsideFile: string;

  before(async function () {
    this.timeout(30 * 60_000);
    await setupVscode();
    vsix = packageVsix();
    stateDir = tempDir('sb-e2e-state-');
    workspace = tempDir('sb-e2e-work-');
    fs.writeFileSync(path.join(workspace, 'README.md'), '# a project for the agents\n');
    outsideFile = path.join(tempDir('sb-e2e-outside-'), 'approved.txt');
    claude = await offlineCli('claude', tempDir('sb-e2e-claude-'), (r) => {
      if (r.lastUserText.includes('banana')) return { kind: 'text', text: 'steered: banana' };
      if (r.lastUserText.includes('outside')) return r.afterToolResult ? { kind: 'text', text: 'touched it' } : { kind: 'shell', command: `touch ${outsideFile}` };
      // The longest plain sleep Claude Code runs without asking (it refuses 25 s or more).
      if (r.lastUserText.includes('nap')) return r.afterToolResult ? { kind: 'text', text: 'nap over' } : { kind: 'shell', command: 'sleep 24' };
      return r.afterToolResult ? { kind: 'text', text: 'done writing' } : { kind: 'write_file', path: path.join(workspace, 'hello.txt'), content: 'hello from claude\n' };
    });
    const extensionsDir = tempDir('sb-e2e-ext-');
    const userDataDir = tempDir('sb-e2e-user-');
    await installExtension(vsix, extensionsDir, userDataDir);
    const settings = {
      'switchboard.stateDirectory': stateDir,
      'switchboard.runners.claude.path': agentCliBinary('claude'),
      'switchboard.runners.custom.command': fakeCommand('--sleep', '1500'),
      'switchboard.killGraceSeconds': 2,
      // The browser's window has the focus: the default (only when unfocused) would never tell.
      'switchboard.notifications.onRunFinished': 'always',
    };
    writeMachineSettings(userDataDir, settings);
    server = await startCodeServer({ workspace, extensionsDir, userDataDir, env: claude.env, settings });
    // The test's own view of the same state folder, as a terminal's `switchboard` would have.
    registry = await RunRegistry.open({ stateDir, config: mergeConfig({}), supervisorScript: SUPERVISOR });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url, workspace);
  });

  after(async () => {
    registry?.dispose();
    await browser?.close();
    await server?.stop();
    await claude?.provider.close();
    if (stateDir) await killEverything(stateDir);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `failed-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
  });

  const run = (name: string): RunRecord => registry.resolve(name);

  /**
   * Switchboard: Run Agent from the palette, as a person does: the runner, the prompt, the runner's
   * default model (the custom runner takes none), the limits (one folder is open, not a git repository).
   */
  async function runAgentFromPalette(runner: string, prompt: string, limits = ''): Promise<void> {
    await runCommand(page, 'Switchboard: Run Agent');
    await pickQuickItem(page, runner);
    await answerQuickInput(page, prompt);
    if (runner !== 'Custom command') await pickQuickItem(page, 'Runner default');
    await answerQuickInput(page, limits);
  }

  it('shows Agents, Teams and Goals; Doctor from the palette shows its report in an editor', async () => {
    await showSwitchboard(page);
    for (const title of ['Agents', 'Teams', 'Goals']) {
      await page.locator('.part.sidebar .pane-header .title', { hasText: new RegExp(`^${title}$`, 'i') }).waitFor();
    }
    await page.getByText('A team is a group of agents').waitFor();
    await page.locator('.part.statusbar').getByText(/0 running · \$0\.00 today/).waitFor();
    await screenshot(page, '01-views');
    // What the report says (each runner's row and version, the state folder) is checked in-host (test/vscode/commands.test.ts).
    await runCommand(page, 'Switchboard: Doctor');
    await editorText(page, 'Claude Code | ok');
    await screenshot(page, '02-doctor');
  });

  it('Run Agent starts a custom agent and a real Claude Code; their rows go running, then done, with tokens for Claude', async () => {
    await runAgentFromPalette('Custom command', 'hello from the palette');
    await waitForRow(page, 'custom-1', 'running');
    await waitForRow(page, 'custom-1', 'done');
    assert.equal(registry.tail('custom-1'), 'hello from the palette\n');
    assert.match(await waitForNotification(page, 'Agent custom-1 finished ('), /Agent custom-1 finished \(\d+s\)\./);

    // Limits typed in the Run Agent steps hold: this agent needs 1.5 s, its time limit is 1 s.
    await runAgentFromPalette('Custom command', 'too slow for its limit', '$1  1s');
    // (The run's record, its limits and why it stopped, is checked in-host: test/vscode/agents.test.ts.)
    await waitForRow(page, 'custom-2', 'killed');

    await runAgentFromPalette('Claude Code', 'Write hello.txt please');
    await waitForRow(page, 'claude-1', 'running');
    await waitForRow(page, 'claude-1', 'done', 60_000);
    assert.match(await rowLabel(page, 'claude-1'), /claude · \d+s · 300 tok · \$0\.00\d+/);
    assert.equal(fs.readFileSync(path.join(workspace, 'hello.txt'), 'utf8'), 'hello from claude\n');
    assert.match(await waitForNotification(page, 'Agent claude-1 finished'), /Agent claude-1 finished \(\d+s · 300 tok · \$0\.00\d+\): done writing/);
    await screenshot(page, '03-runs-done');
  });

  it('Show Output shows what the agent streamed, readable', async () => {
    await runCommand(page, 'Switchboard: Show Agent Output');
    await pickQuickItem(page, 'claude-1');
    const text = await editorText(page, 'done writing');
    assert.match(text, /→ Write .*hello\.txt/);
    assert.match(text, /✓ finished/);
    assert.doesNotMatch(text, /"type":"assistant"/, 'raw JSON is hidden');
    await screenshot(page, '04-output');
  });

  it("Continue in Terminal starts the real Claude Code's own session on the run's session in a terminal, in the run's folder; the palette offers only runs it can continue", async () => {
    const session = run('claude-1').sessionId!;
    await runCommand(page, 'Switchboard: Continue in Terminal');
    const choices = page.locator('.quick-input-widget .monaco-list-row');
    await choices.filter({ hasText: 'claude-1' }).first().waitFor();
    assert.equal(await choices.filter({ hasText: 'custom-' }).count(), 0, 'a custom command has no session to continue');
    await pickQuickItem(page, 'claude-1');
    await page.locator('.part.panel').getByText('claude-1 · Claude Code').first().waitFor({ timeout: 30_000 });
    // The CLI itself (no shell), on the run's session with its permission mode, in the run's folder.
    const argv = (pid: number): string[] => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const resumed = (): number[] =>
      fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
        try {
          const args = argv(pid);
          return args[args.indexOf('--resume') + 1] === session;
        } catch {
          return false; // Gone meanwhile.
        }
      });
    await until(() => resumed().length > 0, 30_000, 'claude --resume <session> started by the terminal');
    const pid = resumed()[0]!;
    const args = argv(pid);
    assert.deepEqual(args.slice(args.indexOf('--resume'), args.indexOf('--resume') + 4), ['--resume', session, '--permission-mode', 'acceptEdits']);
    assert.equal(fs.realpathSync(`/proc/${pid}/cwd`), fs.realpathSync(workspace));
    await screenshot(page, '04b-continue-in-terminal');
    await runCommand(page, 'Terminal: Kill the Active Terminal Instance');
    await until(() => resumed().length === 0, 15_000, 'the session to end with its terminal');
  });

  it('a long-running agent is steered from the palette, then killed from its context menu, and its process tree is gone', async () => {
    await runAgentFromPalette('Claude Code', 'Take a nap');
    await waitForRow(page, 'claude-2', 'running');
    await until(() => registry.events('claude-2').some((e) => e.type === 'tool_call'), 60_000, 'the nap to start');
    await runCommand(page, 'Switchboard: Steer Agent…');
    await pickQuickItem(page, 'claude-2');
    await answerQuickInput(page, 'also say banana');
    await until(() => registry.events('claude-2').some((e) => e.type === 'steer' && e.source === 'vscode'), 10_000, 'the steer event');
    const tree = treeMembers(run('claude-2').agent!);
    assert.ok(tree.length >= 2, 'the agent and its sleep');
    await contextMenu(page, agentRow(page, 'claude-2'), 'Kill Agent');
    await answerRunPickIfAsked(page, 'claude-2');
    await waitForRow(page, 'claude-2', 'killed', 20_000);
    await until(() => tree.every((p) => !pidAlive(p.pid)), 10_000, 'the whole tree to be gone');
    await screenshot(page, '05-steered-and-killed');
  });

  it('an agent asking to run a command waits with a bell; Allow in the notification lets it go on', async () => {
    await runAgentFromPalette('Claude Code', 'Touch the file outside the project');
    const toast = page.locator('.notification-toast', { hasText: 'is waiting for approval to use Bash' }).first();
    await toast.waitFor({ timeout: 60_000 });
    const name = registry.list({ runner: 'claude' })[0]!.name;
    // The row says so too (its redraw may come a moment after the notification).
    await page.locator(`.part.sidebar .monaco-list-row[aria-label^="${name}, running, waiting for approval to use Bash: touch "]`).first().waitFor({ timeout: 10_000 });
    assert.match(await rowLabel(page, name), /approved\.txt/);
    assert.equal(fs.existsSync(outsideFile), false, 'nothing ran before the answer');
    // The status bar turns to the warning colour while it waits.
    const warning = page.locator('.part.statusbar .statusbar-item.warning-kind', { hasText: '1 waiting' });
    await warning.waitFor({ timeout: 10_000 });
    await screenshot(page, '06-waiting-for-approval');
    await toast.locator('.monaco-button', { hasText: 'Allow' }).click();
    await waitForRow(page, name, 'done', 60_000);
    await warning.waitFor({ state: 'detached', timeout: 10_000 });
    assert.ok(fs.existsSync(outsideFile), 'the allowed command ran');
    assert.ok(registry.events(name).some((e) => e.type === 'approval' && e.allow && e.source === 'vscode'));
  });

  it('a run started in a terminal appears; after Reload Window it is still running and can be killed', async () => {
    const started = JSON.parse(
      execFileSync(process.execPath, [CLI, 'run', 'custom', 'long job', '--detach', '--name', 'from-terminal', '--format', 'json', '--command', fakeCommand('--sleep', '120000')], {
        env: { ...process.env, SWITCHBOARD_HOME: stateDir },
        encoding: 'utf8',
      }),
    ) as RunRecord;
    await showSwitchboard(page);
    await waitForRow(page, 'from-terminal', 'running');
    await contextMenu(page, agentRow(page, 'from-terminal'), 'Show Agent Output');
    await answerRunPickIfAsked(page, 'from-terminal');
    await editorText(page, 'long job');
    await reloadWindow(page);
    // The output editor comes back by itself, its text read anew from the run.
    await page.locator('.tabs-container .tab', { hasText: 'from-terminal' }).first().waitFor({ timeout: 30_000 });
    await editorText(page, 'long job');
    await showSwitchboard(page);
    await waitForRow(page, 'from-terminal', 'running');
    await screenshot(page, '07-after-reload');
    await contextMenu(page, agentRow(page, 'from-terminal'), 'Kill Agent');
    await answerRunPickIfAsked(page, 'from-terminal');
    await waitForRow(page, 'from-terminal', 'killed', 20_000);
    assert.equal(pidAlive(started.agent!.pid), false);
  });

  it('a corrupt record found while the window works is told in a notification, set aside, and its run listed orphaned', async () => {
    const id = 'zzbroken';
    // Whichever Switchboard process reads the record first finds it corrupt and says so: the test's own is closed meanwhile.
    registry.dispose();
    fs.mkdirSync(path.join(stateDir, 'runs', id));
    fs.writeFileSync(path.join(stateDir, 'runs', id, 'run.json'), '{"version": 1, "id": ');
    assert.match(await waitForNotification(page, `The record of run ${id} was corrupt`), /set aside as \S+run\.json\.corrupt-\d+-\d+ and the run is listed as orphaned/);
    await showSwitchboard(page);
    await waitForRow(page, 'unknown-zzbr', 'orphaned');
    await screenshot(page, '07b-corrupt-record-told');
    assert.equal(fs.readdirSync(path.join(stateDir, 'runs', id)).filter((name) => name.startsWith('run.json.corrupt-')).length, 1);
    registry = await RunRegistry.open({ stateDir, config: mergeConfig({}), supervisorScript: SUPERVISOR });
  });

  it("VS Code's MCP list has Switchboard with no setup, and starts it", async () => {
    const serverRow = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Switchboard' }).first();
    await runCommand(page, 'MCP: List Servers');
    await serverRow.waitFor({ timeout: 15_000 });
    await serverRow.click();
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Start Server' }).first().click();
    await until(() => !!liveEndpoint(stateDir), 20_000, 'the extension host to start its MCP server for VS Code');
    // VS Code opens its log of the server: connected, and every one of our tools discovered.
    await page.locator('.part.panel').getByText(`Discovered ${OPERATIONS.length} tools`).waitFor({ timeout: 20_000 });
    await screenshot(page, '08-vscode-mcp-running');
    await page.locator('.part.editor').click({ force: true });
  });

  it('an external MCP client reaches the server this extension host started, starts an agent, and the Agents view shows it', async () => {
    await runCommand(page, 'Switchboard: Copy MCP Configuration for Claude Code');
    await page.locator('.notification-toast', { hasText: 'Copied the Claude Code configuration' }).first().waitFor({ timeout: 20_000 });
    const endpoint = liveEndpoint(stateDir);
    assert.ok(endpoint, 'the extension host serves MCP for this state folder');
    assert.notEqual(endpoint.server.pid, process.pid);
    const token = fs.readFileSync(tokenFile(stateDir), 'utf8').trim();
    const copied = (await page.evaluate('navigator.clipboard.readText()')) as string;
    assert.equal(copied, `claude mcp add --transport http switchboard ${endpoint.url} --header "Authorization: Bearer ${token}"`);
    const client = await connectHttp(endpoint.url, token, 'e2e-external-client');
    try {
      const started = await call(client, 'run_agent', { runner: 'custom', prompt: 'hello from an MCP client', name: 'via-mcp', command: fakeCommand('--sleep', '4000') });
      assert.ok(!started.isError, JSON.stringify(started.content));
      await showSwitchboard(page);
      await waitForRow(page, 'via-mcp', 'running');
      await screenshot(page, '09-started-by-mcp-client');
      await waitForRow(page, 'via-mcp', 'done', 60_000);
      // What the run's record says (its folder, who started it), Doctor's MCP section for this client and the
      // HTTP API beside MCP are checked in-host (test/vscode/commands.test.ts); here, VS Code's own client.
      await runCommand(page, 'Switchboard: Doctor');
      await editorText(page, 'Switchboard Doctor');
      // The MCP section is at the end; the editor renders only the lines in view.
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+End');
      const doctor = await editorText(page, 'e2e-external-client');
      // VS Code's own MCP client (code-server names itself, started by MCP: List Servers above) and ours.
      // The list may also hold the Claude Code agents of earlier tests, which get this server too.
      assert.match(doctor, /Clients connected: (.*, )?code-server [\d.]+ \(http\)/);
      await screenshot(page, '10-doctor-mcp');
    } finally {
      await client.close();
    }
  });

  it('in an untrusted workspace the Agents view says why, and nothing is spawned', async () => {
    const untrustedState = tempDir('sb-e2e-untrusted-state-');
    const folder = tempDir('sb-e2e-untrusted-');
    const extensionsDir = tempDir('sb-e2e-ext2-');
    const userDataDir = tempDir('sb-e2e-user2-');
    await installExtension(vsix, extensionsDir, userDataDir);
    writeMachineSettings(userDataDir, { 'switchboard.stateDirectory': untrustedState });
    const untrusted = await startCodeServer({
      workspace: folder,
      extensionsDir,
      userDataDir,
      trust: true,
      settings: { 'switchboard.stateDirectory': untrustedState, 'security.workspace.trust.startupPrompt': 'always' },
    });
    try {
      const other = await untrustedWorkbench(browser!, untrusted.url, folder);
      await screenshot(other, '11-untrusted-opened');
      await showSwitchboard(other);
      await other.getByText('not trusted').first().waitFor({ timeout: 30_000 });
      await runCommand(other, 'Switchboard: Run Agent');
      await other.locator('.notification-toast', { hasText: 'not trusted' }).first().waitFor({ timeout: 15_000 });
      await screenshot(other, '11-untrusted');
      assert.deepEqual(fs.readdirSync(path.join(untrustedState, 'runs')), []);
      await other.context().close();
    } finally {
      await untrusted.stop();
    }
  });
});
