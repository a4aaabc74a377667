/**
 * Lua scripts: each runs atomically in Redis, so check-then-write steps cannot interleave with
 * other nodes. Every key a script touches belongs to one user and carries that user's hash tag, so
 * on Redis Cluster each script runs on the one shard that holds the user. Session bodies are JSON
 * strings that live until their purgeAt (PXAT); the user's index holds only sessions that have not
 * ended, scored by their earlier deadline. Scripts reach session bodies as `<session prefix><id>`
 * (same tag as the index): the index names them, so they cannot be declared up front.
 * Numbers survive cjson: epoch milliseconds have 13 digits, within its 14-significant-digit output.
 */

// Shared helpers, prepended to each script.
const LIB = `
local function deadline(s) return math.min(s.idleExpiresAt, s.absoluteExpiresAt) end
local function save(key, s) redis.call('SET', key, cjson.encode(s), 'PXAT', math.floor(s.purgeAt)) end
local function endit(key, s, ending, uidx)
  s.endedAt = ending.at; s.endReason = ending.reason; s.endDetail = ending.detail or cjson.null; s.purgeAt = ending.purgeAt
  save(key, s)
  redis.call('ZREM', uidx, s.id)
  return s
end
local function list(t) if #t == 0 then return '[]' end return cjson.encode(t) end
`;

/**
 * KEYS: session, user index. ARGV: session JSON, limit JSON or "", session key prefix.
 * Idempotent, since a client may resend a command whose answer a dropped connection lost.
 */
export const CREATE_SESSION = `${LIB}
-- Ids are random: an existing record means this call was already applied and is being resent.
if redis.call('EXISTS', KEYS[1]) == 1 then return '{"ok":true,"evicted":[]}' end
local s = cjson.decode(ARGV[1])
local evicted = {}
if ARGV[2] ~= '' then
  local limit = cjson.decode(ARGV[2])
  local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. limit.now, '+inf')
  -- Active sessions of this app, and of every app (for the ceiling), oldest first.
  local active, all = {}, {}
  for _, id in ipairs(ids) do
    local raw = redis.call('GET', ARGV[3] .. id)
    if raw then
      local o = cjson.decode(raw)
      if o.endedAt == cjson.null and deadline(o) > limit.now then
        table.insert(all, o)
        if o.app == s.app then table.insert(active, o) end
      end
    end
  end
  -- As core's oldestFirst: by createdAt, the id breaking a tie.
  local oldest = function(a, b) if a.createdAt ~= b.createdAt then return a.createdAt < b.createdAt end return a.id < b.id end
  table.sort(active, oldest)
  table.sort(all, oldest)
  local appExcess = 0
  if limit.max > 0 and #active + 1 > limit.max then appExcess = #active + 1 - limit.max end
  if appExcess > 0 and limit.onMax == 'reject' then return '{"ok":false,"active":' .. list(active) .. '}' end
  -- Decide every eviction before making any, so a refusal by the ceiling changes nothing.
  local byCeiling = {}
  if limit.ceiling then
    local byApp, left, pool = {}, {}, {}
    for i = 1, appExcess do byApp[active[i].id] = true end
    for _, o in ipairs(all) do if not byApp[o.id] then table.insert(left, o) end end
    if limit.ceiling.ownAppOnly then
      for i = appExcess + 1, #active do table.insert(pool, active[i]) end
    else
      pool = left
    end
    local excess = #left + 1 - limit.ceiling.max
    if limit.ceiling.ownAppOnly and excess > #pool then return '{"ok":false,"accountLimit":true,"active":' .. list(active) .. '}' end
    for i = 1, excess do table.insert(byCeiling, pool[i]) end
  end
  for i = 1, appExcess do table.insert(evicted, endit(ARGV[3] .. active[i].id, active[i], limit.ending, KEYS[2])) end
  for _, o in ipairs(byCeiling) do table.insert(evicted, endit(ARGV[3] .. o.id, o, limit.ceiling.ending, KEYS[2])) end
end
save(KEYS[1], s)
-- The index holds only sessions that have not ended (an ended one arrives when migrating).
if s.endedAt == cjson.null then redis.call('ZADD', KEYS[2], deadline(s), s.id) end
return '{"ok":true,"evicted":' .. list(evicted) .. '}'
`;

