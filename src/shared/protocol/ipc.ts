/**
 * The shape of every message between a webview panel and the extension host, for all panels: a
 * panel's protocol file names its notifications (host → webview), commands (webview → host) and
 * requests (webview → host, answered by a response with the same id). No `vscode` or Node import:
 * both the host and the browser bundles use it.
 */

/** A panel's messages: what each name carries. */
export interface Protocol {
  notifications: Record<string, unknown>;
  commands: Record<string, unknown>;
  requests: Record<string, { params: unknown; result: unknown }>;
}

export type NotificationMessage<P extends Protocol> = { [K in keyof P['notifications']]: { kind: 'notification'; method: K; params: P['notifications'][K] } }[keyof P['notifications']];
export type CommandMessage<P extends Protocol> = { [K in keyof P['commands']]: { kind: 'command'; method: K; params: P['commands'][K] } }[keyof P['commands']];
export type RequestMessage<P extends Protocol> = { [K in keyof P['requests']]: { kind: 'request'; id: number; method: K; params: P['requests'][K]['params'] } }[keyof P['requests']];
export interface ResponseMessage {
  kind: 'response';
  id: number;
  result?: unknown;
  /** Said instead of a result when the request failed. */
  error?: string;
}

/** What the host sends. */
export type ToWebview<P extends Protocol> = NotificationMessage<P> | ResponseMessage;
/** What the webview sends. */
export type FromWebview<P extends Protocol> = CommandMessage<P> | RequestMessage<P>;

/** What a panel keeps across Reload Window (vscode.setState), so the serializer can bring it back. */
export interface PanelState {
  key: string;
}

/** The name of the <meta> element whose content is the first state, embedded in the HTML (no message round trip). */
export const INITIAL_STATE_META = 'switchboard-initial-state';
