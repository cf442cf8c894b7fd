-- requeue_set: move up to `limit` jobs of one state set (all, or of one type) to inactive at
-- once, best first: the dashboard's "retry all failed" and "promote all delayed".
-- KEYS[1] P:jobs:<state> or P:jobs:<type>:<state>  KEYS[2] P:jobs
-- ARGV[1] now  ARGV[2] limit (> 0)  ARGV[3] job key head  ARGV[4] jobs head
-- ARGV[5] tokens head  ARGV[6] tokens tail  ARGV[7] events channel
-- ARGV[8] the source state ('failed' or 'delayed')
-- ARGV[9] "1" to reset attempts (a retry gets all its attempts again; error and failed_at
--   stay, as in Kue)  ARGV[10] "1" to announce Kue's `promotion` before `enqueue`
-- Each job is announced in its move, before any worker can claim it.
-- A delayed source is moved while the caller holds Node Kue's `promotion:lock` (scripts.py).
-- Reply: {id, {field, value, ...}} per job moved.
local head, source = ARGV[4], ARGV[8]
local out = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)) do
  local id = id_of(member)
  local job = ARGV[3] .. id
  local got = redis.call('HMGET', job, 'type', 'state')
  local jtype = got[1]
  if not jtype or got[2] ~= source then
    redis.call('ZREM', KEYS[1], member)  -- an index entry without its job: drop it
  else
    local priority = priority_of(KEYS[2], member, job)
    unindex(head, jtype, source, member)
    redis.call('HSET', job, 'state', 'inactive', 'updated_at', ARGV[1])
    redis.call('HDEL', job, 'lease', 'lease_until', 'ttl_expires_at')
    if ARGV[9] == '1' then redis.call('HDEL', job, 'attempts') end
    index(head, jtype, 'inactive', member, priority, priority)
    sync_tokens(ARGV[5] .. jtype .. ARGV[6], head .. jtype .. ':inactive')
    if ARGV[10] == '1' then announce(ARGV[7], id, 'promotion', '') end
    announce(ARGV[7], id, 'enqueue', ',' .. json_string(jtype))
    out[#out + 1] = {tonumber(id), redis.call('HGETALL', job)}
  end
end
return out
