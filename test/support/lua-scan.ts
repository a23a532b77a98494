/**
 * Lua for test snapshots: `body` runs for every key `k` under the prefix `base` (a local the
 * caller's script defines), through SCAN, so a whole prefix is read in one script call.
 */
export function forEachKeyLua(body: string): string {
  return `local cursor = '0'
repeat
  local r = redis.call('SCAN', cursor, 'MATCH', base .. '*', 'COUNT', 1000)
  cursor = r[1]
  for _, k in ipairs(r[2]) do
${body}
  end
until cursor == '0'`;
}
