import type { Redis } from 'ioredis';
import { forEachKeyLua } from './lua-scan';

/**
 * Keys (relative to the `{prefix}:` base, Lua patterns) that change on their own, without any
 * request: a 4xx answer is not to blame for them, so the snapshot leaves them out.
 *
 * - `leader`, `epoch`: the leader lease, renewed on a timer (the HTTP fuzz holds it itself).
 * - `dispatchers`, `d:*`: the dispatcher registry, every dispatcher heartbeats into it.
 * - `hb`: node heartbeat index (and the `hb` field of every `n:*` hash, see HASH_FIELDS_LEFT_OUT).
 * - `events`: the change-event stream, appended by every change anywhere (node status too);
 *   whatever an event reports is checked through the keys it describes.
 * - `stats`: cluster-wide counters (metrics), bumped by background work.
 * - `ts:*`: per-second start counters of limited types; they expire on their own.
 * - `rl:*`: rate-limit counters (Keyspace.rateLimit); every request counts, 4xx ones too.
 */
export const KEYS_THAT_CHANGE_ON_THEIR_OWN: readonly string[] = [
  '^leader$',
  '^epoch$',
  '^dispatchers$',
  '^d:',
  '^hb$',
  '^events$',
  '^stats$',
  '^ts:',
  '^rl:',
];

/** Hash fields written by heartbeats, per key pattern: `n:<node>` gets `hb` on every beat. */
export const HASH_FIELDS_LEFT_OUT: Readonly<Record<string, readonly string[]>> = {
  '^n:': ['hb'],
};

/**
 * One EVAL: every key of the prefix but the excluded ones, each with its type and the SHA-1
 * of its type-aware content (hash fields and set members sorted, sorted sets with scores).
 * Reads keys it was not passed: fine on a standalone test Redis, and one script is one
 * consistent view. Reply: flat {key, "type:sha1", ...}.
 */
const SNAPSHOT_LUA = `
local base = KEYS[1]
local excluded = cjson.decode(ARGV[1])
local fieldsOut = cjson.decode(ARGV[2])
local function left_out(rel)
  for _, p in ipairs(excluded) do
    if string.find(rel, p) then return true end
  end
  return false
end
local function skipped_fields(rel)
  local out = {}
  for p, fields in pairs(fieldsOut) do
    if string.find(rel, p) then
      for _, f in ipairs(fields) do out[f] = true end
    end
  end
  return out
end
local function content(key, rel, ty)
  if ty == 'string' then return redis.call('GET', key) end
  if ty == 'list' then return table.concat(redis.call('LRANGE', key, 0, -1), '\\0') end
  if ty == 'zset' then return table.concat(redis.call('ZRANGE', key, 0, -1, 'WITHSCORES'), '\\0') end
  if ty == 'set' then
    local m = redis.call('SMEMBERS', key)
    table.sort(m)
    return table.concat(m, '\\0')
  end
  if ty == 'hash' then
    local skip = skipped_fields(rel)
    local flat = redis.call('HGETALL', key)
    local pairs_ = {}
    for i = 1, #flat, 2 do
      if not skip[flat[i]] then pairs_[#pairs_ + 1] = flat[i] .. '=' .. flat[i + 1] end
    end
    table.sort(pairs_)
    return table.concat(pairs_, '\\0')
  end
  return ty
end
local keys = {}
${forEachKeyLua(`    if not left_out(string.sub(k, #base + 1)) then keys[#keys + 1] = k end`)}
table.sort(keys)
local out = {}
for _, k in ipairs(keys) do
  local ty = redis.call('TYPE', k).ok
  out[#out + 1] = k
  out[#out + 1] = ty .. ':' .. redis.sha1hex(content(k, string.sub(k, #base + 1), ty))
end
return out
`;

/** Key → "type:sha1" of every key of the prefix that only requests change. */
export type RedisSnapshot = Map<string, string>;

export async function snapshotKeys(redis: Redis, base: string): Promise<RedisSnapshot> {
  const flat = (await redis.eval(
    SNAPSHOT_LUA,
    1,
    base,
    JSON.stringify(KEYS_THAT_CHANGE_ON_THEIR_OWN),
    JSON.stringify(HASH_FIELDS_LEFT_OUT),
  )) as string[];
  const snapshot: RedisSnapshot = new Map();
  for (let i = 0; i < flat.length; i += 2) snapshot.set(flat[i], flat[i + 1]);
  return snapshot;
}

/** Keys added, removed or changed between two snapshots (empty: nothing changed). */
export function changedKeys(before: RedisSnapshot, after: RedisSnapshot): string[] {
  const changed: string[] = [];
  for (const [key, digest] of before) {
    if (!after.has(key)) changed.push(`-${key}`);
    else if (after.get(key) !== digest) changed.push(`~${key}`);
  }
  for (const key of after.keys()) if (!before.has(key)) changed.push(`+${key}`);
  return changed;
}
