-- search_remove: delete every search entry of a job (idempotent).
-- KEYS[1] P:kueport:search:job:<id>
-- ARGV[1] id  ARGV[2] search head "P:kueport:search:"
-- Reply: 1
unsearch(ARGV[2], ARGV[1])
return 1
