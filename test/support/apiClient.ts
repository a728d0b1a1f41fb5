/** A real HTTP client of the API for tests: JSON calls with fetch, raw requests (any Host), and an SSE reader. */
import * as http from 'node:http';

export interface ApiReply<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export type ApiCall = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<ApiReply<T>>;

/** Calls `origin` + `base` + path with the token; a body is sent as JSON (a string as it is). */
export function apiClient(origin: string, token: string, base = '/api/v1'): ApiCall {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${origin}${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (Prometheus text): kept as text.
    }
    return { status: res.status, body: parsed as never, headers: res.headers };
  };
}

/** A raw request, so that Host and Origin can be anything (fetch would not let a test set Host). */
export function rawRequest(port: number, options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: { host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  /** A comment line (`: heartbeat`). */
  comment?: string;
}

/** Reads a Server-Sent Events stream: each event (and comment) as it arrives, until `close`. */
export class SseReader {
  readonly events: SseEvent[] = [];
  status = 0;
  private readonly abort = new AbortController();
  readonly done: Promise<void>;

  constructor(url: string, headers: Record<string, string>) {
    this.done = this.read(url, headers).catch((error: Error) => {
      if (error.name !== 'AbortError') throw error;
    });
  }

  private async read(url: string, headers: Record<string, string>): Promise<void> {
    const res = await fetch(url, { headers, signal: this.abort.signal });
    this.status = res.status;
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) event.comment = line.slice(1).trim();
          else {
            const colon = line.indexOf(':');
            const field = line.slice(0, colon);
            const value = line.slice(colon + 1).replace(/^ /, '');
            if (field === 'id' || field === 'event' || field === 'data') event[field] = value;
          }
        }
        this.events.push(event);
      }
    }
  }

  /** The events that carry data, parsed. */
  data<T = { seq: number; type: string; key: string }>(): T[] {
    return this.events.filter((e) => e.data !== undefined).map((e) => JSON.parse(e.data!) as T);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
