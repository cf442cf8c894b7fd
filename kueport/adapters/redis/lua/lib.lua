-- Helpers shared by the scripts; script_runner.py prepends to each the ones it calls (with_helpers).
-- Key heads come from keys.py through ARGV: `head` is "P:jobs:", so a state's set is
-- head..state and a type's is head..type..":"..state; the token list is thead..type..ttail.

-- Kue's createFIFO (kueport.domain.ordering.zid): digit count, two wide, a bar, the id.
local function zid(id) return string.format('%02d|%s', #id, id) end

-- An integer as Kue stores it (never "1.7e+12").
local function int(n) return string.format('%d', n) end

local function id_of(member) return string.sub(member, string.find(member, '|', 1, true) + 1) end

-- Kue's active score for a job without a TTL: -abs(priority) (0 - keeps it a positive zero).
local function untimed(priority) return 0 - math.abs(priority) end

-- kueport's active score for a job with a TTL: its deadline moved 10^15 ms on (ordering.py
-- TIMED_BASE), out of the range Node Kue's TTL checker reads (100000 to Date.now()). That
-- checker fails every job it finds unless the Kue worker holding it acks; kueport's workers
-- enforce their own TTLs under a lease, so the checker would fail their jobs a second time.
local function timed(deadline) return int(deadline + 1e15) end

local function unindex(head, jtype, state, member)
  redis.call('ZREM', head .. state, member)
  if jtype then redis.call('ZREM', head .. jtype .. ':' .. state, member) end
end

local function index(head, jtype, state, member, priority, score)
  redis.call('ZADD', head .. state, score, member)
  redis.call('ZADD', head .. jtype .. ':' .. state, priority, member)
end

-- The job's priority: its score in P:jobs, else the hash field, else 0.
local function priority_of(jobs, member, job)
  return tonumber(redis.call('ZSCORE', jobs, member))
    or tonumber(redis.call('HGET', job, 'priority') or '') or 0
end

-- The TTL deadline of a job that starts (or refreshes) its run at `now`; nil without a TTL.
local function ttl_deadline(job, now)
  local ttl = tonumber(redis.call('HGET', job, 'ttl') or '')
  if ttl and ttl ~= 0 then return now + ttl end
  return nil
end

local function set_or_del(job, field, value)
  if value == '' then redis.call('HDEL', job, field) else redis.call('HSET', job, field, value) end
end

-- 'missing' without a hash, 'lease' unless active under `lease` ('' = any lease), else nil.
local function check_held(job, lease)
  if redis.call('EXISTS', job) == 0 then return 'missing' end
  local got = redis.call('HMGET', job, 'state', 'lease')
  if got[1] ~= 'active' or (lease ~= '' and got[2] ~= lease) then return 'lease' end
  return nil
end

-- 'lease' when the job's lease still runs past `now` (its worker renewed it), else nil.
local function check_expired(job, now)
  local deadline = tonumber(redis.call('HGET', job, 'lease_until') or '')
  if deadline == nil or deadline > now then return 'lease' end
  return nil
end

-- One token "1" per member of the type's inactive set, exactly; returns how many changed.
local function sync_tokens(tokens, inactive)
  local want = redis.call('ZCARD', inactive)
  local have = redis.call('LLEN', tokens)
  if have > want then
    if want == 0 then redis.call('DEL', tokens) else redis.call('LTRIM', tokens, 0, want - 1) end
  end
  for _ = 1, want - have do redis.call('LPUSH', tokens, '1') end
  return math.abs(want - have)
end

-- Append a line to a job's log, then keep only its newest `max` lines ('' or 0 = all).
local function push_log(log, line, max)
  redis.call('RPUSH', log, line)
  local cap = tonumber(max) or 0
  if cap > 0 then redis.call('LTRIM', log, -cap, -1) end
end

