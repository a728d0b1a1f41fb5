/** The composition root: builds each service once, wires them together, and hands every disposable to VS Code. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from './core/errors';
import { writesSettled } from './core/feed/journal';
import type { Switchboard } from './core/switchboard';
import { SwitchboardSlot } from './core/switchboardSlot';
import { StateWarnings } from './vscode/stateWarnings';
import { ChatOps } from './chat/chatOps';
import { registerTools } from './vscode/chat/lmTools';
import { registerParticipant } from './vscode/chat/participant';
import { registerCommands } from './vscode/commands/registerCommands';
import { DoctorDocument } from './vscode/commands/doctor';
import { createLogChannel, type LogLine } from './vscode/logChannel';
import { McpHosting } from './vscode/mcp/mcpHosting';
import { Notifier } from './vscode/notifier';
import { OUTPUT_SCHEME, OutputDocuments } from './vscode/outputDocuments';
import { RunnerAvailability } from './vscode/runnerAvailability';
import type { Services } from './vscode/services';
import { readSettings, type ExtensionSettings } from './vscode/settings';
import { StatusBar } from './vscode/statusBar';
import { ContextKeys } from './vscode/contextKeys';
import { COMPARE_SCHEME, CompareDocuments } from './vscode/compare/compareDocuments';
import { CompareNotifier } from './vscode/compare/compareNotifier';
import { DiscoveryNotifier } from './vscode/discoveries/discoveryNotifier';
import { revealingDiscoveries } from './vscode/discoveries/pickDiscovery';
import { adoptGoals } from './vscode/goals/adoptGoals';
import { GOAL_SCHEME, GoalDocuments } from './vscode/goals/goalDocuments';
import { GoalNotifier } from './vscode/goals/goalNotifier';
import { GoalWatcher } from './vscode/goals/goalWatcher';
import { adoptTeams } from './vscode/teams/adoptTeams';
import { GIT_SCHEME, GitRevisions } from './vscode/teams/gitRevisions';
import { TEAM_SCHEME, TeamDocuments } from './vscode/teams/teamDocuments';
import { TeamWatcher } from './vscode/teams/teamWatcher';
import { AgentsView } from './vscode/views/agentsView';
import { GoalsView } from './vscode/views/goalsView';
import { TeamsView } from './vscode/views/teamsView';
import { WebhookHosting } from './vscode/webhookHosting';
import { createPanels } from './vscode/webviews/panels';
import type { WebviewPanels } from './vscode/webviews/webviewPanels';
import type { BudgetProtocol } from './shared/protocol/budgetProtocol';
import type { DagProtocol } from './shared/protocol/dagProtocol';
import type { LoadTimes } from './vscode/loadTimes';
import { FirstRows } from './vscode/firstRows';

/**
 * How long work that the Agents view's first rows do not need waits for them before it looks at
 * whether the view is shown (a hidden view is not asked for rows; whether it is shown is not known
 * yet while activating): past that it waits only while the view says it is shown (firstRows.ts).
 */
const FIRST_ROWS_PATIENCE_MS = 1000;

const UNTRUSTED = 'This workspace is not trusted: Switchboard lists agents but will not start, steer or resume any here.';

/**
 * What `activate` returns (`vscode.extensions.getExtension(...).exports`): the views' providers, the
 * status bar item, the webview panels and the log's lines, which the VS Code API gives no other
 * extension a way to read; the in-host tests (test/vscode) check the rows and the item, exchange
 * messages with open panels (`probe`, as their webviews do) and read the errors commands show.
 */
export interface SwitchboardApi {
  readonly agents: AgentsView;
  readonly teams: TeamsView;
  readonly goals: GoalsView;
  readonly statusBar: vscode.StatusBarItem;
  readonly panels: { readonly dag: WebviewPanels<DagProtocol>; readonly budget: WebviewPanels<BudgetProtocol> };
  /** Each line written to the Switchboard log (a command's error is logged as it is shown). */
  readonly log: vscode.Event<LogLine>;
}

