/**
 * How a run's agent is stopped: gently (the runner's own interrupt where it has one, else SIGINT;
 * its tree forced after the grace time) or at once; and, for a kill, its process tree as it was
 * when the kill began, so that what is left of it is swept once the agent has ended.
 */
import { killTree, treeMembers } from '../proc/killTree';
import type { ProcessEntry } from '../proc/processTable';
import { runMarker } from '../runs/runMarker';
import type { ProcessIdentity } from '../runs/types';
import type { AgentProcess } from './agentProcess';
import { ContainerAgent } from '../containers/containerAgent';
import type { InterruptResult } from './protocol';

export class AgentStopper {
  /** The agent's process tree as it was when a kill began, so children that leave its session are still swept. */
  private treeAtKill: ProcessEntry[] = [];

  constructor(
    private readonly runId: string,
    private readonly killGraceMs: number,
    /** Sends the runner's own interrupt (its protocol's) to the agent; false when it has none or the agent's input is closed. */
    private readonly sendInterrupt: () => boolean,
  ) {}

  /** A kill begins: the agent's tree as it is now is kept for the sweep. */
  killing(agent: AgentProcess | ContainerAgent): void {
    if (agent.identity) this.treeAtKill = treeMembers(agent.identity, runMarker(this.runId));
  }

  /** Tool children can outlive their CLI: sweep what is left of the tree. */
  async sweep(agent: ProcessIdentity): Promise<void> {
    await killTree(agent, { signal: 'SIGTERM', graceMs: 500, known: this.treeAtKill, marker: runMarker(this.runId) });
  }

  /** The gentle stop: the runner's own interrupt where it has one, else SIGINT; the tree is forced after the grace time. */
  stop(agent: AgentProcess | ContainerAgent, force: boolean): InterruptResult['delivered'] {
    if (agent instanceof ContainerAgent) return this.stopContainer(agent, force);
    const identity = agent.identity;
    if (force && identity) {
      void killTree(identity, { graceMs: 0, known: this.treeAtKill, marker: runMarker(this.runId) });
      return 'signal';
    }
    // The tree as it is before the signal: a CLI that dies at once (opencode, Kilo) takes the links to its tools with it.
    const snapshot = identity ? treeMembers(identity) : [];
    let delivered: InterruptResult['delivered'] = 'signal';
    if (this.sendInterrupt()) delivered = 'protocol';
    else agent.signal('SIGINT');
    // SIGTERM a little before the grace time is up, so that SIGKILL comes at killGraceMs, not after it.
    const termGrace = Math.min(1000, Math.floor(this.killGraceMs / 2));
    const timer = setTimeout(() => identity && void killTree(identity, { signal: 'SIGTERM', graceMs: termGrace, known: snapshot }), this.killGraceMs - termGrace);
    void agent.exited.then(() => {
      clearTimeout(timer);
      // What it started and left running (a tool's shell in a session of its own) goes with it.
      if (identity) void killTree(identity, { signal: 'SIGTERM', graceMs: 1000, known: snapshot });
    });
    return delivered;
  }

  /** A container's gentle stop: the runner's interrupt (its protocol's: ACP, Codex's app-server) or SIGINT into it; killed (its whole tree) after the grace time. */
  private stopContainer(agent: ContainerAgent, force: boolean): InterruptResult['delivered'] {
    if (force) {
      agent.forceStop();
      return 'signal';
    }
    let delivered: InterruptResult['delivered'] = 'signal';
    if (this.sendInterrupt()) delivered = 'protocol';
    else agent.signal('SIGINT');
    const timer = setTimeout(() => agent.forceStop(), this.killGraceMs);
    void agent.exited.then(() => clearTimeout(timer));
    return delivered;
  }
}
