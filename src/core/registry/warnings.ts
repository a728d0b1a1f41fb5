/**
 * What a person should know about the state folder, found while Switchboard works in it (a corrupt
 * file set aside, a lock taken over from a frozen process): kept in the order found, logged, and told
 * to whoever listens as each is found (the extension shows it; the CLI and the operations add those
 * found while they worked to what they say).
 */
import { Emitter, type Event } from '../events';
import type { Logger } from '../logger';

export class Warnings {
  /** Every warning so far, oldest first. */
  readonly said: string[] = [];
  private readonly found: Emitter<string>;
  readonly onDidWarn: Event<string>;

  constructor(private readonly log: Logger) {
    this.found = new Emitter<string>(log);
    this.onDidWarn = this.found.event;
  }

  add(message: string): void {
    this.said.push(message);
    this.log.warn(message);
    this.found.fire(message);
  }

  /** The warnings found since `told` of them had been said. */
  since(told: number): string[] {
    return this.said.slice(told);
  }

  dispose(): void {
    this.found.dispose();
  }
}
