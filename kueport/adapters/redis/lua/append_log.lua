-- append_log: add one line to a job's log (Kue's job.log) and touch updated_at.
-- KEYS[1] P:job:<id>  KEYS[2] P:job:<id>:log
-- ARGV[1] now  ARGV[2] the line  ARGV[3] keep the newest N lines ('' or 0 = all)
-- Reply: 1, or 0 when there is no such job
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
push_log(KEYS[2], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[1], 'updated_at', ARGV[1])
return 1
