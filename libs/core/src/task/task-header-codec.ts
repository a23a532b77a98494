import type { StoredAttempt, TaskHeader } from './task-record';
import type { TaskState } from './task-state';
import type { AttemptOutcome, TaskSpec } from './task.model';

/*
 * The header line of a task record (layout in task-record.ts), in TypeScript. The Lua side is
 * `split`/`join` in store/scripts/_prelude.lua: the two must stay field for field the same.
 */

const STATE_CODE: Record<TaskState, string> = {
  queued: 'q',
  assigned: 'a',
  running: 'r',
  succeeded: 's',
  failed: 'f',
  cancelled: 'c',
  delayed: 'd',
  blocked: 'b',
};
const HEAD_FIELDS = 22;
/** Header keys held positionally; the others are cold JSON. */
const HOT_KEYS = new Set(['s', 'ty', 'pr', 'ma', 'to', 'a', 'l', 'c', 'sl', 'qa', 'cpu', 'mem']);
for (const k of ['ra', 'u', 'n', 'i', 'sa', 'f', 'h']) HOT_KEYS.add(k);

const txt = (v: number | string | undefined): string => (v === undefined ? '' : String(v));
const leasedState = (s: TaskState): boolean => s === 'assigned' || s === 'running';

/** The header line of a record (mirrors `join` in _prelude.lua). */
export function encodeTaskHeader(h: TaskHeader): string {
  const leased = leasedState(h.s);
  const hist = h.h ?? [];
  const att = hist.length > 0 ? hist[hist.length - 1] : undefined;
  const open =
    att !== undefined &&
    att.m === undefined &&
    att.l === h.l &&
    (!leased || (att.n === h.n && att.i === h.i));
  const cold: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(h)) {
    if (HOT_KEYS.has(k) || v === undefined) continue;
    cold[k] = v;
    any = true;
  }
  const closed = hist.length - (open ? 1 : 0);
  if (closed > 0) {
    cold.h = hist.slice(0, closed);
    any = true;
  }
  const node = leased ? txt(h.n) : open ? att.n : '';
  const inc = leased ? txt(h.i) : open ? txt(att.i) : '';
  const f = [
    STATE_CODE[h.s],
    h.ty,
    txt(h.pr),
    txt(h.ma),
    txt(h.to),
    txt(h.a),
    txt(h.l),
    txt(h.c),
    txt(h.sl),
    h.qa === undefined ? '' : txt(h.qa - h.c),
    txt(h.cpu),
    txt(h.mem),
    txt(h.ra),
    txt(h.u),
    node,
    inc,
    txt(h.sa),
    txt(h.f),
    open ? txt(att.as) : '',
    open ? txt(att.sa) : '',
    open ? txt(att.ea) : '',
    open ? txt(att.o) : '',
  ];
  return `${f.join('|')}|${any ? JSON.stringify(cold) : ''}`;
}

/** The nine fields after `ra` that a new task leaves empty: u, n, i, sa, f, as, asa, ea, o. */
const EMPTY_UNTIL_COLD = '|'.repeat(9);

/**
 * The header line of a task about to be created: the same text as
 * `encodeTaskHeader(newTaskHeader(spec, state, now))` (a spec holds them together), without
 * the header object, the field array and the pass over its keys. Submits make one per task.
 */
export function encodeNewTaskHeader(spec: TaskSpec, state: TaskState, now: number): string {
  const req = spec.requirements;
  const ra =
    (state === 'delayed' || state === 'blocked') && spec.runAt !== undefined ? txt(spec.runAt) : '';
  let cold = '';
  const labels = req.labels;
  const dep = spec.dependsOn;
  const hasLabels = Object.keys(labels).length > 0;
  const hasDep = dep !== undefined && dep.length > 0;
  if (
    hasLabels ||
    hasDep ||
    spec.idempotencyKey !== undefined ||
    spec.strategy !== undefined ||
    spec.affinityKey !== undefined ||
    spec.retry !== undefined
  ) {
    // newTaskHeader's key order: sel, ik, st, ak, rp, dep
    const c: Record<string, unknown> = {};
    if (hasLabels) c.sel = labels;
    if (spec.idempotencyKey !== undefined) c.ik = spec.idempotencyKey;
    if (spec.strategy !== undefined) c.st = spec.strategy;
    if (spec.affinityKey !== undefined) c.ak = spec.affinityKey;
    if (spec.retry !== undefined) c.rp = spec.retry;
    if (hasDep) c.dep = dep;
    cold = JSON.stringify(c);
  }
  // qa is written as its offset from c: a new queued task's is 0
  return (
    `${STATE_CODE[state]}|${spec.type}|${txt(spec.priority)}|${txt(spec.maxAttempts)}|` +
    `${txt(spec.timeoutMs)}|0|0|${txt(now)}|${txt(req.slots)}|` +
    `${state === 'queued' ? '0' : ''}|${req.cpu > 0 ? txt(req.cpu) : ''}|` +
    `${req.memoryMb > 0 ? txt(req.memoryMb) : ''}|${ra}|${EMPTY_UNTIL_COLD}${cold}`
  );
}

/** True when a new task's header has no cold part (no labels, keys, strategy, policy, dependencies). */
function hasNoColdFields(spec: TaskSpec): boolean {
  return (
    spec.idempotencyKey === undefined &&
    spec.strategy === undefined &&
    spec.affinityKey === undefined &&
    spec.retry === undefined &&
    (spec.dependsOn === undefined || spec.dependsOn.length === 0) &&
    Object.keys(spec.requirements.labels).length === 0
  );
}

/**
 * `encodeNewTaskHeader` for the tasks of one submit: a batch usually repeats one kind of task
 * (same type, options and time), whose line is then made once. A line is reused only when
 * every field it is made from is equal and neither task has a cold part.
 */