/**
 * KEYS: session, user index. ARGV: patch JSON, expected refresh hash or "".
 * Returns the session's earlier deadline when applied; 0 when the session is missing, ended, or
 * (with a hash) rotated already.
 */
export const UPDATE_SESSION = `${LIB}
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local s = cjson.decode(raw)
if s.endedAt ~= cjson.null then return 0 end
if ARGV[2] ~= '' and (s.refresh == cjson.null or s.refresh.hash ~= ARGV[2]) then return 0 end
local patch = cjson.decode(ARGV[1])
for k, v in pairs(patch) do s[k] = v end
save(KEYS[1], s)
if patch.idleExpiresAt then redis.call('ZADD', KEYS[2], deadline(s), s.id) end
return math.floor(deadline(s))
`;

/**
 * KEYS: session, user index. ARGV: ending JSON. Returns the ended session JSON, or nil when it had
 * ended already; a resend of the same ending (same instant and reason) gets the record again.
 */
export const END_SESSION = `${LIB}
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
local s = cjson.decode(raw)
local ending = cjson.decode(ARGV[1])
if s.endedAt ~= cjson.null then
  if s.endedAt == ending.at and s.endReason == ending.reason then return raw end
  return nil
end
return cjson.encode(endit(KEYS[1], s, ending, KEYS[2]))
`;

/**
 * KEYS: user index. ARGV: ending JSON, filter JSON, session key prefix.
 * Ends the user's not-yet-ended sessions that pass the filter; returns a JSON array.
 */
export const END_USER_SESSIONS = `${LIB}
local ending = cjson.decode(ARGV[1])
local f = cjson.decode(ARGV[2])
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[3] .. id
  local raw = redis.call('GET', key)
  if raw then
    local s = cjson.decode(raw)
    if s.endedAt == cjson.null and id ~= f.exceptId and (f.app == nil or s.app == f.app) and (f.trustedDeviceId == nil or s.trustedDeviceId == f.trustedDeviceId) then
      table.insert(out, endit(key, s, ending, KEYS[1]))
    end
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return list(out)
`;

/**
 * KEYS: user index. ARGV: now, tombstone TTL, session key prefix, limit.
 * Marks up to `limit` of the user's sessions whose deadline has passed as ended at that deadline.
 * Returns {"timedOut":[...],"next":<earliest remaining deadline, or -1 when none is left>}.
 */
export const TIME_OUT_USER = `${LIB}
local now = tonumber(ARGV[1])
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))) do
  local key = ARGV[3] .. id
  local raw = redis.call('GET', key)
  if raw then
    local s = cjson.decode(raw)
    local at = deadline(s)
    if s.endedAt ~= cjson.null then
      redis.call('ZREM', KEYS[1], id)
    elseif at <= now then
      local reason = 'idle_timeout'
      if s.absoluteExpiresAt <= s.idleExpiresAt then reason = 'absolute_timeout' end
      table.insert(out, endit(key, s, { at = at, reason = reason, purgeAt = at + tonumber(ARGV[2]) }, KEYS[1]))
    else
      redis.call('ZADD', KEYS[1], at, id)
    end
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local next = -1
if first[2] then next = tonumber(first[2]) end
return '{"timedOut":' .. list(out) .. ',"next":' .. string.format('%.0f', next) .. '}'
`;

/**
 * KEYS: stream. ARGV: channel, event JSON (without id), max length. Appends, then tells the
 * subscribers the new id (they read the event from the stream, in order).
 */
export const RECORD_EVENT = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[2])
redis.call('PUBLISH', ARGV[1], id)
return id
`;

/**
 * KEYS: counter. ARGV: ttl ms. The expiry is set only on a new key, so a counter taken back to 0
 * keeps its window.
 */
export const INCREMENT = `
local v = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return v
`;

/** KEYS: counter. Takes 1 back, never below 0; an absent key stays absent (DECR would create it). */
export const DECREMENT = `
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

