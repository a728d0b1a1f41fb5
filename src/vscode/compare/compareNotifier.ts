/**
 * A comparison that ended, told from the live feed (so one run by a terminal's `switchboard compare`
 * or an MCP client counts too), with Show Comparison; the feed tells each end once.
 */
import type { FeedEvent } from '../../core/feed/feedEvent';
import type { Switchboard } from '../../core/switchboard';
import { FeedNotifier } from '../feedNotifier';

interface CompareEntity {
  id?: string;
  status?: string;
  summary?: string;
}

export class CompareNotifier extends FeedNotifier {
  protected heard(_sb: Switchboard, event: FeedEvent): void {
    if (event.type !== 'compare.ended') return;
    const { id, status, summary } = (event as FeedEvent<CompareEntity>).entity ?? {};
    if (!id) return;
    const how = status === 'cancelled' ? 'was cancelled' : 'ended';
    this.show('info', `Comparison ${id} ${how}: ${summary ?? 'its runs ended'}.`, { 'Show Comparison': ['switchboard.showComparison', id] });
  }
}
