/** Every operation Switchboard offers, in the order tools are listed. */
import { AGENT_OPS } from './agentOps';
import { COMPARE_OPS } from './compareOps';
import { DISCOVERY_OPS } from './discoveryOps';
import { GATE_OPS } from './gateOps';
import { GOAL_OPS } from './goalOps';
import { GOAL_RECOVERY_OPS } from './goalRecoveryOps';
import { MERGE_OPS } from './mergeOps';
import type { Operation } from './operation';
import { POOL_OPS } from './poolOps';
import { RUN_WORKTREE_OPS } from './runWorktreeOps';
import { STATUS_OPS } from './statusOps';
import { SYSTEM_OPS } from './systemOps';
import { TEAM_OPS } from './teamOps';

export const OPERATIONS: readonly Operation[] = [...AGENT_OPS, ...RUN_WORKTREE_OPS, ...COMPARE_OPS, ...TEAM_OPS, ...GOAL_OPS, ...GOAL_RECOVERY_OPS, ...DISCOVERY_OPS, ...MERGE_OPS, ...POOL_OPS, ...GATE_OPS, ...SYSTEM_OPS, ...STATUS_OPS];

const BY_NAME = new Map(OPERATIONS.map((op) => [op.name, op]));

export const findOperation = (name: string): Operation | undefined => BY_NAME.get(name);
