/**
 * A notification when an agent reports work nobody planned, in any goal or team (of this window or
 * another process), with Promote, Dismiss and Show. Each discovery is told once, as it arrives.
 */
import type { Discovery } from '../../core/discoveries/discoveryStore';
import type { FeedEvent } from '../../core/feed/feedEvent';
import type { Switchboard } from '../../core/switchboard';
import { FeedNotifier, goalObjective } from '../feedNotifier';

export class DiscoveryNotifier extends FeedNotifier {
  private readonly told = new Set<string>();

  protected override forget(): void {
    this.told.clear();
  }

  protected heard(sb: Switchboard, event: FeedEvent): void {
    if (event.type !== 'discovery.created') return;
    const d = event.entity as Discovery;
    if (!d?.id || this.told.has(event.key)) return;
    this.told.add(event.key);
    const where = d.goal ? `goal "${goalObjective(sb, d.goal)}"` : `team ${d.team}`;
    const row = d.goal ? { goal: d.goal, discovery: d.id } : { team: d.team, discovery: d.id };
    this.show('info', `An agent of ${where} found work nobody planned: ${d.id} "${d.title}".`, {
      'Promote…': ['switchboard.promoteDiscovery', row],
      'Dismiss…': ['switchboard.dismissDiscovery', row],
      Show: ['switchboard.showDiscovery', row],
    });
  }
}
