/** One POST of a webhook delivery: its answer's status, or why there was none, within a time limit. */
import * as http from 'node:http';
import * as https from 'node:https';

export interface PostOutcome {
  ok: boolean;
  status?: number;
  /** Why it failed: the connection's error, the time limit, or the start of the answer's body. */
  error?: string;
  ms: number;
}

const MAX_ERROR_BODY = 300;

export function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: Omit<PostOutcome, 'ms'>): void => {
      if (settled) return;
      settled = true;
      resolve({ ...outcome, ms: Date.now() - started });
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      done({ ok: false, error: `not a URL: ${url}` });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: timeoutMs }, (response) => {
      const status = response.statusCode ?? 0;
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (text.length < MAX_ERROR_BODY) text += chunk;
      });
      response.on('end', () => done(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `HTTP ${status}${text.trim() ? `: ${text.trim().slice(0, MAX_ERROR_BODY)}` : ''}` }));
      response.on('error', (error) => done({ ok: false, status, error: error.message }));
    });
    request.on('timeout', () => {
      request.destroy();
      done({ ok: false, error: `no answer within ${Math.round(timeoutMs / 1000)} s` });
    });
    request.on('error', (error) => done({ ok: false, error: error.message }));
    request.end(body);
  });
}
