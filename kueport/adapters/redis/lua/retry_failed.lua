-- retry_failed: move up to `limit` failed jobs (all, or of one type) back to inactive, best
-- first, with their attempts reset; each is announced with Kue's `enqueue` in its move.
-- KEYS[1] P:jobs:failed or P:jobs:<type>:failed  KEYS[2] P:jobs
-- ARGV[1] now  ARGV[2] limit (> 0)  ARGV[3] job key head  ARGV[4] jobs head
-- ARGV[5] tokens head  ARGV[6] tokens tail  ARGV[7] events channel
-- Reply: {id, {field, value, ...}} per job moved. `error` and `failed_at` stay, as in Kue.
local head = ARGV[4]
local out = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)) do
  local id = id_of(member)
  local job = ARGV[3] .. id
  local got = redis.call('HMGET', job, 'type', 'state')
  local jtype = got[1]
  if not jtype or got[2] ~= 'failed' then
    redis.call('ZREM', KEYS[1], member)  -- an index entry without a failed job: drop it
  else
    local priority = priority_of(KEYS[2], member, job)
    unindex(head, jtype, 'failed', member)
    redis.call('HSET', job, 'state', 'inactive', 'updated_at', ARGV[1])
    redis.call('HDEL', job, 'attempts', 'lease', 'lease_until', 'ttl_expires_at')
    index(head, jtype, 'inactive', member, priority, priority)
    sync_tokens(ARGV[5] .. jtype .. ARGV[6], head .. jtype .. ':inactive')
    announce(ARGV[7], id, 'enqueue', ',' .. json_string(jtype))
    out[#out + 1] = {tonumber(id), redis.call('HGETALL', job)}
  end
end
return out
