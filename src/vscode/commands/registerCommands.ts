/** The command table: every id to its handler, each wrapped so errors are logged and shown, never thrown. */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { DiscoveryUi } from '../discoveries/pickDiscovery';
import type { Services } from '../services';
import type { CommandId } from './commandIds';
import { answerAgentRequest, killAgent, killAllAgents, interruptAgent, steerAgent } from './controlAgent';
import { compareAgents, showComparison } from './compareCommands';
import { doctor, type DoctorDocument } from './doctor';
import { dismissDiscovery, promoteDiscovery, showDiscovery } from './discoveryCommands';
import { resetAllGates, resetGate, runGatesNow } from './gateCommands';
import { cancelGoal, extendGoalBudget, newGoal, pauseGoal, removeGoalWorktrees, resumeGoal, showGoalProof, showGoalTaskOutput, showGoalTeamDag, type GoalUi } from './goalCommands';
import { diagnoseGoal, recoverGoal, rollBackGoal, showGoalBudgetReport, showGoalReplay } from './goalRecoveryCommands';
import { copyMcpConfiguration } from './mcpCommands';
import { poolsStatus } from './poolsStatus';
import { runAgent } from './runAgent';
import { continueInTerminal, copySessionId, removeFromList, resumeAgentSession, revealFolder, showAgentOutput, showAgentRawOutput } from './runCommands';
import { mergeRun, openRunDiffCommand, removeRunWorktree } from './runWorktreeCommands';
import { retryTeamTask, showBudgetReport, showDag, type WebviewUi } from './webviewCommands';
import { addTeamTask, cancelTeamTask, mergeWorker, openWorkerBranchDiff, removeTeamWorktrees, runTeam, showMergeStatus, showTeamDag, shutdownTeam, type TeamUi } from './teamCommands';

type Handler = (...args: unknown[]) => Promise<void>;

