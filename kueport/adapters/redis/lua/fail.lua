-- fail: record a failed attempt (Kue's failedAttempt) and move to the plan's next state.
-- KEYS[1] P:job:<id>  KEYS[2] P:job:<id>:log  KEYS[3] P:jobs  KEYS[4] P:kueport:leases
-- KEYS[5] P:kueport:throughput:<minute>:failed
-- ARGV[1] now  ARGV[2] zid  ARGV[3] jobs head  ARGV[4] tokens head  ARGV[5] tokens tail
-- ARGV[6] lease ('' = unfenced)  ARGV[7] error  ARGV[8] log line  ARGV[9] attempts ('' = none)
-- ARGV[10] next state  ARGV[11] delay ms ('' = none)  ARGV[12] promote_at
-- ARGV[13] "1" to delete the job afterwards
-- ARGV[14] now when failing a stalled job: refuse if its lease was renewed since ('' = no)
-- ARGV[15] keep the newest N log lines ('' or 0 = all)
-- ARGV[16] events channel  ARGV[17] the throughput counter's lifetime (ms)
-- ARGV[18..] event messages to publish with the move
-- Reply: {'ok', {field, value, ...}} | {'ok'} when removed | {'missing'} | {'lease'}
local job, member, head, state = KEYS[1], ARGV[2], ARGV[3], ARGV[10]
local refused = check_held(job, ARGV[6])
if not refused and ARGV[14] ~= '' then refused = check_expired(job, tonumber(ARGV[14])) end
if refused == 'missing' then redis.call('ZREM', KEYS[4], member) end  -- deleted under its worker
if refused then return {refused} end
local jtype = redis.call('HGET', job, 'type')
local priority = priority_of(KEYS[3], member, job)
push_log(KEYS[2], ARGV[8], ARGV[15])
unindex(head, jtype, 'active', member)
redis.call('ZREM', KEYS[4], member)
redis.call('INCR', KEYS[5])
redis.call('PEXPIRE', KEYS[5], ARGV[17])
for i = 18, #ARGV do redis.call('PUBLISH', ARGV[16], ARGV[i]) end
if ARGV[13] == '1' then
  forget(job, KEYS[2], KEYS[3], member)
  return {'ok'}
end
redis.call('HSET', job, 'state', state, 'error', ARGV[7], 'failed_at', ARGV[1],
  'promote_at', ARGV[12], 'updated_at', ARGV[1])
redis.call('HDEL', job, 'lease', 'lease_until', 'ttl_expires_at')
set_or_del(job, 'attempts', ARGV[9])
set_or_del(job, 'delay', ARGV[11])
local score = priority
if state == 'delayed' then score = tonumber(ARGV[12]) end
index(head, jtype, state, member, priority, score)
if state == 'inactive' then
  sync_tokens(ARGV[4] .. jtype .. ARGV[5], head .. jtype .. ':inactive')
end
return {'ok', redis.call('HGETALL', job)}
