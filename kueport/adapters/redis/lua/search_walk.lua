-- search_walk: the top `limit` matches found by walking id windows down from the newest.
-- KEYS[1] P:kueport:search:words  KEYS[2..] Kue's sets a result must be in (any of them)
-- ARGV[1] search head  ARGV[2] limit  ARGV[3] last word  ARGV[4] its stem
-- ARGV[5] how many indexed words the last word may stand for  ARGV[6] budget of ZSCOREs
-- ARGV[7..] stems every job must have
-- Reply: {1, ids} when complete (ids highest first, at most limit); {0} when the budget ran
-- out first (few matches among many candidates): search_query.lua then intersects in C.
-- The smallest posting drives: its members are read by id windows, newest first, doubling
-- the window each time, and each is checked (ZSCORE) against every other group of sets.
local shead, limit, budget = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[6])
local exact = {}
for i = 7, #ARGV do
  local key = posting(shead, ARGV[i])
  local n = redis.call('ZCARD', key)
  if n == 0 then return {1, {}} end
  exact[#exact + 1] = {key, n}
end
table.sort(exact, function(a, b) return a[2] < b[2] end)
local last = last_postings(shead, KEYS[1], ARGV[3], ARGV[4], ARGV[5])
if #last == 0 then return {1, {}} end
local filters = {}
for i = 2, #KEYS do filters[#filters + 1] = KEYS[i] end
local driver, groups = last, {filters}
if #exact > 0 then driver, groups[2] = {exact[1][1]}, last end
for i = 2, #exact do groups[#groups + 1] = {exact[i][1]} end
local top, bottom = 0, math.huge
for _, key in ipairs(driver) do
  top = math.max(top, tonumber(redis.call('ZRANGE', key, 0, 0, 'REV', 'WITHSCORES')[2]))
  bottom = math.min(bottom, tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]))
end
local ids, width, hi = {}, limit, top
while hi >= bottom do
  local lo, batch, seen = hi - width + 1, {}, {}
  budget = budget - #driver
  for _, key in ipairs(driver) do
    for _, m in ipairs(redis.call('ZRANGE', key, hi, lo, 'BYSCORE', 'REV')) do
      if not seen[m] then seen[m] = true; batch[#batch + 1] = {tonumber(id_of(m)), m} end
    end
  end
  table.sort(batch, function(a, b) return a[1] > b[1] end)
  for _, c in ipairs(batch) do
    local ok = true
    for _, group in ipairs(groups) do
      local hit = false
      for _, key in ipairs(group) do
        budget = budget - 1
        if redis.call('ZSCORE', key, c[2]) then hit = true; break end
      end
      if not hit then ok = false; break end
    end
    if ok then ids[#ids + 1] = c[1] end
    if #ids >= limit then return {1, ids} end
    if budget < 0 then return {0} end
  end
  hi, width = lo - 1, width * 2
end
return {1, ids}
