-- update: apply a re-save (Kue's update): options, data, a new delay; re-score every set.
-- KEYS[1] P:job:<id>  KEYS[2] P:jobs
-- ARGV[1] now  ARGV[2] zid  ARGV[3] jobs head  ARGV[4] new priority ('' = keep)
-- ARGV[5] new delay ms ('' = keep): promote_at = (failed_at or created_at) + delay
-- ARGV[6] n = how many fields to delete  ARGV[7..6+n] their names  then field, value pairs
-- Reply: {'ok', {field, value, ...}} | {'missing'}
local job, member, head, now = KEYS[1], ARGV[2], ARGV[3], tonumber(ARGV[1])
if redis.call('EXISTS', job) == 0 then return {'missing'} end
local priority = tonumber(ARGV[4]) or priority_of(KEYS[2], member, job)
local ndel = tonumber(ARGV[6])
for i = 7, 6 + ndel do redis.call('HDEL', job, ARGV[i]) end
for i = 7 + ndel, #ARGV, 2 do redis.call('HSET', job, ARGV[i], ARGV[i + 1]) end
redis.call('HSET', job, 'updated_at', ARGV[1])
local got = redis.call('HMGET', job, 'type', 'state', 'failed_at', 'created_at')
local jtype, state = got[1], got[2]
local promote_at = tonumber(redis.call('HGET', job, 'promote_at') or '') or 0
if ARGV[5] ~= '' then
  promote_at = (tonumber(got[3] or '') or tonumber(got[4] or '') or 0) + tonumber(ARGV[5])
  redis.call('HSET', job, 'promote_at', int(promote_at))
end
local score = priority
if state == 'delayed' then score = promote_at end
if state == 'active' then
  local deadline = ttl_deadline(job, now)
  if deadline then
    redis.call('HSET', job, 'ttl_expires_at', int(deadline))
  else
    redis.call('HDEL', job, 'ttl_expires_at')
  end
  score = deadline and timed(deadline) or untimed(priority)
end
redis.call('ZADD', KEYS[2], priority, member)
if jtype and state then index(head, jtype, state, member, priority, score) end
return {'ok', redis.call('HGETALL', job)}