/** `load`: when dist/extension.js loaded this bundle (extensionBin.ts); absent when the bundle is loaded directly. */
export async function activate(context: vscode.ExtensionContext, load?: LoadTimes): Promise<SwitchboardApi> {
  const activated = Date.now();
  const { channel, logger, logged } = createLogChannel();
  let settings: ExtensionSettings = readSettings();
  // The core object over the state folder in use: replaced as a whole when the folder changes.
  const slot = new SwitchboardSlot();
  const agents = new AgentsView(slot);
  // The Agents view's rows come first: the status bar's sums, the MCP listener and the adoption of teams and goals wait for them.
  const firstRows = new FirstRows(agents, FIRST_ROWS_PATIENCE_MS, logger);
  void agents.listed.then(() => logger.info(`[extension] the Agents view got its first rows ${Date.now() - activated} ms after activate() was called`));
  const outputs = new OutputDocuments(slot);
  const mcp = new McpHosting(slot, () => settings, logger, firstRows.whenReady());
  const teamWatcher = new TeamWatcher(slot);
  const goalWatcher = new GoalWatcher(slot);
  const services: Services = { switchboard: () => slot.require(), settings: () => settings, availability: new RunnerAvailability(() => settings), outputs, mcp, logger };
  const teamDocuments = new TeamDocuments(teamWatcher, () => services.switchboard().teams);
  const goalDocuments = new GoalDocuments(goalWatcher, () => services.switchboard().goals);
  const teamsView = new TeamsView(teamWatcher);
  const goalsView = new GoalsView(goalWatcher);
  const discoveryUi = revealingDiscoveries(goalWatcher, teamWatcher, goalsView, teamsView);
  const doctorPage = new DoctorDocument();
  const gitRevisions = new GitRevisions();
  const compareDocuments = new CompareDocuments(slot);
  const panels = createPanels(context.extensionUri, { services, teams: teamWatcher, goals: goalWatcher }, logger);
  const chatOps = new ChatOps(() => mcp.deps());
  const showTrust = (): void => agents.setMessage(vscode.workspace.isTrusted ? undefined : UNTRUSTED);

  async function open(): Promise<void> {
    let sb: Switchboard;
    const opening = Date.now();
    try {
      sb = await slot.open({
        stateDir: settings.stateDir,
        config: settings.config,
        supervisorScript: path.join(context.extensionPath, 'dist', 'supervisor.js'),
        logger,
        agentMcp: () => mcp.forAgents(),
        // A person is here to answer what agents ask (Claude's tool approvals).
        hostApprovals: true,
      });
    } catch (error) {
      logger.error(`[extension] ${errorMessage(error)}`);
      agents.setMessage(errorMessage(error));
      void vscode.window.showErrorMessage(`Switchboard: ${errorMessage(error)}`, 'Open Settings').then((c) => c && vscode.commands.executeCommand('switchboard.openSettings'));
      return;
    }
    const opened = Date.now();
    for (const warning of sb.warnings.said) void vscode.window.showWarningMessage(`Switchboard: ${warning}`);
    showTrust();
    // Each in a turn of its own, and only while this folder is still the one in use.
    const deferred = [
      () => logger.info(`[extension] state folder ${sb.stateDir} (opened in ${opened - opening} ms): ${sb.runs.briefs().length} runs, ${sb.runs.briefs({ status: 'running' }).length} running`),
      () => void adoptTeams(sb.teams, logger),
      () => void adoptGoals(sb.goals, logger),
    ];
    for (const task of deferred) firstRows.run(() => slot.current === sb && task());
  }

  const statusBar = new StatusBar(slot, goalWatcher, firstRows.whenReady());
  context.subscriptions.push(
    channel,
    logged,
    firstRows,
    agents,
    statusBar,
    new Notifier(slot, () => settings),
    new GoalNotifier(slot, () => settings),
    new DiscoveryNotifier(slot),
    new CompareNotifier(slot),
    new StateWarnings(slot),
    outputs,
    mcp,
    new WebhookHosting(slot, logger),
    teamWatcher,
    teamDocuments,
    teamsView,
    goalWatcher,
    goalDocuments,
    goalsView,
    new ContextKeys(goalWatcher, teamWatcher),
    vscode.workspace.registerFileSystemProvider(OUTPUT_SCHEME, outputs, { isReadonly: true, isCaseSensitive: true }),
    vscode.workspace.registerFileSystemProvider(TEAM_SCHEME, teamDocuments, { isReadonly: true, isCaseSensitive: true }),
    vscode.workspace.registerFileSystemProvider(GOAL_SCHEME, goalDocuments, { isReadonly: true, isCaseSensitive: true }),
    gitRevisions,
    vscode.workspace.registerFileSystemProvider(GIT_SCHEME, gitRevisions, { isReadonly: true, isCaseSensitive: true }),
    compareDocuments,
    vscode.workspace.registerFileSystemProvider(COMPARE_SCHEME, compareDocuments, { isReadonly: true, isCaseSensitive: true }),
    vscode.languages.registerCodeLensProvider({ scheme: COMPARE_SCHEME }, compareDocuments),
    vscode.workspace.registerTextDocumentContentProvider('switchboard-doctor', doctorPage),
    panels.dag,
    panels.budget,
    ...registerParticipant(context.extensionUri, chatOps, (listener) => teamWatcher.onDidChange(({ changed }) => listener(changed)), logger),
    ...registerTools(chatOps),
    ...registerCommands(services, doctorPage, { watcher: teamWatcher, documents: teamDocuments }, { watcher: goalWatcher, documents: goalDocuments }, discoveryUi, { ...panels, teams: teamWatcher, goals: goalWatcher }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      showTrust();
      if (slot.current) void adoptTeams(slot.current.teams, logger);
      if (slot.current) void adoptGoals(slot.current.goals, logger);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('switchboard')) return;
      const before = settings.stateDir;
      settings = readSettings();
      services.availability.invalidate();
      if (settings.stateDir !== before) void open();
      else slot.current?.updateConfig(settings.config);
    }),
    // After the views (VS Code disposes these in order): it closes the core object last.
    slot,
  );
  // bench/historyView.ts reads this line: the time is the moment VS Code called activate().
  logger.info(`[extension] activate() called at ${new Date(activated).toISOString()}${load ? `; the bundle took ${load.end - load.start} ms to load` : ''}`);
  await open();
  return { agents, teams: teamsView, goals: goalsView, statusBar: statusBar.item, panels, log: logged.event };
}

/** Agents are not stopped when the window closes or reloads: they run on and are re-adopted next time. Feed lines still waiting for their lock are written. */
export function deactivate(): Promise<void> {
  return writesSettled();
}
