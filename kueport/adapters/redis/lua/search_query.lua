-- search_query: ids of the jobs having every stem and the last word, newest (highest id) first,
-- exhaustively: ZINTERSTORE in C over whole postings (search_walk.lua tries a cheaper walk first).
-- KEYS[1] P:kueport:search:words  KEYS[2] scratch zset  KEYS[3] second scratch zset
-- KEYS[4..] Kue's sets to filter by (P:jobs, P:jobs:<state> or P:jobs:<type>:<state>); each
--           is intersected on its own and the results merged (a type alone = its 5 state sets)
-- ARGV[1] search head  ARGV[2] limit  ARGV[3] last word  ARGV[4] its stem
-- ARGV[5] how many indexed words the last word may stand for as a prefix
-- ARGV[6..] stems every job must have (the other words)
-- Reply: job ids, highest first, at most limit. Both scratch keys are deleted.
local shead, limit, union, out = ARGV[1], tonumber(ARGV[2]), KEYS[2], KEYS[3]
local sets = {}
for i = 6, #ARGV do
  local key = posting(shead, ARGV[i])
  if redis.call('EXISTS', key) == 0 then return {} end
  sets[#sets + 1] = key
end
local last = last_postings(shead, KEYS[1], ARGV[3], ARGV[4], ARGV[5])
if #last == 0 then return {} end
local first = last[1]
if #last > 1 then
  local args = {'ZUNIONSTORE', union, #last}
  for _, key in ipairs(last) do args[#args + 1] = key end
  args[#args + 1], args[#args + 2] = 'AGGREGATE', 'MAX'
  redis.call(unpack(args))
  first = union
end
-- Scores are the ids: the first set (weight 1) carries them, the others weigh 0.
local found = {}
for f = 4, #KEYS do
  local args = {'ZINTERSTORE', out, #sets + 2, first, KEYS[f]}
  for _, key in ipairs(sets) do args[#args + 1] = key end
  args[#args + 1], args[#args + 2], args[#args + 3] = 'WEIGHTS', 1, 0
  for _ = 1, #sets do args[#args + 1] = 0 end
  redis.call(unpack(args))
  local top = redis.call('ZRANGE', out, '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, limit)
  for _, member in ipairs(top) do found[#found + 1] = tonumber(id_of(member)) end
end
redis.call('DEL', union, out)
table.sort(found, function(a, b) return a > b end)
local ids = {}
for i = 1, math.min(limit, #found) do ids[i] = found[i] end
return ids