/**
 * KEYS: device, the user's device set. ARGV: device JSON, or (with ARGV[2] = 'patch') a patch of
 * an existing device. Saves the device until it expires; the set lives as long as its
 * longest-lived device, so nothing outlives them. A patch of a device that is gone (removed by
 * another node meanwhile) does nothing rather than bring it back. Returns 1 when saved.
 */
export const SAVE_DEVICE = `
local d = cjson.decode(ARGV[1])
if ARGV[2] == 'patch' then
  local raw = redis.call('GET', KEYS[1])
  if not raw then return 0 end
  local patch = d
  d = cjson.decode(raw)
  for k, v in pairs(patch) do d[k] = v end
end
redis.call('SET', KEYS[1], cjson.encode(d), 'PXAT', math.floor(d.expiresAt))
redis.call('SADD', KEYS[2], d.id)
if redis.call('PEXPIRETIME', KEYS[2]) < d.expiresAt then redis.call('PEXPIREAT', KEYS[2], math.floor(d.expiresAt)) end
return 1
`;

/** KEYS: user hash. ARGV: field, JSON value, … Sets the fields of a user that exists. */
export const UPDATE_USER = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`;

/**
 * KEYS: user hash. ARGV: 'totp', step | 'recovery', stored hash. Uses up a second factor: a TOTP
 * step only when later than the last one, a recovery code only while it is stored. 1 when used.
 */
export const USE_SECOND_FACTOR = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == 'totp' then
  local last = redis.call('HGET', KEYS[1], 'totpLastStep')
  if last and last ~= 'null' and tonumber(last) >= tonumber(ARGV[2]) then return 0 end
  redis.call('HSET', KEYS[1], 'totpLastStep', ARGV[2])
  return 1
end
local raw = redis.call('HGET', KEYS[1], 'recoveryCodeHashes')
if not raw then return 0 end
local kept, found = {}, false
for _, h in ipairs(cjson.decode(raw)) do
  if h == ARGV[2] and not found then found = true else table.insert(kept, h) end
end
if not found then return 0 end
-- cjson writes an empty table as {}, not [].
local out = '[]'
if #kept > 0 then out = cjson.encode(kept) end
redis.call('HSET', KEYS[1], 'recoveryCodeHashes', out)
return 1
`;

/**
 * KEYS: session, its data. ARGV: data, expected version, purgeAt. Compare-and-set while the
 * session has not ended; the data expires with the most the record may live. Returns the new
 * version, or -1 on a conflict or an ended (or missing) session.
 */
export const WRITE_SESSION_DATA = `
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
if cjson.decode(raw).endedAt ~= cjson.null then return -1 end
local current = 0
local stored = redis.call('HGET', KEYS[2], 'version')
if stored then current = tonumber(stored) end
if current ~= tonumber(ARGV[2]) then return -1 end
redis.call('HSET', KEYS[2], 'data', ARGV[1], 'version', current + 1)
redis.call('PEXPIREAT', KEYS[2], ARGV[3])
return current + 1
`;

/** KEYS[1] app-key hash, ARGV[1] key id, ARGV[2] time: sets lastUsedAt only while the key exists. */
export const TOUCH_APP_KEY = `
if redis.call('HEXISTS', KEYS[1], 'id:' .. ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], 'u:' .. ARGV[1], ARGV[2])
end
return 0
`;

/*
 * Webhook deliveries. Every key carries the hash tag {wh} (one shard on Cluster). A delivery is a
 * JSON string `d:<id>`; each line (webhook, orderKey) is a list of its pending ids in queue order;
 * `ready` scores each non-empty line by when its head may be taken: its nextAttemptAt, or while
 * leased the lease's end, so a node that died leaves it to the next claim after that. `of:<webhook>`
 * lists a webhook's deliveries by a queue counter; `done` holds finished ones by createdAt.
 * cjson turns an empty list into {}: the reader in webhooks.ts reads both as [].
 */

