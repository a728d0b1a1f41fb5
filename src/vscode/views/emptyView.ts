/** A view with no rows yet, so VS Code shows the view's welcome content (Teams and Goals until their features land). */
import type * as vscode from 'vscode';

export class EmptyView implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }

  getChildren(): never[] {
    return [];
  }
}
