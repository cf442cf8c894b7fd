-- claim: move up to `limit` best inactive jobs of one type to active, each under a new lease.
-- KEYS[1] P:jobs:<type>:inactive  KEYS[2] P:<type>:jobs (tokens)  KEYS[3] P:kueport:leases
-- KEYS[4] P:jobs  KEYS[5] P:kueport:paused-types
-- ARGV[1] now, or '@' and an offset in µs: a claim sent right behind a blocking pop runs when
--   the pop returns, so it reads the server's clock (TIME) and moves it onto the client's by
--   the offset measured just before the pop (blocking.py)
-- ARGV[2] job key head  ARGV[3] jobs head  ARGV[4] type  ARGV[5] worker id
-- ARGV[6] lease ms  ARGV[7] events channel: publish `start` per job ('' = don't)
-- ARGV[8..] one fresh lease per job wanted (their count is the limit)
-- Reply: {id, {field, value, ...}} per claimed job, best first. Tokens end equal to the
-- inactive count, which also returns the token a blocked claimer popped to wake up.
-- Reply 'paused' (claiming nothing, tokens resynced) while the type is paused.
local now, lease_ms, limit = tonumber(ARGV[1]), tonumber(ARGV[6]), #ARGV - 7
if now == nil then
  local time = redis.call('TIME')
  now = math.floor((time[1] * 1000000 + time[2] + tonumber(string.sub(ARGV[1], 2))) / 1000)
end
local stamp = int(now)
if redis.call('SISMEMBER', KEYS[5], ARGV[4]) == 1 then
  sync_tokens(KEYS[2], KEYS[1])
  return 'paused'
end
local popped = redis.call('ZPOPMIN', KEYS[1], limit)
local out = {}
local start_extra = ARGV[7] ~= '' and ',' .. json_string(ARGV[4]) .. ',null' or ''
for i = 1, #popped, 2 do
  local member, priority = popped[i], tonumber(popped[i + 1])
  local id = id_of(member)
  local job = ARGV[2] .. id
  redis.call('ZREM', ARGV[3] .. 'inactive', member)
  -- One read for existence and the TTL (each redis.call costs; this runs for every job).
  local got = redis.call('HMGET', job, 'state', 'type', 'ttl', 'ttl_expires_at')
  if not (got[1] or got[2] or got[3] or got[4]) and redis.call('EXISTS', job) == 0 then
    redis.call('ZREM', KEYS[4], member)  -- an index entry without a job: drop it
  else
    local lease, lease_until = ARGV[8 + #out], now + lease_ms
    local ttl = tonumber(got[3] or '')
    local deadline = (ttl and ttl ~= 0) and now + ttl or nil
    local set = {'state', 'active', 'started_at', stamp, 'updated_at', stamp,
      'workerId', ARGV[5], 'lease', lease, 'lease_until', int(lease_until)}
    if deadline then
      set[#set + 1] = 'ttl_expires_at'
      set[#set + 1] = int(deadline)
    elseif got[4] then
      redis.call('HDEL', job, 'ttl_expires_at')
    end
    redis.call('HSET', job, unpack(set))
    index(ARGV[3], ARGV[4], 'active', member, priority, deadline and timed(deadline) or untimed(priority))
    redis.call('ZADD', KEYS[3], lease_until, member)
    out[#out + 1] = {tonumber(id), redis.call('HGETALL', job)}
    if ARGV[7] ~= '' then announce(ARGV[7], id, 'start', start_extra) end
  end
end
sync_tokens(KEYS[2], KEYS[1])
return out
