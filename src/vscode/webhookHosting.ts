/**
 * The window delivers webhooks: a deliverer over the Switchboard in use, replaced with it. Each
 * webhook is delivered by one process of a state folder at a time (see WebhookDeliverer); the
 * others stand by.
 */
import { Lifecycle, RenewableStore } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import type { SwitchboardSlot } from '../core/switchboardSlot';
import { WebhookDeliverer } from '../core/webhooks/webhookDeliverer';
import { version } from '../../package.json';

export class WebhookHosting extends Lifecycle {
  private readonly delivering = this.register(new RenewableStore());

  constructor(slot: SwitchboardSlot, logger: Logger) {
    super();
    this.register(
      slot.onDidChange((sb) => {
        const current = this.delivering.renew();
        if (sb) current.add(new WebhookDeliverer(sb.state, sb.feed, () => sb.config, version, { logger }));
      }),
    );
  }
}
