/**
 * The window delivers webhooks: a deliverer over the Switchboard in use, replaced with it. Only one
 * process of a state folder delivers at a time (see WebhookDeliverer); the others stand by.
 */
import type { Disposable } from '../core/events';
import type { Logger } from '../core/logger';
import type { SwitchboardSlot } from '../core/switchboardSlot';
import { WebhookDeliverer } from '../core/webhooks/webhookDeliverer';
import packageJson from '../../package.json';

export class WebhookHosting implements Disposable {
  private deliverer: WebhookDeliverer | undefined;
  private readonly listener: Disposable;

  constructor(slot: SwitchboardSlot, logger: Logger) {
    this.listener = slot.onDidChange((sb) => {
      this.deliverer?.dispose();
      this.deliverer = sb && new WebhookDeliverer(sb.state, sb.feed, () => sb.config, packageJson.version, { logger });
    });
  }

  dispose(): void {
    this.listener.dispose();
    this.deliverer?.dispose();
    this.deliverer = undefined;
  }
}
