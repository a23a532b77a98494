import {
  couldEverFit,
  matchesSelector,
  type NodeView,
  type TaskRequirements,
} from '@switchyard/core';

export const WAITING_REASONS = {
  noNodeForType: 'no node handles type',
  selectorUnmatched: 'selector matches no node',
  tooLarge: 'no node is large enough',
  noCapacity: 'no capacity',
} as const;

export type WaitingReasonCode = keyof typeof WAITING_REASONS;

/** Why a ready task of this type and these requirements is not running yet. */
export function waitingReasonCode(
  type: string,
  req: TaskRequirements,
  nodes: readonly Pick<NodeView, 'status' | 'types' | 'labels' | 'capacity'>[],
): WaitingReasonCode {
  const handling = nodes.filter((n) => n.status === 'alive' && n.types.includes(type));
  if (handling.length === 0) return 'noNodeForType';
  const matching = handling.filter((n) => matchesSelector(n.labels, req.labels));
  if (matching.length === 0) return 'selectorUnmatched';
  if (!matching.some((n) => couldEverFit(n.capacity, req))) return 'tooLarge';
  return 'noCapacity';
}

export function describeWait(type: string, code: WaitingReasonCode): string {
  return code === 'noNodeForType'
    ? `${WAITING_REASONS.noNodeForType} ${type}`
    : WAITING_REASONS[code];
}
