/**
 * The panels of one webview kind (the DAG, the budget report): one panel per key (a team, a goal),
 * revealed again rather than opened twice; brought back after Reload Window by a serializer (the
 * webview keeps its key in its state); each with a controller that makes its content and answers
 * its messages, typed by the panel's protocol. Resources come only from dist/webview/. An open
 * panel's exchange can be reached through `probe` (the in-host tests, through SwitchboardApi).
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { Lifecycle, toDisposable } from '../../core/lifecycle';
import type { Logger } from '../../core/logger';
import type { CommandMessage, FromWebview, NotificationMessage, PanelState, Protocol, RequestMessage, ResponseMessage, ToWebview } from '../../shared/protocol/ipc';
import { bundleRoot, webviewHtml } from './webviewHtml';

/** Sends a notification to the panel's webview. */
export type Post<P extends Protocol> = <K extends keyof P['notifications']>(method: K, params: P['notifications'][K]) => void;

/** One panel's content and answers. */
export interface PanelController<P extends Protocol> extends vscode.Disposable {
  title(): string;
  /** The first state, embedded in the HTML. */
  initial(): unknown;
  command(message: CommandMessage<P>): void | Promise<void>;
  request(message: RequestMessage<P>): Promise<unknown>;
}

export interface PanelKind<P extends Protocol> {
  viewType: string;
  /** The bundle's base name in dist/webview/ (`dag` → dag.js and dag.css). */
  bundle: string;
  /** The controller of the panel showing `key` (`restored`: its webview's state, after Reload Window); undefined when `key` is not one this kind knows. */
  controller(key: string, post: Post<P>, restored?: unknown): PanelController<P> | undefined;
}

/**
 * An open panel's exchange with its webview, for the in-host tests: what the host posts to the
 * webview, and `receive`, which hands the host a message as the webview does (the same handling).
 */
export interface PanelProbe<P extends Protocol> {
  readonly panel: vscode.WebviewPanel;
  readonly onDidPost: vscode.Event<ToWebview<P>>;
  /** Resolves once the host has handled it (a request's response posted, a command carried out). */
  receive(message: FromWebview<P>): Promise<void>;
}

interface OpenPanel<P extends Protocol> {
  panel: vscode.WebviewPanel;
  controller: PanelController<P>;
  posted: vscode.EventEmitter<ToWebview<P>>;
}

export class WebviewPanels<P extends Protocol> extends Lifecycle {
  private readonly open = new Map<string, OpenPanel<P>>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly kind: PanelKind<P>,
    private readonly logger: Logger,
  ) {
    super();
    this.register(vscode.window.registerWebviewPanelSerializer(kind.viewType, {
      deserializeWebviewPanel: async (panel, state) => this.adopt(panel, (state as Partial<PanelState> | undefined)?.key, state),
    }));
    this.register(toDisposable(() => {
      for (const { panel } of [...this.open.values()]) panel.dispose();
    }));
  }

  /** Keeps `resource` (what this kind's controllers share) until the panels are disposed. */
  own(resource: vscode.Disposable): void {
    this.register(resource);
  }

  /** Shows the panel of `key`, making it if it is not open yet. */
  show(key: string): void {
    const existing = this.open.get(key);
    if (existing) return existing.panel.reveal(undefined, false);
    const panel = vscode.window.createWebviewPanel(this.kind.viewType, 'Switchboard', vscode.ViewColumn.Active, this.options());
    this.adopt(panel, key);
  }

  /** The exchange of the open panel of `key`, if it is open. */
  probe(key: string): PanelProbe<P> | undefined {
    const open = this.open.get(key);
    return open && { panel: open.panel, onDidPost: open.posted.event, receive: (message) => this.receive(open, message) };
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, enableFindWidget: false, localResourceRoots: [bundleRoot(this.extensionUri)] };
  }

  private adopt(panel: vscode.WebviewPanel, key: string | undefined, restored?: unknown): void {
    // The title follows what the controller last sent.
    const made: { controller?: PanelController<P> } = {};
    const posted = new vscode.EventEmitter<ToWebview<P>>();
    const post: Post<P> = (method, params) => {
      send({ panel, posted }, { kind: 'notification', method, params } as NotificationMessage<P>);
      if (made.controller) panel.title = made.controller.title();
    };
    const controller = (made.controller = key === undefined || this.open.has(key) ? undefined : this.kind.controller(key, post, restored));
    if (!controller || key === undefined) {
      // A panel of something gone (or shown twice by a restore): nothing to show.
      posted.dispose();
      panel.dispose();
      return;
    }
    const open: OpenPanel<P> = { panel, controller, posted };
    this.open.set(key, open);
    panel.webview.options = this.options();
    panel.title = controller.title();
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, this.kind.bundle, controller.title(), { key, content: controller.initial() });
    const listener = panel.webview.onDidReceiveMessage((message: FromWebview<P>) => void this.receive(open, message));
    panel.onDidDispose(() => {
      listener.dispose();
      controller.dispose();
      posted.dispose();
      if (this.open.get(key) === open) this.open.delete(key);
    });
  }

  private async receive(open: OpenPanel<P>, message: FromWebview<P>): Promise<void> {
    const { controller } = open;
    if (message.kind === 'request') {
      const response: ResponseMessage = { kind: 'response', id: message.id };
      try {
        response.result = await controller.request(message);
      } catch (error) {
        response.error = errorMessage(error);
      }
      send(open, response);
      return;
    }
    try {
      await controller.command(message);
    } catch (error) {
      this.logger.error(`[webview] ${this.kind.viewType} ${String(message.method)}: ${errorMessage(error)}`);
      void vscode.window.showErrorMessage(errorMessage(error));
    }
  }
}

/** Posts `message` to the panel's webview and tells the probes. */
function send<P extends Protocol>({ panel, posted }: Pick<OpenPanel<P>, 'panel' | 'posted'>, message: ToWebview<P>): void {
  void panel.webview.postMessage(message);
  posted.fire(message);
}
