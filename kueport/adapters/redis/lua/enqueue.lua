-- enqueue: store a new job under a fresh id (Kue's save) and index it; one token if inactive.
-- KEYS[1] P:ids  KEYS[2] P:jobs  KEYS[3] P:job:types  KEYS[4] P:<type>:jobs (tokens)
-- ARGV[1] job key head ("P:job:")  ARGV[2] jobs head ("P:jobs:")  ARGV[3] type
-- ARGV[4] initial state  ARGV[5] priority  ARGV[6] state score (promote_at when delayed)
-- ARGV[7] events channel: publish `enqueue` when inactive ('' = don't)
-- ARGV[8] that message after the id (scripts.enqueue_message_tail): '{"id":N' .. ARGV[8]
-- ARGV[9..] field, value pairs of the hash (hash_writing.encode_new)
-- Reply: the new job id
-- The scores are written before the hash: a script stops at a failing call but keeps what it
-- wrote, and a score Redis refuses must not leave a hash that no index shows.
local id = int(redis.call('INCR', KEYS[1]))
local member = zid(id)
redis.call('ZADD', KEYS[2], ARGV[5], member)
index(ARGV[2], ARGV[3], ARGV[4], member, ARGV[5], ARGV[6])
redis.call('HSET', ARGV[1] .. id, unpack(ARGV, 9))
redis.call('SADD', KEYS[3], ARGV[3])
if ARGV[4] == 'inactive' then
  sync_tokens(KEYS[4], ARGV[2] .. ARGV[3] .. ':inactive')
  if ARGV[7] ~= '' then redis.call('PUBLISH', ARGV[7], '{"id":' .. id .. ARGV[8]) end
end
return tonumber(id)