export function registerCommands(services: Services, doctorPage: DoctorDocument, teamUi: TeamUi, goalUi: GoalUi, discoveryUi: DiscoveryUi, webviewUi: WebviewUi): vscode.Disposable[] {
  const table: Record<CommandId, Handler> = {
    'switchboard.runAgent': (runner) => runAgent(services, runner),
    'switchboard.steerAgent': (run) => steerAgent(services, run),
    'switchboard.interruptAgent': (run) => interruptAgent(services, run),
    'switchboard.killAgent': (run) => killAgent(services, run),
    'switchboard.killAllAgents': () => killAllAgents(services),
    'switchboard.showAgentOutput': (run) => showAgentOutput(services, run),
    'switchboard.showAgentRawOutput': (run) => showAgentRawOutput(services, run),
    'switchboard.resumeAgentSession': (run) => resumeAgentSession(services, run),
    'switchboard.continueInTerminal': (run) => continueInTerminal(services, run),
    'switchboard.copySessionId': (run) => copySessionId(services, run),
    'switchboard.revealFolder': (run) => revealFolder(services, run),
    'switchboard.removeFromList': (run) => removeFromList(services, run),
    'switchboard.openRunDiff': (run) => openRunDiffCommand(services, run),
    'switchboard.mergeRun': (run) => mergeRun(services, run),
    'switchboard.removeRunWorktree': (run) => removeRunWorktree(services, run),
    'switchboard.compareAgents': () => compareAgents(services),
    'switchboard.showComparison': (id) => showComparison(services, id),
    'switchboard.doctor': () => doctor(services, doctorPage),
    'switchboard.openSettings': async () => {
      await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:switchboard-dev.switchboard');
    },
    'switchboard.copyMcpConfigClaude': () => copyMcpConfiguration(services, 'claude'),
    'switchboard.copyMcpConfigCodex': () => copyMcpConfiguration(services, 'codex'),
    'switchboard.copyMcpConfigGemini': () => copyMcpConfiguration(services, 'gemini'),
    'switchboard.copyMcpConfigCursor': () => copyMcpConfiguration(services, 'cursor'),
    'switchboard.allowAgentRequest': (run) => answerAgentRequest(services, run, true),
    'switchboard.denyAgentRequest': (run) => answerAgentRequest(services, run, false),
    'switchboard.poolsStatus': () => poolsStatus(services),
    'switchboard.runTeam': () => runTeam(services, teamUi),
    'switchboard.shutdownTeam': (team) => shutdownTeam(services, teamUi, team, false),
    'switchboard.forceShutdownTeam': (team) => shutdownTeam(services, teamUi, team, true),
    'switchboard.showTeamDag': (team) => showTeamDag(services, teamUi, team),
    'switchboard.showMergeStatus': (team) => showMergeStatus(services, teamUi, team),
    'switchboard.openWorkerDiff': (worker) => openWorkerBranchDiff(services, teamUi, worker),
    'switchboard.mergeWorker': (worker) => mergeWorker(services, teamUi, worker),
    'switchboard.addTeamTask': (team) => addTeamTask(services, teamUi, team),
    'switchboard.cancelTeamTask': (task) => cancelTeamTask(services, teamUi, task),
    'switchboard.removeTeamWorktrees': (team) => removeTeamWorktrees(services, teamUi, team),
    'switchboard.newGoal': () => newGoal(services, goalUi),
    'switchboard.pauseGoal': (goal) => pauseGoal(services, goalUi, goal),
    'switchboard.resumeGoal': (goal) => resumeGoal(services, goalUi, goal),
    'switchboard.cancelGoal': (goal) => cancelGoal(services, goalUi, goal),
    'switchboard.removeGoalWorktrees': (goal) => removeGoalWorktrees(services, goalUi, goal),
    'switchboard.extendGoalBudget': (goal) => extendGoalBudget(services, goalUi, goal),
    'switchboard.showGoalProof': (goal) => showGoalProof(services, goalUi, goal),
    'switchboard.showGoalTeamDag': (goal) => showGoalTeamDag(services, goalUi, goal),
    'switchboard.showGoalTaskOutput': (task) => showGoalTaskOutput(services, goalUi, task),
    'switchboard.runGatesNow': (goal) => runGatesNow(services, goalUi, goal),
    'switchboard.resetGate': (gate) => resetGate(services, goalUi, gate),
    'switchboard.resetAllGates': (goal) => resetAllGates(services, goalUi, goal),
    'switchboard.showGoalReplay': (goal) => showGoalReplay(services, goalUi, goal),
    'switchboard.showGoalBudgetReport': (goal) => showGoalBudgetReport(services, goalUi, goal),
    'switchboard.diagnoseGoal': (goal) => diagnoseGoal(services, goalUi, goal),
    'switchboard.recoverGoal': (goal) => recoverGoal(services, goalUi, goal),
    'switchboard.rollBackGoal': (goal) => rollBackGoal(services, goalUi, goal),
    'switchboard.rollBackToCheckpoint': (checkpoint) => rollBackGoal(services, goalUi, checkpoint),
    'switchboard.promoteDiscovery': (discovery) => promoteDiscovery(services, discoveryUi, discovery),
    'switchboard.dismissDiscovery': (discovery) => dismissDiscovery(services, discoveryUi, discovery),
    'switchboard.showDiscovery': (discovery) => showDiscovery(services, discoveryUi, discovery),
    'switchboard.showDag': (target) => showDag(services, webviewUi, target),
    'switchboard.showBudgetReport': (target) => showBudgetReport(services, webviewUi, target),
    'switchboard.showSpendToday': () => showBudgetReport(services, webviewUi, 'today'),
    'switchboard.retryTeamTask': (task) => retryTeamTask(services, webviewUi, task),
  };
  return Object.entries(table).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await handler(...args);
      } catch (error) {
        services.logger.error(`[commands] ${id}: ${errorMessage(error)}`);
        void vscode.window.showErrorMessage(errorMessage(error));
      }
    }),
  );
}
