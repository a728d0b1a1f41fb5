/**
 * How each task status looks: a word, an icon (a shape, not only a colour, for colour-blind people
 * and high contrast) and the theme colour it is drawn in (a VS Code CSS variable).
 */
import type { DagTaskStatus } from '../../shared/protocol/dagProtocol';
import { themeColor } from '../shared/dom';

export const STATUS_LOOK: Record<DagTaskStatus, { icon: string; word: string; variable: string; fallback: string }> = {
  pending: { icon: '○', word: 'pending', variable: '--vscode-descriptionForeground', fallback: '#888888' },
  ready: { icon: '◎', word: 'ready', variable: '--vscode-charts-yellow', fallback: '#cca700' },
  running: { icon: '◐', word: 'running', variable: '--vscode-charts-blue', fallback: '#3794ff' },
  done: { icon: '✓', word: 'done', variable: '--vscode-charts-green', fallback: '#89d185' },
  failed: { icon: '✕', word: 'failed', variable: '--vscode-charts-red', fallback: '#f14c4c' },
  blocked: { icon: '⊘', word: 'blocked', variable: '--vscode-charts-orange', fallback: '#d18616' },
  cancelled: { icon: '–', word: 'cancelled', variable: '--vscode-disabledForeground', fallback: '#6f6f6f' },
};

/** The colours of the statuses and the lines in the current theme, for the canvases. */
export interface Palette {
  status: Record<DagTaskStatus, string>;
  edge: string;
  critical: string;
  blocked: string;
  selected: string;
  background: string;
  viewport: string;
}

export function readPalette(): Palette {
  const status = Object.fromEntries(Object.entries(STATUS_LOOK).map(([s, look]) => [s, themeColor(look.variable, look.fallback)])) as Palette['status'];
  return {
    status,
    edge: themeColor('--vscode-editorWidget-border', '#777777'),
    critical: themeColor('--vscode-charts-purple', '#b180d7'),
    blocked: status.blocked,
    selected: themeColor('--vscode-focusBorder', '#007fd4'),
    background: themeColor('--vscode-editor-background', '#1e1e1e'),
    viewport: themeColor('--vscode-foreground', '#cccccc'),
  };
}
