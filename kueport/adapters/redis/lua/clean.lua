-- clean: retention; remove finished jobs chosen by the caller, each only if still unchanged.
-- KEYS[1] P:jobs  KEYS[2] P:kueport:leases
-- ARGV[1] state (complete or failed)  ARGV[2] job head  ARGV[3] jobs head
-- ARGV[4..] pairs: id, updated_at as read when selecting ('' = the hash had none)
-- Reply: {{id, {field, value, ...}}, ...} the jobs removed, in the order given
-- A job is removed only if it is still in ARGV[1] with the same updated_at, so a job restarted
-- or finished again since it was selected is left alone. Like remove.lua it deletes the hash,
-- the log and every index entry; finished jobs hold no token, so no token list changes.
local state, jhead, head = ARGV[1], ARGV[2], ARGV[3]
local removed = {}
for i = 4, #ARGV, 2 do
  local id, seen = ARGV[i], ARGV[i + 1]
  local job = jhead .. id
  local member = zid(id)
  local got = redis.call('HMGET', job, 'state', 'updated_at', 'type')
  if got[1] == state and (got[2] or '') == seen
    and redis.call('ZSCORE', head .. state, member) then
    local old = redis.call('HGETALL', job)
    forget(job, job .. ':log', KEYS[1], member)
    redis.call('ZREM', KEYS[2], member)
    unindex(head, got[3], state, member)
    removed[#removed + 1] = {id, old}
  end
end
return removed