-- Full-text search (adapters/redis/search.py): the search head "P:kueport:search:" comes
-- from P:jobs (layout.Layout checks the rule against keys.py), so every script that deletes
-- a job deletes its search entries too, whether or not this queue has search enabled.
local function search_head(jobs) return string.sub(jobs, 1, -5) .. 'kueport:search:' end
local function stem_of(entry) return string.sub(entry, string.find(entry, ':', 1, true) + 1) end
local function posting(shead, stem) return shead .. 'stem:' .. stem .. ':ids' end

-- Forget one "word:stem" term of job `member`; `keep_posting` when another of the job's
-- terms has the same stem. A term no job has any more leaves the prefix index.
local function drop_term(shead, entry, member, keep_posting)
  if not keep_posting then redis.call('ZREM', posting(shead, stem_of(entry)), member) end
  if redis.call('HINCRBY', shead .. 'refs', entry, -1) <= 0 then
    redis.call('HDEL', shead .. 'refs', entry)
    redis.call('ZREM', shead .. 'words', entry)
  end
end

-- The postings the last word of a query stands for: its own stem's and those of the first
-- `max` indexed words it starts (ZRANGEBYLEX over the "word:stem" terms); only existing ones.
local function last_postings(shead, words, prefix, stem, max)
  local keys, seen = {}, {}
  local function add(s)
    local key = posting(shead, s)
    if not seen[s] and redis.call('EXISTS', key) == 1 then keys[#keys + 1] = key end
    seen[s] = true
  end
  add(stem)
  local lo, hi = '[' .. prefix, '[' .. prefix .. '\255'
  for _, entry in ipairs(redis.call('ZRANGEBYLEX', words, lo, hi, 'LIMIT', 0, max)) do
    add(stem_of(entry))
  end
  return keys
end

-- The terms of a job as stored in its "job:<id>" string: space-separated (a string costs
-- far less than a set of small strings; terms never hold a space).
local function own_terms(own)
  local found = {}
  for entry in string.gmatch(redis.call('GET', own) or '', '%S+') do found[#found + 1] = entry end
  return found
end

-- Delete every search entry of job `id` (nothing to do for a job never indexed).
local function unsearch(shead, id)
  local own = shead .. 'job:' .. id
  for _, entry in ipairs(own_terms(own)) do drop_term(shead, entry, zid(id)) end
  redis.call('DEL', own)
end

-- Kue's own search index (reds, written by Node producers with search enabled): the words
-- of job `id` are the members of "P:search:object:<id>", and "P:search:word:<word>" lists the
-- ids having that word. Dropped as reds' Search#remove does (Kue's Job#remove calls it), so
-- Kue's /job/search never returns a deleted id; a job never indexed costs one missing read.
local function unreds(jobs, id)
  local head = string.sub(jobs, 1, -5) .. 'search:'
  local object = head .. 'object:' .. id
  local words = redis.call('ZRANGE', object, 0, -1)
  if #words == 0 then return end
  for _, word in ipairs(words) do redis.call('ZREM', head .. 'word:' .. word, id) end
  redis.call('DEL', object)
end

-- Delete a job whose state sets were already cleaned: hash, log, P:jobs entry, the search
-- entries of kueport's index and of Kue's.
local function forget(job, log, jobs, member)
  local id = id_of(member)
  redis.call('DEL', job, log)
  redis.call('ZREM', jobs, member)
  unsearch(search_head(jobs), id)
  unreds(jobs, id)
end


-- A JSON string as JavaScript's JSON.stringify writes it (cjson also escapes "/").
local function json_string(text) return (string.gsub(cjson.encode(text), '\\/', '/')) end

-- Publish Kue's event message `{"id":N,"event":E,"args":[E<extra>]}` on `channel`.
local function announce(channel, id, event, extra)
  local message = '{"id":' .. id .. ',"event":"' .. event .. '","args":["' .. event .. '"'
  redis.call('PUBLISH', channel, message .. extra .. ']}')
end
