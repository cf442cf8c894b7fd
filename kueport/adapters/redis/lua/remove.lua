-- remove: delete a job, its log and its entry in every index (all five states, to be sure, and
-- the one its hash names, as Kue's remove does, should that be none of them).
-- KEYS[1] P:job:<id>  KEYS[2] P:job:<id>:log  KEYS[3] P:jobs  KEYS[4] P:kueport:leases
-- ARGV[1] zid  ARGV[2] jobs head  ARGV[3] tokens head  ARGV[4] tokens tail
-- ARGV[5] "1" to act only if the hash is already gone: the lease sweep drops what a job
--   deleted under its worker left (Node Kue's Job#remove knows nothing of kueport's keys)
-- ARGV[6..] states
-- Reply: the removed hash as {field, value, ...} (empty when there was no job)
local member, head = ARGV[1], ARGV[2]
if ARGV[5] == '1' and redis.call('EXISTS', KEYS[1]) == 1 then return {} end
local old = redis.call('HGETALL', KEYS[1])
local got = redis.call('HMGET', KEYS[1], 'type', 'state')
local jtype = got[1]
forget(KEYS[1], KEYS[2], KEYS[3], member)
redis.call('ZREM', KEYS[4], member)
for i = 6, #ARGV do unindex(head, jtype, ARGV[i], member) end
if got[2] then unindex(head, jtype, got[2], member) end
if jtype then
  sync_tokens(ARGV[3] .. jtype .. ARGV[4], head .. jtype .. ':inactive')
end
return old
