-- sync_tokens: make a type's token list hold exactly one "1" per inactive job.
-- KEYS[1] P:<type>:jobs (tokens)  KEYS[2] P:jobs:<type>:inactive
-- Reply: how many tokens were added or dropped (0 on a healthy store)
return sync_tokens(KEYS[1], KEYS[2])
