-- search_index: replace the terms a job is found by (kueport's full-text index).
-- KEYS[1] P:job:<id>  KEYS[2] P:kueport:search:job:<id>  KEYS[3] P:kueport:search:words
-- KEYS[4] P:kueport:search:refs
-- ARGV[1] id  ARGV[2] search head "P:kueport:search:"  ARGV[3..] the job's terms "word:stem"
-- Reply: how many terms the job is indexed by now (0 when the job is gone)
-- Only the difference with what was indexed before is written. A job that no longer exists
-- (removed between its save and this call) gets no entries: nothing would ever delete them.
local id, shead, own = ARGV[1], ARGV[2], KEYS[2]
local member = zid(id)
local wanted, stems, kept = {}, {}, {}
if redis.call('EXISTS', KEYS[1]) == 1 then
  for i = 3, #ARGV do
    wanted[ARGV[i]] = true
    stems[stem_of(ARGV[i])] = true
    kept[#kept + 1] = ARGV[i]
  end
end
for _, entry in ipairs(own_terms(own)) do
  if wanted[entry] then
    wanted[entry] = nil -- already indexed
  else
    drop_term(shead, entry, member, stems[stem_of(entry)])
  end
end
for entry in pairs(wanted) do
  redis.call('ZADD', posting(shead, stem_of(entry)), tonumber(id), member)
  if redis.call('HINCRBY', KEYS[4], entry, 1) == 1 then redis.call('ZADD', KEYS[3], 0, entry) end
end
if #kept == 0 then
  redis.call('DEL', own)
else
  redis.call('SET', own, table.concat(kept, ' '))
end
return #kept
