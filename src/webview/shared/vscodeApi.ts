/**
 * The webview's side of a panel's protocol (src/shared/protocol/ipc.ts): commands and requests to
 * the host (a request's promise settles with the response of the same id), notifications from it,
 * the first state embedded in the page, and the state VS Code keeps across Reload Window.
 */
import { INITIAL_STATE_META, type CommandMessage, type NotificationMessage, type PanelState, type Protocol, type RequestMessage, type ToWebview } from '../../shared/protocol/ipc';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The first state the host embedded in the page (its key, and the panel's content). */
export function initialState<T>(): PanelState & { content: T } {
  const meta = document.querySelector(`meta[name="${INITIAL_STATE_META}"]`);
  return JSON.parse(meta?.getAttribute('content') ?? '{}') as PanelState & { content: T };
}

export class Channel<P extends Protocol, S extends PanelState = PanelState> {
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(onNotification: (message: NotificationMessage<P>) => void) {
    window.addEventListener('message', (event: MessageEvent<ToWebview<P>>) => {
      const message = event.data;
      if (message?.kind === 'notification') return onNotification(message);
      if (message?.kind !== 'response') return;
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message.result);
    });
  }

  command<K extends keyof P['commands']>(method: K, params: P['commands'][K]): void {
    this.api.postMessage({ kind: 'command', method, params } as CommandMessage<P>);
  }

  request<K extends keyof P['requests']>(method: K, params: P['requests'][K]['params']): Promise<P['requests'][K]['result']> {
    const id = this.nextId++;
    this.api.postMessage({ kind: 'request', id, method, params } as RequestMessage<P>);
    return new Promise((resolve, reject) => this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject }));
  }

  get state(): S | undefined {
    return this.api.getState() as S | undefined;
  }

  set state(state: S) {
    this.api.setState(state);
  }
}
