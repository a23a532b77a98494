import {
  decodeTaskHeader,
  encodeNewTaskHeader,
  encodeTaskHeader,
  type NewTaskHeaders,
} from './task-header-codec';
import type { TaskState } from './task-state';
import type {
  AttemptOutcome,
  AttemptRecord,
  LabelSelector,
  RetryPolicy,
  TaskErrorInfo,
  TaskSpec,
  TaskView,
} from './task.model';

/**
 * How a task is stored: one Redis string per task,
 *
 *     <header> "\n" <payload JSON> [ "\n" <result JSON> ]
 *
 * Payload and result pass through Redis byte for byte (cjson would turn `[]` into `{}`, and
 * re-encoding them on every transition costs CPU). JSON never contains a raw newline, so "\n" is
 * a safe separator. The header is 22 positional fields, each followed by "|", then the cold
 * fields as one JSON object ('' when there are none):
 *
 *     s|ty|pr|ma|to|a|l|c|sl|qa−c|cpu|mem|ra|u|n|i|sa|f|as|asa|ea|o|{cold JSON}
 *
 * so the hot transitions (assign, start, finish) read and rewrite a few fields with one pattern
 * match and no JSON round trip in Lua, and a queued task's header stays short (its bytes are
 * counted). `s` is a one-letter state code; empty means absent; `qa` is stored relative to `c`.
 * `n`/`i` are the lease while the task is assigned or running, else the node of the open attempt;
 * `as..o` is the open (last) attempt, kept in the line while it carries no error text; older
 * attempts are `h` in the cold JSON. Task types and node ids never contain "|" (both validated).
 *
 * | key | meaning                         | key | meaning                          |
 * |-----|---------------------------------|-----|----------------------------------|
 * | s   | state                           | ty  | type                             |
 * | pr  | priority                        | ma  | max attempts                     |
 * | to  | timeout ms                      | a   | attempts counted                 |
 * | l   | lease sequence (fencing token)  | n,i | node, incarnation of the lease   |
 * | c,u | created, updated (u: absent = c) | qa  | queued at (queue score base)     |
 * | ra  | run at (delayed)                | sa  | started at                       |
 * | f   | finished at                     | sl,cpu,mem | requirements              |
 * | sel | label selector                  | e   | last error {m, c, r}             |
 * | h   | attempt history                 | ik  | idempotency key                  |
 * | st  | strategy                        | ak  | affinity key                     |
 * | rp  | retry policy                    | dep | depends on                       |
 * | pg  | progress {p, d: JSON text}      | bw  | dependencies still awaited       |
 * | sch | fired by schedule {i: id, t: tick} |   |                                  |
 */
export interface TaskHeader {
  s: TaskState;
  ty: string;
  pr: number;
  ma: number;
  to: number;
  a: number;
  l: number;
  n?: string;
  i?: number;
  c: number;
  /** Absent until the first transition: it equals `c` until then (bytes of every queued task count). */
  u?: number;
  qa?: number;
  ra?: number;
  sa?: number;
  f?: number;
  sl: number;
  cpu?: number;
  mem?: number;
  sel?: LabelSelector;
  e?: { m: string; c?: string; r: boolean };
  h?: StoredAttempt[];
  ik?: string;
  st?: string;
  ak?: string;
  rp?: RetryPolicy;
  dep?: string[];
  /** `d` is JSON text: cjson would turn an empty array into an object. */
  pg?: { p: number; d?: string };
  bw?: number;
  sch?: { i: string; t: number };
}

/** One attempt as stored: lease, node, incarnation, assigned/started/ended, outcome, error. */
export interface StoredAttempt {
  l: number;
  n: string;
  i: number;
  as: number;
  sa?: number;
  ea?: number;
  o?: AttemptOutcome;
  m?: string;
}

export interface DecodedTask {
  header: TaskHeader;
  payloadJson: string;
  resultJson?: string;
}

/** The header of a task about to be created, in its initial state. */
export function newTaskHeader(spec: TaskSpec, state: TaskState, now: number): TaskHeader {
  const h: TaskHeader = {
    s: state,
    ty: spec.type,
    pr: spec.priority,
    ma: spec.maxAttempts,
    to: spec.timeoutMs,
    a: 0,
    l: 0,
    c: now,
    sl: spec.requirements.slots,
  };
  if (state === 'queued') h.qa = now;
  if ((state === 'delayed' || state === 'blocked') && spec.runAt !== undefined) h.ra = spec.runAt;
  if (spec.requirements.cpu > 0) h.cpu = spec.requirements.cpu;
  if (spec.requirements.memoryMb > 0) h.mem = spec.requirements.memoryMb;
  if (Object.keys(spec.requirements.labels).length > 0) h.sel = spec.requirements.labels;
  if (spec.idempotencyKey !== undefined) h.ik = spec.idempotencyKey;
  if (spec.strategy !== undefined) h.st = spec.strategy;
  if (spec.affinityKey !== undefined) h.ak = spec.affinityKey;
  if (spec.retry !== undefined) h.rp = spec.retry;
  if (spec.dependsOn !== undefined && spec.dependsOn.length > 0) h.dep = spec.dependsOn;
  return h;
}

