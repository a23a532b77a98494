/** The parts of the dispatcher's answers the CLI reads (see the OpenAPI document at /docs). */
export interface Attempt {
  node: string;
  assignedAt: number;
  startedAt?: number;
  endedAt?: number;
  outcome?: string;
  error?: string;
}

export interface TaskView {
  id: string;
  type: string;
  state: string;
  priority: number;
  attempts: number;
  maxAttempts: number;
  createdAt: number;
  node?: string;
  result?: unknown;
  error?: { message: string; code?: string; retryable: boolean };
  waitingReason?: string;
  history: Attempt[];
}

export interface NodeView {
  id: string;
  status: string;
  types: string[];
  capacity: { slots: number; cpu: number; memoryMb: number };
  used: { slots: number; cpu: number; memoryMb: number };
  inFlight: number;
  lastHeartbeatAt: number;
}

export interface Submitted {
  id: string;
  state: string;
  created: boolean;
}

export const TERMINAL_STATES = ['succeeded', 'failed', 'cancelled'];
