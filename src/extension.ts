/** The composition root: builds each service once, wires them together, and hands every disposable to VS Code. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from './core/errors';
import { RunRegistry } from './core/registry/registry';
import { TeamService } from './core/teams/teamService';
import { registerCommands } from './vscode/commands/registerCommands';
import { DoctorDocument } from './vscode/commands/doctor';
import { createLogChannel } from './vscode/logChannel';
import { McpHosting } from './vscode/mcp/mcpHosting';
import { Notifier } from './vscode/notifier';
import { OUTPUT_SCHEME, OutputDocuments } from './vscode/outputDocuments';
import { RunnerAvailability } from './vscode/runnerAvailability';
import type { Services } from './vscode/services';
import { readSettings, type ExtensionSettings } from './vscode/settings';
import { StatusBar } from './vscode/statusBar';
import { adoptTeams } from './vscode/teams/adoptTeams';
import { GIT_SCHEME, GitRevisions } from './vscode/teams/gitRevisions';
import { TEAM_SCHEME, TeamDocuments } from './vscode/teams/teamDocuments';
import { TeamWatcher } from './vscode/teams/teamWatcher';
import { AgentsView } from './vscode/views/agentsView';
import { EmptyView } from './vscode/views/emptyView';
import { TeamsView } from './vscode/views/teamsView';

const UNTRUSTED = 'This workspace is not trusted: Switchboard lists agents but will not start, steer or resume any here.';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const { channel, logger } = createLogChannel();
  let settings: ExtensionSettings = readSettings();
  let registry: RunRegistry | undefined;
  let notifier: Notifier | undefined;
  let teams: TeamService | undefined;
  const agents = new AgentsView();
  const statusBar = new StatusBar();
  const outputs = new OutputDocuments(undefined);
  const doctorPage = new DoctorDocument();
  const availability = new RunnerAvailability(() => settings);
  const mcp = new McpHosting(() => settings, logger);
  const teamWatcher = new TeamWatcher();
  const teamDocuments = new TeamDocuments(teamWatcher, () => services.teams());
  const gitRevisions = new GitRevisions();
  const services: Services = {
    registry: () => {
      if (!registry) throw new Error(`Switchboard could not open its state folder ${settings.stateDir}; see the Switchboard log.`);
      return registry;
    },
    teams: () => {
      if (!teams) throw new Error(`Switchboard could not open its state folder ${settings.stateDir}; see the Switchboard log.`);
      return teams;
    },
    settings: () => settings,
    availability,
    outputs,
    mcp,
    logger,
  };
  const showTrust = (): void => agents.setMessage(vscode.workspace.isTrusted ? undefined : UNTRUSTED);

  async function openRegistry(): Promise<void> {
    notifier?.dispose();
    teams?.dispose();
    teams = undefined;
    registry?.dispose();
    registry = undefined;
    try {
      registry = await RunRegistry.open({
        stateDir: settings.stateDir,
        config: settings.config,
        supervisorScript: path.join(context.extensionPath, 'dist', 'supervisor.js'),
        logger,
        agentMcp: () => mcp.forAgents(),
        // A person is here to answer what agents ask (Claude's tool approvals).
        hostApprovals: true,
      });
      for (const warning of registry.warnings) void vscode.window.showWarningMessage(`Switchboard: ${warning}`);
      logger.info(`[extension] state folder ${settings.stateDir}: ${registry.list().length} runs, ${registry.list({ status: 'running' }).length} running`);
      notifier = new Notifier(registry, () => settings);
      teams = new TeamService(registry);
      showTrust();
    } catch (error) {
      logger.error(`[extension] ${errorMessage(error)}`);
      agents.setMessage(errorMessage(error));
      void vscode.window.showErrorMessage(`Switchboard: ${errorMessage(error)}`, 'Open Settings').then((c) => c && vscode.commands.executeCommand('switchboard.openSettings'));
    }
    agents.setRegistry(registry);
    statusBar.setRegistry(registry);
    outputs.setRegistry(registry);
    mcp.setRegistry(registry, teams);
    teamWatcher.setSource(teams, registry);
    if (teams) void adoptTeams(teams, logger);
  }

  context.subscriptions.push(
    channel,
    agents,
    statusBar,
    outputs,
    mcp,
    teamWatcher,
    teamDocuments,
    gitRevisions,
    new TeamsView(teamWatcher),
    vscode.workspace.registerFileSystemProvider(OUTPUT_SCHEME, outputs, { isReadonly: true, isCaseSensitive: true }),
    vscode.workspace.registerFileSystemProvider(TEAM_SCHEME, teamDocuments, { isReadonly: true, isCaseSensitive: true }),
    vscode.workspace.registerFileSystemProvider(GIT_SCHEME, gitRevisions, { isReadonly: true, isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider('switchboard-doctor', doctorPage),
    vscode.window.registerTreeDataProvider('switchboard.goals', new EmptyView()),
    ...registerCommands(services, doctorPage, { watcher: teamWatcher, documents: teamDocuments }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      showTrust();
      if (teams) void adoptTeams(teams, logger);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('switchboard')) return;
      const before = settings.stateDir;
      settings = readSettings();
      availability.invalidate();
      if (settings.stateDir !== before) void openRegistry();
      else registry?.updateConfig(settings.config);
    }),
    { dispose: () => (notifier?.dispose(), teams?.dispose(), registry?.dispose()) },
  );
  await openRegistry();
}

/** Agents are not stopped when the window closes or reloads: they run on and are re-adopted next time. */
export function deactivate(): void {}
