-- worker_beat: record a worker's heartbeat (or forget it), dropping workers not heard from.
-- KEYS[1] P:kueport:workers  KEYS[2] P:kueport:worker-info
-- ARGV[1] now  ARGV[2] worker id  ARGV[3] heartbeat expiry ms ('' = forget the worker)
-- ARGV[4] the worker's info (JSON)
-- Reply: how many expired workers were dropped
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[2])
  redis.call('HDEL', KEYS[2], ARGV[2])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[4])
end
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
for _, id in ipairs(gone) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
end
return #gone
