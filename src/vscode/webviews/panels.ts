/** The two webview panel kinds, the DAG and the budget report, over the same sources; the DAG's layouts (a worker of the host). */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { BUDGET_VIEW_TYPE, type BudgetProtocol } from '../../shared/protocol/budgetProtocol';
import { DAG_VIEW_TYPE, type DagPanelState, type DagProtocol } from '../../shared/protocol/dagProtocol';
import { BudgetController } from './budgetPanel';
import { DagLayouts } from './dagLayouts';
import { DagController, prepareLayouts, type DagSources } from './dagPanel';
import { WebviewPanels } from './webviewPanels';

/** A controller for `key`, or none when the key is not one this kind shows (a stale restore). */
function guarded<T>(make: () => T, logger: Logger, key: string): T | undefined {
  try {
    return make();
  } catch (error) {
    logger.warn(`[webview] not restoring ${key}: ${(error as Error).message}`);
    return undefined;
  }
}

export function createPanels(extensionUri: vscode.Uri, sources: DagSources, logger: Logger): { dag: WebviewPanels<DagProtocol>; budget: WebviewPanels<BudgetProtocol> } {
  const layouts = new DagLayouts(path.join(extensionUri.fsPath, 'dist', 'dagLayoutWorker.js'), { logger });
  const dag = new WebviewPanels<DagProtocol>(extensionUri, { viewType: DAG_VIEW_TYPE, bundle: 'dag', controller: (key, post, restored) => guarded(() => new DagController(key, sources, post, layouts, restored as Partial<DagPanelState> | undefined), logger, key) }, logger);
  dag.own(prepareLayouts(sources.teams, layouts));
  dag.own(layouts);
  return {
    dag,
    budget: new WebviewPanels<BudgetProtocol>(extensionUri, { viewType: BUDGET_VIEW_TYPE, bundle: 'budget', controller: (key, post) => guarded(() => new BudgetController(key, sources, post), logger, key) }, logger),
  };
}
