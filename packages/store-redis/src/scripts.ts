/**
 * Lua scripts: each runs atomically in Redis, so check-then-write steps cannot interleave with
 * other nodes. Session bodies are JSON strings that live until their purgeAt (PXAT); the per-user
 * index and the global deadline index hold only sessions that have not ended, scored by deadline.
 * Numbers survive cjson: epoch milliseconds have 13 digits, within its 14-significant-digit output.
 */

// Shared helpers, prepended to each script.
const LIB = `
local function deadline(s) return math.min(s.idleExpiresAt, s.absoluteExpiresAt) end
local function save(key, s) redis.call('SET', key, cjson.encode(s), 'PXAT', math.floor(s.purgeAt)) end
local function endit(key, s, ending, uidx, dl)
  s.endedAt = ending.at; s.endReason = ending.reason; s.endDetail = ending.detail or cjson.null; s.purgeAt = ending.purgeAt
  save(key, s)
  redis.call('ZREM', uidx, s.id)
  redis.call('ZREM', dl, s.id)
  return s
end
`;

/** KEYS: session, user index, deadlines. ARGV: session JSON, limit JSON or "", session key prefix. */
export const CREATE_SESSION = `${LIB}
local s = cjson.decode(ARGV[1])
local evicted = {}
if ARGV[2] ~= '' then
  local limit = cjson.decode(ARGV[2])
  local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. limit.now, '+inf')
  local active = {}
  for _, id in ipairs(ids) do
    local raw = redis.call('GET', ARGV[3] .. id)
    if raw then
      local o = cjson.decode(raw)
      if o.endedAt == cjson.null and o.app == s.app and deadline(o) > limit.now then table.insert(active, o) end
    end
  end
  local excess = #active + 1 - limit.max
  if excess > 0 then
    if limit.onMax == 'reject' then return cjson.encode({ ok = false, active = active }) end
    table.sort(active, function(a, b) return a.createdAt < b.createdAt end)
    for i = 1, excess do table.insert(evicted, endit(ARGV[3] .. active[i].id, active[i], limit.ending, KEYS[2], KEYS[3])) end
  end
end
save(KEYS[1], s)
redis.call('ZADD', KEYS[2], deadline(s), s.id)
redis.call('ZADD', KEYS[3], deadline(s), s.id)
if #evicted == 0 then return '{"ok":true,"evicted":[]}' end
return cjson.encode({ ok = true, evicted = evicted })
`;

/**
 * KEYS: session, deadlines. ARGV: patch JSON, expected refresh hash or "", user index prefix.
 * Returns 1 when applied, 0 when the session is missing, ended, or (with a hash) rotated already.
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
if patch.idleExpiresAt then
  redis.call('ZADD', ARGV[3] .. s.userId, deadline(s), s.id)
  redis.call('ZADD', KEYS[2], deadline(s), s.id)
end
return 1
`;

/** KEYS: session, deadlines. ARGV: ending JSON, user index prefix. Returns the ended session JSON or nil. */
export const END_SESSION = `${LIB}
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
local s = cjson.decode(raw)
if s.endedAt ~= cjson.null then return nil end
return cjson.encode(endit(KEYS[1], s, cjson.decode(ARGV[1]), ARGV[2] .. s.userId, KEYS[2]))
`;

/**
 * KEYS: user index, deadlines. ARGV: ending JSON, filter JSON, session key prefix.
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
      table.insert(out, endit(key, s, ending, KEYS[1], KEYS[2]))
    end
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
if #out == 0 then return '[]' end
return cjson.encode(out)
`;

/**
 * KEYS: session, deadlines. ARGV: now, tombstone TTL, user index prefix. Marks a timed-out session
 * ended at its deadline; returns its JSON, or nil when it is not due (slid meanwhile) or gone.
 */
export const TIME_OUT = `${LIB}
local raw = redis.call('GET', KEYS[1])
if not raw then
  return nil
end
local s = cjson.decode(raw)
local now = tonumber(ARGV[1])
if s.endedAt ~= cjson.null or deadline(s) > now then return nil end
local at = deadline(s)
local reason = 'idle_timeout'
if s.absoluteExpiresAt <= s.idleExpiresAt then reason = 'absolute_timeout' end
local ending = { at = at, reason = reason, detail = cjson.null, purgeAt = at + tonumber(ARGV[2]) }
return cjson.encode(endit(KEYS[1], s, ending, ARGV[3] .. s.userId, KEYS[2]))
`;

/** KEYS: stream, channel. ARGV: event JSON (without id), max length. Appends and publishes. */
export const RECORD_EVENT = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[1])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[1])
return id
`;

/** KEYS: counter. ARGV: ttl ms. */
export const INCREMENT = `
local v = redis.call('INCR', KEYS[1])
if v == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return v
`;
