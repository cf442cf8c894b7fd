-- complete: finish attempts successfully (Kue's done(null, result)), one job or a batch of
-- jobs that finished together (one script run for the batch: each EVALSHA costs Redis a
-- parse, a dispatch and a reply besides its calls). Each job is moved whole or not at all;
-- one job's refusal ('missing', 'lease') leaves the others' moves in place. A job whose
-- hash is gone (Node Kue deleted it while it ran) leaves P:kueport:leases too.
-- KEYS[1] P:jobs  KEYS[2] P:kueport:leases  KEYS[3] P:stats:work-time
-- KEYS[4] P:kueport:throughput:<minute>:complete
-- KEYS[5..] per job, 2 each: P:job:<id>, P:job:<id>:log
-- ARGV[1] now  ARGV[2] jobs head  ARGV[3] the throughput counter's lifetime (ms)
-- ARGV[4] events channel: publish Kue's `complete` per job ('' = don't)
-- ARGV[5] "1" for brief replies: {'kept'} instead of {'ok', hash} (workers need no more)
-- ARGV[6..] per job, 6 each: zid, lease ('' = unfenced), duration ms, attempts ('' = none),
--   result JSON ('' = none), "1" to delete the job afterwards
-- Reply: per job in order, {'ok', {field, value, ...}} | {'kept'} | {'ok'} when removed |
--   {'missing'} | {'lease'} | {'error', message} (its key holds no hash)
local now, head, channel, brief = ARGV[1], ARGV[2], ARGV[4], ARGV[5] == '1'
local replies, finished, work = {}, 0, 0
for n = 0, (#ARGV - 5) / 6 - 1 do
  local job, log = KEYS[5 + 2 * n], KEYS[6 + 2 * n]
  local member, lease, duration, attempts, result, remove = unpack(ARGV, 6 + 6 * n, 11 + 6 * n)
  -- One read for the lease check, the type and the fallback priority (calls are what a
  -- script costs: each redis.call is a few microseconds, this one runs for every job).
  -- pcall: a key of another type under the job's name refuses this job only, not the batch
  -- (Redis keeps a failed script's earlier writes, so no later job may raise).
  local got = redis.pcall('HMGET', job, 'state', 'lease', 'type', 'priority')
  if got.err then
    replies[#replies + 1] = {'error', got.err}
  elseif not (got[1] or got[2] or got[3] or got[4]) and redis.call('EXISTS', job) == 0 then
    redis.call('ZREM', KEYS[2], member)  -- deleted under its worker (Kue's Job#remove)
    replies[#replies + 1] = {'missing'}
  elseif got[1] ~= 'active' or (lease ~= '' and got[2] ~= lease) then
    replies[#replies + 1] = {'lease'}
  else
    local jtype = got[3]
    local priority = tonumber(redis.call('ZSCORE', KEYS[1], member))
      or tonumber(got[4] or '') or 0
    unindex(head, jtype, 'active', member)
    redis.call('ZREM', KEYS[2], member)
    finished, work = finished + 1, work + tonumber(duration)
    if channel ~= '' then
      announce(channel, id_of(member), 'complete', ',' .. (result ~= '' and result or 'null') .. ',null')
    end
    if remove == '1' then
      forget(job, log, KEYS[1], member)
      replies[#replies + 1] = {'ok'}
    else
      local set = {'state', 'complete', 'duration', duration, 'progress', '100', 'updated_at', now}
      local drop = {'lease', 'lease_until', 'ttl_expires_at'}
      for _, field in ipairs({{'attempts', attempts}, {'result', result}}) do
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
      replies[#replies + 1] = brief and {'kept'} or {'ok', redis.call('HGETALL', job)}
    end
  end
end
if finished > 0 then
  redis.call('INCRBY', KEYS[3], work)
  if redis.call('INCRBY', KEYS[4], finished) == finished then
    redis.call('PEXPIRE', KEYS[4], ARGV[3])
  end
end
return replies
