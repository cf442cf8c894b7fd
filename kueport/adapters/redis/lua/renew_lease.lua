-- renew_lease: extend the lease of a job still held under it.
-- KEYS[1] P:job:<id>  KEYS[2] P:kueport:leases
-- ARGV[1] zid  ARGV[2] lease (never empty)  ARGV[3] new lease deadline (ms)
-- Reply: 1 when renewed, 0 when the job is gone or no longer held under the lease
-- A job deleted by another program (Node Kue's remove) leaves no lease entry behind.
local refused = check_held(KEYS[1], ARGV[2])
if refused == 'missing' then redis.call('ZREM', KEYS[2], ARGV[1]) end
if refused then return 0 end
redis.call('HSET', KEYS[1], 'lease_until', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
