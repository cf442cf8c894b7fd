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
-- One read for the lease check, the type and the fallback priority (calls are what a
-- script costs: each redis.call is a few microseconds, this one runs for every job).
local got = redis.call('HMGET', job, 'state', 'lease', 'type', 'priority')
if not (got[1] or got[2] or got[3] or got[4]) and redis.call('EXISTS', job) == 0 then
  return {'missing'}
end
if got[1] ~= 'active' or (ARGV[4] ~= '' and got[2] ~= ARGV[4]) then return {'lease'} end
local jtype = got[3]
local priority = tonumber(redis.call('ZSCORE', KEYS[3], member)) or tonumber(got[4] or '') or 0
unindex(head, jtype, 'active', member)
redis.call('ZREM', KEYS[4], member)
redis.call('INCRBY', KEYS[5], ARGV[5])
if redis.call('INCR', KEYS[6]) == 1 then redis.call('PEXPIRE', KEYS[6], ARGV[9]) end
if ARGV[11] ~= '' then redis.call('PUBLISH', ARGV[10], ARGV[11]) end
if ARGV[8] == '1' then
  forget(job, KEYS[2], KEYS[3], member)
  return {'ok'}
end
local set = {'state', 'complete', 'duration', ARGV[5], 'progress', '100', 'updated_at', ARGV[1]}
local drop = {'lease', 'lease_until', 'ttl_expires_at'}
for _, field in ipairs({{'attempts', ARGV[6]}, {'result', ARGV[7]}}) do
  if field[2] == '' then
    drop[#drop + 1] = field[1]
  else
    set[#set + 1] = field[1]
    set[#set + 1] = field[2]
  end
end
redis.call('HSET', job, unpack(set))
redis.call('HDEL', job, unpack(drop))
index(head, jtype, 'complete', member, priority, priority)
if ARGV[12] == '1' then return {'kept'} end
return {'ok', redis.call('HGETALL', job)}
