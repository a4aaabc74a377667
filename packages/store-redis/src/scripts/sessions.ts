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
