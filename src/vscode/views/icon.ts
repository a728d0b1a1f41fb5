/** What the tree views' rows share: a codicon in a theme colour, and a row made from its data (RowModel). */
import * as vscode from 'vscode';
import type { RowModel } from '../discoveries/discoveryRows';

export const icon = (id: string, color?: string): vscode.ThemeIcon => new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);

/** A leaf row from its data; the caller sets its id and accessible label. */
export function modelTreeItem(model: RowModel): vscode.TreeItem {
  const item = new vscode.TreeItem(model.label, vscode.TreeItemCollapsibleState.None);
  item.description = model.description;
  item.iconPath = icon(...model.icon);
  item.contextValue = model.contextValue;
  return item;
}
