-- complete: finish an attempt successfully (Kue's done(null, result)); remove when asked.
-- KEYS[1] P:job:<id>  KEYS[2] P:job:<id>:log  KEYS[3] P:jobs  KEYS[4] P:kueport:leases
-- KEYS[5] P:stats:work-time  KEYS[6] P:kueport:throughput:<minute>:complete
-- ARGV[1] now  ARGV[2] zid  ARGV[3] jobs head  ARGV[4] lease ('' = unfenced)
-- ARGV[5] duration ms  ARGV[6] attempts ('' = none)  ARGV[7] result JSON ('' = none)
-- ARGV[8] "1" to delete the job afterwards  ARGV[9] the throughput counter's lifetime (ms)
-- ARGV[10] events channel  ARGV[11] the `complete` message to publish with the move ('' = none)
-- ARGV[12] "1" for a brief reply: {'kept'} instead of {'ok', hash} (workers need no more)
-- Reply: {'ok', {field, value, ...}} | {'kept'} | {'ok'} when removed | {'missing'} | {'lease'}
local job, member, head = KEYS[1], ARGV[2], ARGV[3]
local refused = check_held(job, ARGV[4])
if refused then return {refused} end
local jtype = redis.call('HGET', job, 'type')
local priority = priority_of(KEYS[3], member, job)
unindex(head, jtype, 'active', member)
redis.call('ZREM', KEYS[4], member)
redis.call('INCRBY', KEYS[5], ARGV[5])
redis.call('INCR', KEYS[6])
redis.call('PEXPIRE', KEYS[6], ARGV[9])
if ARGV[11] ~= '' then redis.call('PUBLISH', ARGV[10], ARGV[11]) end
if ARGV[8] == '1' then
  forget(job, KEYS[2], KEYS[3], member)
  return {'ok'}
end
redis.call('HSET', job, 'state', 'complete', 'duration', ARGV[5], 'progress', '100',
  'updated_at', ARGV[1])
redis.call('HDEL', job, 'lease', 'lease_until', 'ttl_expires_at')
set_or_del(job, 'attempts', ARGV[6])
set_or_del(job, 'result', ARGV[7])
index(head, jtype, 'complete', member, priority, priority)
if ARGV[12] == '1' then return {'kept'} end
return {'ok', redis.call('HGETALL', job)}