/** KEYS[1] the {wh} key prefix. ARGV: delivery JSONs. Returns how many were new. */
export const ENQUEUE_DELIVERIES = `
local p = KEYS[1]
local added = 0
for i = 1, #ARGV do
  local d = cjson.decode(ARGV[i])
  if redis.call('SET', p .. 'd:' .. d.id, ARGV[i], 'NX') then
    added = added + 1
    local line = d.webhookId .. '\\n' .. d.orderKey
    if redis.call('RPUSH', p .. 'line:' .. line, d.id) == 1 then redis.call('ZADD', p .. 'ready', d.nextAttemptAt, line) end
    redis.call('ZADD', p .. 'of:' .. d.webhookId, redis.call('INCR', p .. 'seq'), d.id)
  end
end
return added
`;

/** KEYS[1] the {wh} key prefix. ARGV: now, token, lease ms, limit. Returns the leased deliveries as a JSON list. */
export const CLAIM_DELIVERIES = `
local p = KEYS[1]
local now, token, leaseEnd, limit = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[1]) + tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {}
local lines = redis.call('ZRANGEBYSCORE', p .. 'ready', '-inf', now, 'LIMIT', 0, limit)
for _, line in ipairs(lines) do
  local id = redis.call('LINDEX', p .. 'line:' .. line, 0)
  local raw = id and redis.call('GET', p .. 'd:' .. id)
  if not raw then
    redis.call('ZREM', p .. 'ready', line)
  else
    local d = cjson.decode(raw)
    d.lease = { token = token, ['until'] = leaseEnd }
    local json = cjson.encode(d)
    redis.call('SET', p .. 'd:' .. id, json)
    redis.call('ZADD', p .. 'ready', leaseEnd, line)
    table.insert(out, json)
  end
end
return '[' .. table.concat(out, ',') .. ']'
`;

/** KEYS[1] the {wh} key prefix. ARGV: id, token, outcome JSON. Returns 1 when written (the token held the lease). */
export const SETTLE_DELIVERY = `
local p = KEYS[1]
local raw = redis.call('GET', p .. 'd:' .. ARGV[1])
if not raw then return 0 end
local d = cjson.decode(raw)
if d.lease == cjson.null or d.lease.token ~= ARGV[2] then return 0 end
local o = cjson.decode(ARGV[3])
d.status = o.status; d.attempts = o.attempts; d.nextAttemptAt = o.nextAttemptAt; d.lease = cjson.null
redis.call('SET', p .. 'd:' .. d.id, cjson.encode(d))
local line = d.webhookId .. '\\n' .. d.orderKey
local lineKey = p .. 'line:' .. line
if d.status == 'pending' then
  redis.call('ZADD', p .. 'ready', d.nextAttemptAt, line)
  return 1
end
-- Finished: the next in line becomes the head.
redis.call('LREM', lineKey, 1, d.id)
redis.call('ZADD', p .. 'done', d.createdAt, d.id)
local nextId = redis.call('LINDEX', lineKey, 0)
local nextRaw = nextId and redis.call('GET', p .. 'd:' .. nextId)
if nextRaw then
  local n = cjson.decode(nextRaw)
  local at = n.nextAttemptAt
  if n.lease ~= cjson.null and n.lease['until'] > at then at = n.lease['until'] end
  redis.call('ZADD', p .. 'ready', at, line)
else
  redis.call('ZREM', p .. 'ready', line)
end
return 1
`;

/** KEYS[1] the {wh} key prefix. ARGV: before, limit. Forgets finished deliveries queued before the cut-off. */
export const PURGE_DELIVERIES = `
local p = KEYS[1]
local ids = redis.call('ZRANGEBYSCORE', p .. 'done', '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  local raw = redis.call('GET', p .. 'd:' .. id)
  if raw then
    local d = cjson.decode(raw)
    redis.call('ZREM', p .. 'of:' .. d.webhookId, id)
    redis.call('DEL', p .. 'd:' .. id)
  end
  redis.call('ZREM', p .. 'done', id)
end
return #ids
`;
