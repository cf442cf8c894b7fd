-- promote_due: move delayed jobs whose promote_at <= now to inactive, earliest first.
-- KEYS[1] P:jobs:delayed  KEYS[2] P:jobs  KEYS[3] Kue's `promotion:lock` (absent on a cluster)
-- ARGV[1] now  ARGV[2] limit (> 0)  ARGV[3] job key head  ARGV[4] jobs head
-- ARGV[5] tokens head  ARGV[6] tokens tail  ARGV[7] events channel
-- Publishes Kue's `promotion` then `enqueue` per job before any worker can claim it.
-- Reply: {id, {field, value, ...}} per promoted job; none while KEYS[3] exists.
-- Idempotent, so kueport needs no lock of its own; but Node Kue's promoter reads the due ids,
-- then moves each job with separate commands under its warlock lock: promoting (and letting
-- a worker claim) a job it has read would make Node put the running job back to inactive.
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 1 then return {} end
local head = ARGV[4]
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
for _, member in ipairs(due) do
  local id = id_of(member)
  local job = ARGV[3] .. id
  redis.call('ZREM', KEYS[1], member)
  if redis.call('EXISTS', job) == 0 then
    redis.call('ZREM', KEYS[2], member)  -- an index entry without a job: drop it
  else
    local got = redis.call('HMGET', job, 'type', 'state')
    local jtype, priority = got[1], priority_of(KEYS[2], member, job)
    if got[2] then unindex(head, jtype, got[2], member) end
    redis.call('HSET', job, 'state', 'inactive', 'updated_at', ARGV[1])
    redis.call('HDEL', job, 'lease', 'lease_until', 'ttl_expires_at')
    index(head, jtype, 'inactive', member, priority, priority)
    sync_tokens(ARGV[5] .. jtype .. ARGV[6], head .. jtype .. ':inactive')
    announce(ARGV[7], id, 'promotion', '')
    announce(ARGV[7], id, 'enqueue', ',' .. json_string(jtype))
    out[#out + 1] = {tonumber(id), redis.call('HGETALL', job)}
  end
end
return out
