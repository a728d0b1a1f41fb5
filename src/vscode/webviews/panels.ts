/** The two webview panel kinds, the DAG and the budget report, over the same sources. */
import type * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { BUDGET_VIEW_TYPE, type BudgetProtocol } from '../../shared/protocol/budgetProtocol';
import { DAG_VIEW_TYPE, type DagProtocol } from '../../shared/protocol/dagProtocol';
import { BudgetController } from './budgetPanel';
import { DagController, type DagSources } from './dagPanel';
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
  return {
    dag: new WebviewPanels<DagProtocol>(extensionUri, { viewType: DAG_VIEW_TYPE, bundle: 'dag', controller: (key, post) => guarded(() => new DagController(key, sources, post), logger, key) }, logger),
    budget: new WebviewPanels<BudgetProtocol>(extensionUri, { viewType: BUDGET_VIEW_TYPE, bundle: 'budget', controller: (key, post) => guarded(() => new BudgetController(key, sources, post), logger, key) }, logger),
  };
}
