-- move: put a job in another state by hand (restart, dashboard); breaks any lease.
-- KEYS[1] P:job:<id>  KEYS[2] P:jobs  KEYS[3] P:kueport:leases
-- ARGV[1] now  ARGV[2] zid  ARGV[3] jobs head  ARGV[4] tokens head  ARGV[5] tokens tail
-- ARGV[6] target state  ARGV[7] promote_at ('' = keep a delayed one's, else now + delay)
-- ARGV[8..] the states allowed to move to the target (kueport.domain.state.ALLOWED_MOVES)
-- Reply: {'ok', {field, value, ...}} | {'missing'} | {'illegal', current state} | {'invalid'}:
-- a hash without a type (Kue leaves them after a half-done delete) is refused before any write.
local job, member, head, target, now = KEYS[1], ARGV[2], ARGV[3], ARGV[6], tonumber(ARGV[1])
if redis.call('EXISTS', job) == 0 then return {'missing'} end
local got = redis.call('HMGET', job, 'type', 'state', 'promote_at', 'delay')
local jtype, old = got[1], got[2]
if not jtype then return {'invalid'} end
local allowed = false
for i = 8, #ARGV do allowed = allowed or ARGV[i] == old end
if not allowed then return {'illegal', old or ''} end
local priority = priority_of(KEYS[2], member, job)
local score = priority
redis.call('HSET', job, 'state', target, 'updated_at', ARGV[1])
if target == 'delayed' then
  local at = ARGV[7]
  if at == '' and old == 'delayed' then at = got[3] or '0' end
  if at == '' then at = int(now + (tonumber(got[4] or '') or 0)) end
  redis.call('HSET', job, 'promote_at', at)
  score = tonumber(at)
end
-- Nothing becomes active by hand (ALLOWED_MOVES): a target of active is a same-state
-- re-save, which keeps the worker's lease and TTL deadline.
if target == 'active' then
  local deadline = tonumber(redis.call('HGET', job, 'ttl_expires_at') or '')
  score = deadline and timed(deadline) or untimed(priority)
else
  redis.call('HDEL', job, 'lease', 'lease_until', 'ttl_expires_at')
  redis.call('ZREM', KEYS[3], member)
end
unindex(head, jtype, old, member)
index(head, jtype, target, member, priority, score)
if old == 'inactive' or target == 'inactive' then
  sync_tokens(ARGV[4] .. jtype .. ARGV[5], head .. jtype .. ':inactive')
end
return {'ok', redis.call('HGETALL', job)}
