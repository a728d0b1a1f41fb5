/**
 * The HTML of a Switchboard webview: its browser bundle and stylesheet from dist/webview/ (through
 * asWebviewUri), a Content Security Policy that allows nothing else (scripts only with this page's
 * nonce, no inline script, no eval; workers only from blobs the bundle makes), and the first state
 * embedded as escaped JSON in a <meta> element, so the first paint needs no message round trip.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { INITIAL_STATE_META } from '../../shared/protocol/ipc';

/** Where the browser bundles are (the only folder a webview may load from). */
export const bundleRoot = (extensionUri: vscode.Uri): vscode.Uri => vscode.Uri.joinPath(extensionUri, 'dist', 'webview');

/** Text made safe inside an HTML attribute or element (every character HTML gives a meaning to). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, title: string, state: unknown): string {
  const nonce = randomBytes(18).toString('base64');
  const root = bundleRoot(extensionUri);
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, `${bundle}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(root, `${bundle}.css`));
  const source = webview.cspSource;
  const csp = [
    "default-src 'none'",
    `img-src ${source} data:`,
    `font-src ${source}`,
    `style-src ${source} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    'worker-src blob:',
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="${INITIAL_STATE_META}" content="${escapeHtml(JSON.stringify(state))}">
<link rel="stylesheet" nonce="${nonce}" href="${style}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
