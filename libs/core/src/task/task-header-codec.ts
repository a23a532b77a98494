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
const STATE_NAME = new Map(Object.entries(STATE_CODE).map(([name, code]) => [code, name]));
const HEAD_FIELDS = 22;
/** Header keys held positionally; the others are cold JSON. */
const HOT_KEYS = new Set(['s', 'ty', 'pr', 'ma', 'to', 'a', 'l', 'c', 'sl', 'qa', 'cpu', 'mem']);
for (const k of ['ra', 'u', 'n', 'i', 'sa', 'f', 'h']) HOT_KEYS.add(k);

const txt = (v: number | string | undefined): string => (v === undefined ? '' : String(v));
const num = (v: string): number | undefined => (v === '' ? undefined : Number(v));
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
  return (
    `${STATE_CODE[state]}|${spec.type}|${txt(spec.priority)}|${txt(spec.maxAttempts)}|` +
    `${txt(spec.timeoutMs)}|0|0|${txt(now)}|${txt(req.slots)}|` +
    `${state === 'queued' ? txt(now - now) : ''}|${req.cpu > 0 ? txt(req.cpu) : ''}|` +
    `${req.memoryMb > 0 ? txt(req.memoryMb) : ''}|${ra}|${EMPTY_UNTIL_COLD}${cold}`
  );
}

/** The header of a record's header line (mirrors `split` in _prelude.lua). */
export function decodeTaskHeader(line: string): TaskHeader {
  const f: string[] = [];
  let from = 0;
  for (let k = 0; k < HEAD_FIELDS; k++) {
    const bar = line.indexOf('|', from);
    if (bar < 0) throw new Error('corrupt task record: short header');
    f.push(line.slice(from, bar));
    from = bar + 1;
  }
  const coldJson = line.slice(from);
  const h = (coldJson === '' ? {} : JSON.parse(coldJson)) as TaskHeader;
  const s = STATE_NAME.get(f[0]) as TaskState | undefined;
  if (s === undefined) throw new Error(`corrupt task record: state code "${f[0]}"`);
  h.s = s;
  h.ty = f[1];
  h.pr = Number(f[2]);
  h.ma = Number(f[3]);
  h.to = Number(f[4]);
  h.a = Number(f[5]);
  h.l = Number(f[6]);
  h.c = Number(f[7]);
  h.sl = Number(f[8]);
  setIf(h, 'qa', f[9] === '' ? undefined : h.c + Number(f[9]));
  setIf(h, 'cpu', num(f[10]));
  setIf(h, 'mem', num(f[11]));
  setIf(h, 'ra', num(f[12]));
  setIf(h, 'u', num(f[13]));
  if (leasedState(s)) {
    h.n = f[14];
    setIf(h, 'i', num(f[15]));
  }
  setIf(h, 'sa', num(f[16]));
  setIf(h, 'f', num(f[17]));
  if (f[18] !== '') {
    const att: StoredAttempt = { l: h.l, n: f[14], i: Number(f[15]), as: Number(f[18]) };
    setIf(att, 'sa', num(f[19]));
    setIf(att, 'ea', num(f[20]));
    if (f[21] !== '') att.o = f[21] as AttemptOutcome;
    (h.h ??= []).push(att);
  }
  return h;
}

function setIf<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}