export function encodeTaskRecord(header: TaskHeader, payloadJson: string): string {
  return `${encodeTaskHeader(header)}\n${payloadJson}`;
}

/**
 * The record of a task about to be created: `encodeTaskRecord(newTaskHeader(...), payloadJson)`.
 * `headers`: pass one per submit to make a repeated header line once.
 */
export function encodeNewTaskRecord(
  spec: TaskSpec,
  state: TaskState,
  now: number,
  payloadJson: string,
  headers?: NewTaskHeaders,
): string {
  const line =
    headers === undefined ? encodeNewTaskHeader(spec, state, now) : headers.line(spec, state, now);
  return `${line}\n${payloadJson}`;
}

/** A record's header line: the text before its first newline (all of it when it has none). */
export function headerLineOf(record: string): string {
  const nl = record.indexOf('\n');
  return nl < 0 ? record : record.slice(0, nl);
}

export function decodeTaskRecord(raw: string): DecodedTask {
  const first = raw.indexOf('\n');
  if (first < 0) throw new Error('corrupt task record: no header separator');
  const second = raw.indexOf('\n', first + 1);
  const header = decodeTaskHeader(raw.slice(0, first));
  if (second < 0) return { header, payloadJson: raw.slice(first + 1) };
  return {
    header,
    payloadJson: raw.slice(first + 1, second),
    resultJson: raw.slice(second + 1),
  };
}

function toAttempt(a: StoredAttempt): AttemptRecord {
  const r: AttemptRecord = { lease: a.l, node: a.n, incarnation: a.i, assignedAt: a.as };
  if (a.sa !== undefined) r.startedAt = a.sa;
  if (a.ea !== undefined) r.endedAt = a.ea;
  if (a.o !== undefined) r.outcome = a.o;
  if (a.m !== undefined) r.error = a.m;
  return r;
}

function toError(e: { m: string; c?: string; r: boolean }): TaskErrorInfo {
  const info: TaskErrorInfo = { message: e.m, retryable: e.r };
  if (e.c !== undefined) info.code = e.c;
  return info;
}

/**
 * The public view of a task. Optional fields are assigned one by one, in the view's key
 * order, rather than spread from conditional literals: a client confirms every finished
 * task with this, and a spread per optional field was most of its cost.
 */
export function toTaskView(id: string, task: DecodedTask): TaskView {
  const h = task.header;
  const view: TaskView = {
    id,
    type: h.ty,
    state: h.s,
    payload: JSON.parse(task.payloadJson),
    priority: h.pr,
    requirements: { slots: h.sl, cpu: h.cpu ?? 0, memoryMb: h.mem ?? 0, labels: h.sel ?? {} },
    maxAttempts: h.ma,
    timeoutMs: h.to,
    attempts: h.a,
  } as TaskView;
  if ((h.s === 'assigned' || h.s === 'running') && h.n !== undefined) {
    view.lease = { seq: h.l, node: h.n, incarnation: h.i as number };
    view.node = h.n;
  }
  view.createdAt = h.c;
  view.updatedAt = h.u ?? h.c;
  if (h.qa !== undefined) view.queuedAt = h.qa;
  if (h.ra !== undefined) view.runAt = h.ra;
  if (h.sa !== undefined) view.startedAt = h.sa;
  if (h.f !== undefined) view.finishedAt = h.f;
  if (task.resultJson !== undefined) view.result = JSON.parse(task.resultJson);
  if (h.e !== undefined) view.error = toError(h.e);
  const stored = h.h;
  const history: AttemptRecord[] = [];
  if (stored !== undefined)
    for (let i = 0; i < stored.length; i++) history.push(toAttempt(stored[i]));
  view.history = history;
  if (h.ik !== undefined) view.idempotencyKey = h.ik;
  if (h.st !== undefined) view.strategy = h.st;
  if (h.ak !== undefined) view.affinityKey = h.ak;
  if (h.dep !== undefined) view.dependsOn = h.dep;
  if (h.rp !== undefined) view.retry = h.rp;
  if (h.pg !== undefined) view.progress = toProgress(h.pg);
  if (h.bw !== undefined) view.waitingOn = h.bw;
  if (h.sch !== undefined) view.schedule = { id: h.sch.i, tick: h.sch.t };
  return view;
}

function toProgress(pg: { p: number; d?: string }): { percent: number; data?: unknown } {
  if (pg.d === undefined) return { percent: pg.p };
  try {
    return { percent: pg.p, data: JSON.parse(pg.d) as unknown };
  } catch {
    return { percent: pg.p }; // written by a script that checked nothing: never fail a read for it
  }
}
