-- requeue_stalled: put back a job whose worker stopped renewing its lease (no attempt counted).
-- KEYS[1] P:job:<id>  KEYS[2] P:job:<id>:log  KEYS[3] P:jobs  KEYS[4] P:kueport:leases
-- ARGV[1] now  ARGV[2] zid  ARGV[3] jobs head  ARGV[4] tokens head  ARGV[5] tokens tail
-- ARGV[6] the expired lease  ARGV[7] new stall count  ARGV[8] log line
-- ARGV[9] keep the newest N log lines ('' or 0 = all)
-- Reply: {'ok', {field, value, ...}} | {'missing'} | {'lease'} (finished, moved or renewed)
local job, member, head = KEYS[1], ARGV[2], ARGV[3]
local refused = check_held(job, ARGV[6]) or check_expired(job, tonumber(ARGV[1]))
if refused then return {refused} end
local jtype = redis.call('HGET', job, 'type')
local priority = priority_of(KEYS[3], member, job)
push_log(KEYS[2], ARGV[8], ARGV[9])
unindex(head, jtype, 'active', member)
redis.call('ZREM', KEYS[4], member)
redis.call('HSET', job, 'state', 'inactive', 'stalled', ARGV[7], 'updated_at', ARGV[1])
redis.call('HDEL', job, 'lease', 'lease_until', 'ttl_expires_at')
index(head, jtype, 'inactive', member, priority, priority)
sync_tokens(ARGV[4] .. jtype .. ARGV[5], head .. jtype .. ':inactive')
return {'ok', redis.call('HGETALL', job)}
