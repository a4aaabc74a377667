/** Lua scripts for single records: counters, devices, users, second factors, session data, app keys. */

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
