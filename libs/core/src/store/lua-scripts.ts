import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Redis } from 'ioredis';
import { TRANSITIONS } from '../task/task-state';

/** Script name → Lua file in ./scripts. Each is registered once per connection with defineCommand. */
export const SCRIPT_FILES = {
  submit: 'submit.lua',
  readHeads: 'read-heads.lua',
  assign: 'assign.lua',
  start: 'start.lua',
  progress: 'progress.lua',
  finish: 'finish.lua',
  cancel: 'cancel.lua',
  registerNode: 'register-node.lua',
  heartbeat: 'heartbeat.lua',
  leaderAcquire: 'leader-acquire.lua',
  leaderRelease: 'leader-release.lua',
  checkNodes: 'check-nodes.lua',
  reclaimExpired: 'reclaim-expired.lua',
  drainNode: 'drain-node.lua',
  leaveNode: 'leave-node.lua',
  retry: 'retry.lua',
  pageIndex: 'page-index.lua',
  resolveDeps: 'resolve-deps.lua',
  typeLoad: 'type-load.lua',
  fireSchedule: 'fire-schedule.lua',
  scheduleSave: 'schedule-save.lua',
  rateLimitHit: 'rate-limit-hit.lua',
} as const;

export type ScriptName = keyof typeof SCRIPT_FILES;
export type ScriptArg = string | number;

const SCRIPTS_DIR = path.join(__dirname, 'scripts');

/** The transition table as Lua, generated from TRANSITIONS so the two cannot drift. */
export function luaTransitionTable(): string {
  const rows = Object.entries(TRANSITIONS).map(
    ([from, to]) => `  ${from} = { ${to.map((t) => `${t} = true`).join(', ')} },`,
  );
  return `local ALLOWED = {\n${rows.join('\n')}\n}\n`;
}

/** Process-wide settings compiled into every script (one config per process). */
export interface ScriptSettings {
  /** Bound of the change-event stream (XADD MAXLEN ~); 0 turns events off. */
  eventsMaxLen: number;
}

export const DEFAULT_EVENTS_MAX_LEN = 10_000;
let settings: ScriptSettings = { eventsMaxLen: DEFAULT_EVENTS_MAX_LEN };
const sourceCache = new Map<ScriptName, string>();

/**
 * Sets the constants compiled into the scripts. Called once at start, before any store is
 * built (SwitchyardStoreModule does it): every store of a process shares one connection's
 * script definitions, so they must agree.
 */
export function configureScripts(next: ScriptSettings): void {
  if (!Number.isInteger(next.eventsMaxLen) || next.eventsMaxLen < 0) {
    throw new RangeError(`eventsMaxLen must be a non-negative integer, got ${next.eventsMaxLen}`);
  }
  settings = { ...next };
  sourceCache.clear();
}

function luaSettings(): string {
  return `local EVENTS_MAXLEN = ${settings.eventsMaxLen}\n`;
}

export function scriptSource(name: ScriptName): string {
  let source = sourceCache.get(name);
  if (source === undefined) {
    const prelude = fs.readFileSync(path.join(SCRIPTS_DIR, '_prelude.lua'), 'utf8');
    const body = fs.readFileSync(path.join(SCRIPTS_DIR, SCRIPT_FILES[name]), 'utf8');
    source = `${luaTransitionTable()}${luaSettings()}${prelude}\n${body}`;
    sourceCache.set(name, source);
  }
  return source;
}

type ScriptFn = (base: string, ...args: ScriptArg[]) => Promise<unknown>;

/** Runs the Switchyard scripts on one connection (EVALSHA, falling back to EVAL once). */
export class LuaScripts {
  constructor(
    private readonly redis: Redis,
    private readonly base: string,
  ) {
    for (const name of Object.keys(SCRIPT_FILES) as ScriptName[]) {
      redis.defineCommand(`sy_${name}`, { numberOfKeys: 1, lua: scriptSource(name) });
    }
  }

  run<T = unknown>(name: ScriptName, args: ScriptArg[]): Promise<T> {
    const fn = (this.redis as unknown as Record<string, ScriptFn>)[`sy_${name}`];
    return fn.call(this.redis, this.base, ...args) as Promise<T>;
  }
}
