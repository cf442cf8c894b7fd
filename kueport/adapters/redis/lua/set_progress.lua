-- set_progress: store progress; an active job's TTL deadline moves to now + ttl (Kue's refresh).
-- KEYS[1] P:job:<id>  KEYS[2] P:jobs  KEYS[3] P:jobs:active
-- ARGV[1] now  ARGV[2] zid  ARGV[3] lease ('' = unfenced)  ARGV[4] percent
-- ARGV[5] progress data JSON ('' = none)
-- Reply: {'ok', {field, value, ...}} | {'missing'} | {'lease'}
local job, member, now = KEYS[1], ARGV[2], tonumber(ARGV[1])
if redis.call('EXISTS', job) == 0 then return {'missing'} end
if ARGV[3] ~= '' then
  local refused = check_held(job, ARGV[3])
  if refused then return {refused} end
end
redis.call('HSET', job, 'progress', ARGV[4], 'updated_at', ARGV[1])
set_or_del(job, 'progress_data', ARGV[5])
if redis.call('HGET', job, 'state') == 'active' then
  local deadline = ttl_deadline(job, now)
  if deadline then
    redis.call('HSET', job, 'ttl_expires_at', int(deadline))
  else
    redis.call('HDEL', job, 'ttl_expires_at')
  end
  redis.call('ZADD', KEYS[3], deadline and timed(deadline) or untimed(priority_of(KEYS[2], member, job)), member)
end
return {'ok', redis.call('HGETALL', job)}
