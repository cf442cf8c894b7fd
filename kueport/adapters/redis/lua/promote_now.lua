-- promote_now: move up to `limit` delayed jobs (all, or of one type) to inactive at once,
-- whatever their promote_at, earliest (or for one type, best) first.
-- KEYS[1] P:jobs:delayed or P:jobs:<type>:delayed  KEYS[2] P:jobs
-- ARGV[1] now  ARGV[2] limit (> 0)  ARGV[3] job key head  ARGV[4] jobs head
-- ARGV[5] tokens head  ARGV[6] tokens tail  ARGV[7] events channel
-- Publishes Kue's `promotion` then `enqueue` per job before any worker can claim it.
-- Reply: {id, {field, value, ...}} per job moved.
local head = ARGV[4]
local out = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)) do
  local id = id_of(member)
  local job = ARGV[3] .. id
  local got = redis.call('HMGET', job, 'type', 'state')
  local jtype = got[1]
  if not jtype or got[2] ~= 'delayed' then
    redis.call('ZREM', KEYS[1], member)  -- an index entry without a delayed job: drop it
  else
    local priority = priority_of(KEYS[2], member, job)
    unindex(head, jtype, 'delayed', member)
    redis.call('HSET', job, 'state', 'inactive', 'updated_at', ARGV[1])
    index(head, jtype, 'inactive', member, priority, priority)
    sync_tokens(ARGV[5] .. jtype .. ARGV[6], head .. jtype .. ':inactive')
    announce(ARGV[7], id, 'promotion', '')
    announce(ARGV[7], id, 'enqueue', ',' .. json_string(jtype))
    out[#out + 1] = {tonumber(id), redis.call('HGETALL', job)}
  end
end
return out