export class NewTaskHeaders {
  private last: TaskSpec | undefined;
  private lastState: TaskState | undefined;
  private lastNow = 0;
  private lastLine = '';
  private lastPlain = false;

  line(spec: TaskSpec, state: TaskState, now: number): string {
    const l = this.last;
    const plain = hasNoColdFields(spec);
    if (
      plain &&
      this.lastPlain &&
      l !== undefined &&
      state === this.lastState &&
      now === this.lastNow &&
      spec.type === l.type &&
      spec.priority === l.priority &&
      spec.maxAttempts === l.maxAttempts &&
      spec.timeoutMs === l.timeoutMs &&
      spec.runAt === l.runAt &&
      spec.requirements.slots === l.requirements.slots &&
      spec.requirements.cpu === l.requirements.cpu &&
      spec.requirements.memoryMb === l.requirements.memoryMb
    ) {
      return this.lastLine;
    }
    this.last = spec;
    this.lastState = state;
    this.lastNow = now;
    this.lastPlain = plain;
    this.lastLine = encodeNewTaskHeader(spec, state, now);
    return this.lastLine;
  }
}

/** Where each positional field of the line being decoded ends (its "|"); reused, decoding is synchronous. */
const BARS = new Int32Array(HEAD_FIELDS);
const STATE_BY_CODE: (TaskState | undefined)[] = [];
for (const [name, code] of Object.entries(STATE_CODE))
  STATE_BY_CODE[code.charCodeAt(0)] = name as TaskState;

/**
 * `Number(line.slice(from, to))` without the slice for the common case, a plain integer of up
 * to 15 digits (exact in a double); anything else goes to Number itself.
 */
function numberIn(line: string, from: number, to: number): number {
  let i = from;
  const negative = line.charCodeAt(i) === 45; // '-'
  if (negative) i++;
  if (i === to || to - i > 15) return Number(line.slice(from, to));
  let value = 0;
  for (; i < to; i++) {
    const digit = line.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number(line.slice(from, to));
    value = value * 10 + digit;
  }
  return negative ? -value : value;
}

/** Field k of the line being decoded as a number, undefined when empty. */
function optionalNumber(line: string, k: number): number | undefined {
  const from = k === 0 ? 0 : BARS[k - 1] + 1;
  return from === BARS[k] ? undefined : numberIn(line, from, BARS[k]);
}

function requiredNumber(line: string, k: number): number {
  return numberIn(line, BARS[k - 1] + 1, BARS[k]);
}

function field(line: string, k: number): string {
  return line.slice(k === 0 ? 0 : BARS[k - 1] + 1, BARS[k]);
}

/**
 * The state of a stored record, read from its first two bytes (the state code and its "|"),
 * with nothing else decoded: what a wait for states only needs of each task it confirms.
 */
export function stateOfRecord(raw: Buffer): TaskState {
  const s = raw.length > 1 && raw[1] === 124 ? STATE_BY_CODE[raw[0]] : undefined; // 124: '|'
  if (s === undefined) throw new Error('corrupt task record: no state code');
  return s;
}

/**
 * The header of a record's header line (mirrors `split` in _prelude.lua). Fields are read in
 * place from their offsets (no array of 22 substrings): the client decodes one per task it
 * confirms, the dispatcher one per queue head.
 */
export function decodeTaskHeader(line: string): TaskHeader {
  let from = 0;
  for (let k = 0; k < HEAD_FIELDS; k++) {
    const bar = line.indexOf('|', from);
    if (bar < 0) throw new Error('corrupt task record: short header');
    BARS[k] = bar;
    from = bar + 1;
  }
  const h = (from === line.length ? {} : JSON.parse(line.slice(from))) as TaskHeader;
  const s = BARS[0] === 1 ? STATE_BY_CODE[line.charCodeAt(0)] : undefined;
  if (s === undefined) throw new Error(`corrupt task record: state code "${field(line, 0)}"`);
  h.s = s;
  h.ty = field(line, 1);
  h.pr = requiredNumber(line, 2);
  h.ma = requiredNumber(line, 3);
  h.to = requiredNumber(line, 4);
  h.a = requiredNumber(line, 5);
  h.l = requiredNumber(line, 6);
  h.c = requiredNumber(line, 7);
  h.sl = requiredNumber(line, 8);
  const qa = optionalNumber(line, 9);
  if (qa !== undefined) h.qa = h.c + qa;
  const cpu = optionalNumber(line, 10);
  if (cpu !== undefined) h.cpu = cpu;
  const mem = optionalNumber(line, 11);
  if (mem !== undefined) h.mem = mem;
  const ra = optionalNumber(line, 12);
  if (ra !== undefined) h.ra = ra;
  const u = optionalNumber(line, 13);
  if (u !== undefined) h.u = u;
  if (leasedState(s)) {
    h.n = field(line, 14);
    const i = optionalNumber(line, 15);
    if (i !== undefined) h.i = i;
  }
  const sa = optionalNumber(line, 16);
  if (sa !== undefined) h.sa = sa;
  const f = optionalNumber(line, 17);
  if (f !== undefined) h.f = f;
  const as = optionalNumber(line, 18);
  if (as !== undefined) {
    const att: StoredAttempt = {
      l: h.l,
      n: field(line, 14),
      i: requiredNumber(line, 15),
      as,
    };
    const asa = optionalNumber(line, 19);
    if (asa !== undefined) att.sa = asa;
    const ea = optionalNumber(line, 20);
    if (ea !== undefined) att.ea = ea;
    if (BARS[21] !== BARS[20] + 1) att.o = field(line, 21) as AttemptOutcome;
    (h.h ??= []).push(att);
  }
  return h;
}
