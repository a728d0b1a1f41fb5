/**
 * A webhook receiver on loopback for tests: it checks each delivery's signature with the secret it is
 * given, keeps every request (its idempotency key, event, body and the status it answered), and
 * answers 500 to the first `failures` attempts of each delivery, then 200.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/core/webhooks/webhookPayload';

export interface Received {
  id: string;
  event: string;
  signed: boolean;
  body: { id?: string; event?: string; summary?: string; subject?: { key: string; id?: string; status?: string; lastError?: string; waiting?: string }; text?: string };
  status: number;
}

/** A receiver that answers 500 to the first `failures` requests of each delivery id, then 200. */
export class Receiver {
  readonly requests: Received[] = [];
  failures = 0;

  constructor(private readonly secret: string) {}

  private readonly server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      const id = String(req.headers['idempotency-key']);
      const before = this.requests.filter((r) => r.id === id).length;
      const status = before < this.failures ? 500 : 200;
      const signed = verifySignature(this.secret, String(req.headers['x-switchboard-timestamp']), text, req.headers['x-switchboard-signature'] as string | undefined);
      this.requests.push({ id, event: String(req.headers['x-switchboard-event']), signed, body: JSON.parse(text) as Received['body'], status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try later');
    });
  });
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  /** Each delivery accepted, by id. */
  accepted(): Map<string, Received> {
    return new Map(this.requests.filter((r) => r.status === 200).map((r) => [r.id, r]));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
