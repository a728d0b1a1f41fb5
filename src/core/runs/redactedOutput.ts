/**
 * `output.redacted.log`: a plain-text runner's output (custom) as answers show it — the bytes of
 * `output.log` with secrets redacted by the run's redactor, written by its supervisor whole line by
 * whole line (a secret cut in two by a read is never half written).
 */
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Redactor } from '../redact';
import { StreamRedactor } from '../redactStream';
import type { RunPaths } from '../state/stateMap';

export class RedactedOutputWriter {
  private readonly fd: number;
  private readonly decoder = new StringDecoder('utf8');
  private readonly stream: StreamRedactor;

  constructor(paths: RunPaths, redactor: Redactor, onError: (error: Error) => void) {
    this.fd = fs.openSync(paths.outputRedacted, 'a', 0o600);
    this.stream = new StreamRedactor(redactor, (text) => {
      try {
        fs.writeSync(this.fd, text);
      } catch (error) {
        onError(error as Error);
      }
    });
  }

  push(chunk: Buffer): void {
    this.stream.push(this.decoder.write(chunk));
  }

  /** The output has ended: what was held is written, and the file closed. */
  close(): void {
    this.stream.push(this.decoder.end());
    this.stream.end();
    fs.closeSync(this.fd);
  }
}
