/**
 * The controller of one budget report panel (`goal:<id>`, `team:<name>` or `today`): makes the
 * report from the core (a goal's budget report and replay, a team's or today's runs) and sends it
 * again, at most once a second, when the goal, the team or the runs change.
 */
import { errorMessage, SwitchboardError } from '../../core/errors';
import { Lifecycle, toDisposable } from '../../core/lifecycle';
import type { BudgetProtocol, BudgetReportView } from '../../shared/protocol/budgetProtocol';
import type { CommandMessage } from '../../shared/protocol/ipc';
import { goalReport, runsReport, startOfToday } from './budgetModel';
import type { DagSources } from './dagPanel';
import type { PanelController, Post } from './webviewPanels';

const THROTTLE_MS = 1000;

export const TODAY_KEY = 'today';

export class BudgetController extends Lifecycle implements PanelController<BudgetProtocol> {
  private shown: BudgetReportView;
  private timer: NodeJS.Timeout | undefined;
  private sentAt = 0;

  constructor(private readonly key: string, private readonly sources: DagSources, private readonly post: Post<BudgetProtocol>) {
    super();
    const [kind, id] = [key.split(':')[0], key.slice(key.indexOf(':') + 1)];
    if (kind !== 'goal' && kind !== 'team' && key !== TODAY_KEY) throw new SwitchboardError('invalid_argument', `Not a budget report: ${key}.`);
    this.shown = this.current();
    if (kind === 'goal') this.register(sources.goals.onDidChange(({ changed }) => changed.includes(id) && this.schedule()));
    if (kind === 'team') this.register(sources.teams.onDidChange(({ changed }) => changed.includes(id) && this.schedule()));
    if (key === TODAY_KEY) this.register(sources.services.switchboard().runs.onDidChange(() => this.schedule()));
    this.register(toDisposable(() => this.timer && clearTimeout(this.timer)));
  }

  private current(): BudgetReportView {
    const sb = this.sources.services.switchboard();
    const id = this.key.slice(this.key.indexOf(':') + 1);
    try {
      if (this.key === TODAY_KEY) {
        const since = startOfToday();
        const runs = sb.runs.list().filter((r) => r.createdAt >= since);
        return runsReport(this.key, 'Spend today', runs, (r) => (r.links.team ? r.links.task : undefined));
      }
      if (this.key.startsWith('team:')) {
        const team = sb.teams.get(id);
        const workerOf = (r: { links: { task?: string } }): string | undefined => team.tasks.find((t) => t.id === r.links.task)?.worker;
        return runsReport(this.key, `Spend of team ${id}`, sb.runs.list({ team: id }), workerOf, team.status);
      }
      const goal = sb.goals.get(id);
      return goalReport(this.key, `Budget of ${goal.normalizedGoal}`, sb.goals.budgetReport(id), sb.runs.list({ goal: id }), sb.goals.replay(id), Date.now(), sb.runs.config.goals.budgetWarningAt);
    } catch (error) {
      return { ...runsReport(this.key, `Budget report: ${id}`, [], () => undefined), note: errorMessage(error) };
    }
  }

  /** Sends the report again, at most once a second. */
  private schedule(): void {
    if (this.timer || this.isDisposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, Math.max(0, this.sentAt + THROTTLE_MS - Date.now()));
  }

  private send(): void {
    this.shown = this.current();
    this.sentAt = Date.now();
    this.post('report', this.shown);
  }

  title(): string {
    return this.shown.title;
  }

  initial(): BudgetReportView {
    return this.shown;
  }

  command(message: CommandMessage<BudgetProtocol>): void {
    if (message.method === 'ready') this.send();
  }

  async request(): Promise<never> {
    throw new SwitchboardError('invalid_argument', 'The budget report answers no requests.');
  }
}
