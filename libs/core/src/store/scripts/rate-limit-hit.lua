--[[ rate-limit-hit: count one request of a rate-limit key in its fixed window, and block the
  key once it goes over the limit. Shared by every dispatcher, so the limit holds cluster-wide.
  Keys: K .. 'rl:' .. key (hit counter, expires with its window) and
        K .. 'rl:' .. key .. ':b' (present while the key is blocked). Both always carry a TTL.
KEYS[1]  key base
ARGV[1]  key (a fixed-length hash of the tracker)   ARGV[2] window (ms)
ARGV[3]  limit (requests per window)   ARGV[4] block (ms; 0 = until the window ends)
Reply: { hits, window ms left, blocked 0/1, block ms left }
]]
local MAX_TTL = 86400000
local key = ARGV[1]
local window = math.min(math.max(tonumber(ARGV[2]), 1), MAX_TTL)
local limit = tonumber(ARGV[3])
local block = math.min(math.max(tonumber(ARGV[4]), 0), MAX_TTL)
local hits_key = K .. 'rl:' .. key
local block_key = hits_key .. ':b'

local block_left = redis.call('PTTL', block_key)
if block_left > 0 then
  local hits = tonumber(redis.call('GET', hits_key) or '0')
  return { hits, math.max(redis.call('PTTL', hits_key), 0), 1, block_left }
end

local hits = redis.call('INCR', hits_key)
local window_left = redis.call('PTTL', hits_key)
if window_left < 0 then
  -- a new window (or a counter that somehow lost its TTL): it ends `window` ms from now
  redis.call('PEXPIRE', hits_key, window)
  window_left = window
end
if hits <= limit then
  return { hits, window_left, 0, 0 }
end
if block > 0 then
  redis.call('SET', block_key, '1', 'PX', block)
  return { hits, window_left, 1, block }
end
return { hits, window_left, 1, window_left }
