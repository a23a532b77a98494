import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cluster, type Redis } from 'ioredis';
import { TRANSITIONS } from '../task/task-state';
import { sendFcall } from './script-command';

/** Script name → Lua file in ./scripts. */
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

const SCRIPT_NAMES = Object.keys(SCRIPT_FILES) as ScriptName[];
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
let libraryCache: FunctionLibrary | undefined;

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
  libraryCache = undefined;
}

function readScript(file: string): string {
  return fs.readFileSync(path.join(SCRIPTS_DIR, file), 'utf8');
}

/** Shared Lua every script starts with, in this order (each may use the ones before it). */
const SHARED_FILES = [
  '_prelude.lua',
  '_nodes.lua',
  '_lifecycle.lua',
  '_assignment.lua',
  '_standby.lua',
] as const;

/** The generated tables and constants, then the shared code: what every script starts with. */
function preludeSource(): string {
  const shared = SHARED_FILES.map((file) => `${readScript(file)}\n`).join('');
  return `${luaTransitionTable()}local EVENTS_MAXLEN = ${settings.eventsMaxLen}\n${shared}`;
}

/** One script as a plain EVAL script (the fallback when Functions cannot be used). */
export function scriptSource(name: ScriptName): string {
  let source = sourceCache.get(name);
  if (source === undefined) {
    source = `${preludeSource()}K = KEYS[1]\n${readScript(SCRIPT_FILES[name])}`;
    sourceCache.set(name, source);
  }
  return source;
}

/** Every script as one Redis Functions library, and the function name of each script. */
export interface FunctionLibrary {
  name: string;
  code: string;
  functions: Record<ScriptName, string>;
}

/**
 * The library: the prelude runs once when it is loaded (its tables and closures are no longer
 * rebuilt on every call, ~10 µs per call), each script body becomes a function that first resets
 * the prelude's per-call state. Named after a hash of its code, so processes running different
 * script versions (a rolling deploy, another EVENTS_STREAM_MAX_LEN) each load and call their own.
 */
export function functionLibrary(): FunctionLibrary {
  if (libraryCache !== undefined) return libraryCache;
  const prelude = preludeSource();
  const bodies = SCRIPT_NAMES.map((name) => readScript(SCRIPT_FILES[name]));
  const hash = createHash('sha1')
    .update([prelude, ...bodies].join('\0'))
    .digest('hex')
    .slice(0, 16);
  const functions = {} as Record<ScriptName, string>;
  const registrations = SCRIPT_NAMES.map((name, i) => {
    functions[name] = `sy_${hash}_${name}`;
    return `redis.register_function('${functions[name]}', function(KEYS, ARGV)
K, EVENTS, NUM_TEXT, TYPE_JSON, JSON_MID, JSON_TAIL = KEYS[1], {}, {}, {}, {}, {}
${bodies[i]}
end)`;
  });
  const name = `switchyard_${hash}`;
  libraryCache = {
    name,
    code: `#!lua name=${name}\n${prelude}${registrations.join('\n')}\n`,
    functions,
  };
  return libraryCache;
}

/** FCALL refused for good on this connection: an ACL without it, or a Redis without Functions. */
function fcallRefused(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /no permissions to run the '(fcall|function\|load)' command|unknown command .(fcall|function)/i.test(
    message,
  );
}

/** The function is not on the server (never loaded, or gone with a restart or FUNCTION FLUSH). */
function functionMissing(err: unknown): boolean {
  return err instanceof Error && /^ERR Function not found/i.test(err.message);
}

/** How a connection runs the scripts; shared by every LuaScripts on it. */
interface ConnectionScripts {
  mode: 'functions' | 'eval';
  loading?: Promise<void>;
  /** the library whose scripts the connection's EVAL commands (defineCommand) hold */
  defined: string;
}
const connections = new WeakMap<Redis, ConnectionScripts>();

type ScriptFn = (base: string, ...args: ScriptArg[]) => Promise<unknown>;

/**
 * Runs the Switchyard scripts on one connection: as Redis Functions (FCALL), loading the library
 * when the server does not have it (first call, after a restart or FUNCTION FLUSH; on every
 * master of a Cluster) and calling again; as EVALSHA scripts (EVAL once per connection) when the
 * server or the ACL refuses FCALL or FUNCTION LOAD. A call is only repeated when the server
 * refused it before running anything.
 */
export class LuaScripts {
  private readonly state: ConnectionScripts;
  private readonly library = functionLibrary();

  constructor(
    private readonly redis: Redis,
    private readonly base: string,
  ) {
    let state = connections.get(redis);
    if (state === undefined) {
      state = { mode: 'functions', defined: '' };
      connections.set(redis, state);
    }
    if (state.defined !== this.library.name) {
      for (const name of SCRIPT_NAMES) {
        redis.defineCommand(`sy_${name}`, { numberOfKeys: 1, lua: scriptSource(name) });
      }
      state.defined = this.library.name;
    }
    this.state = state;
  }

  run<T = unknown>(name: ScriptName, args: ScriptArg[]): Promise<T> {
    if (this.state.mode === 'eval') return this.evalsha<T>(name, args);
    return this.fcall<T>(name, args).catch((err: unknown) => this.recover<T>(err, name, args));
  }

  private fcall<T>(name: ScriptName, args: ScriptArg[]): Promise<T> {
    return sendFcall(this.redis, this.library.functions[name], this.base, args) as Promise<T>;
  }

  private evalsha<T>(name: ScriptName, args: ScriptArg[]): Promise<T> {
    const fn = (this.redis as unknown as Record<string, ScriptFn>)[`sy_${name}`];
    return fn.call(this.redis, this.base, ...args) as Promise<T>;
  }

  private async recover<T>(err: unknown, name: ScriptName, args: ScriptArg[]): Promise<T> {
    if (fcallRefused(err)) {
      this.state.mode = 'eval';
      return this.evalsha<T>(name, args);
    }
    if (!functionMissing(err)) throw err;
    try {
      await this.load();
    } catch (loadErr) {
      if (!fcallRefused(loadErr)) throw loadErr;
      this.state.mode = 'eval';
      return this.evalsha<T>(name, args);
    }
    return this.fcall<T>(name, args);
  }

  /** FUNCTION LOAD REPLACE on the server (every master of a Cluster), once for concurrent calls. */
  private load(): Promise<void> {
    this.state.loading ??= loadLibrary(this.redis, this.library.code).finally(() => {
      this.state.loading = undefined;
    });
    return this.state.loading;
  }
}

async function loadLibrary(redis: Redis, code: string): Promise<void> {
  // a Cluster travels under the Redis type (redis-connection.ts)
  const cluster = redis as unknown;
  const targets = cluster instanceof Cluster ? cluster.nodes('master') : [redis];
  await Promise.all(targets.map((node) => node.call('FUNCTION', 'LOAD', 'REPLACE', code)));
}
