/*
 * Webhook deliveries. Every key shares the audit stream's slot (keys.ts `deliveries`), so one script
 * records an event and queues its deliveries. A delivery is a
 * JSON string `d:<id>`; each line (webhook, orderKey) is a list of its pending ids in queue order;
 * `ready` scores each non-empty line by when its head may be taken: its nextAttemptAt, or while
 * leased the lease's end, so a node that died leaves it to the next claim after that. `of:<webhook>`
 * lists a webhook's deliveries by a queue counter; `done` holds finished ones by createdAt.
 * cjson turns an empty list into {}: the reader in webhooks.ts reads both as [].
 */

/**
 * The queue's own helpers: queueing one delivery (ENQUEUE_DELIVERIES, RECORD_EVENT), checking a
 * key's type before the first write, and core's `deliveryId` (SHA-256, base64url) in Lua, since
 * the id of a delivery queued with its event depends on the event's id, which only the script knows.
 */
const QUEUE_LIB = `
local function kind(key, expected)
  local t = redis.call('TYPE', key).ok
  if t ~= 'none' and t ~= expected then error('WRONGTYPE ' .. key .. ' holds a ' .. t .. ', not a ' .. expected) end
end
local function enqueue(p, d, json)
  if not redis.call('SET', p .. 'd:' .. d.id, json, 'NX') then return 0 end
  local line = d.webhookId .. '\\n' .. d.orderKey
  if redis.call('RPUSH', p .. 'line:' .. line, d.id) == 1 then redis.call('ZADD', p .. 'ready', d.nextAttemptAt, line) end
  redis.call('ZADD', p .. 'of:' .. d.webhookId, redis.call('INCR', p .. 'seq'), d.id)
  return 1
end
local band, bor, bxor, bnot, rshift, lshift, ror, tobit = bit.band, bit.bor, bit.bxor, bit.bnot, bit.rshift, bit.lshift, bit.ror, bit.tobit
local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
local function sha256(msg)
  local h = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
  local bits = #msg * 8
  msg = msg .. string.char(128) .. string.rep(string.char(0), (55 - #msg) % 64) .. string.char(0, 0, 0, 0, band(rshift(bits, 24), 255), band(rshift(bits, 16), 255), band(rshift(bits, 8), 255), band(bits, 255))
  for i = 1, #msg, 64 do
    local w = {}
    for j = 0, 15 do
      local a, b, c, d = string.byte(msg, i + j * 4, i + j * 4 + 3)
      w[j] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
    end
    for j = 16, 63 do
      local x, y = w[j - 15], w[j - 2]
      w[j] = tobit(w[j - 16] + bxor(ror(x, 7), ror(x, 18), rshift(x, 3)) + w[j - 7] + bxor(ror(y, 17), ror(y, 19), rshift(y, 10)))
    end
    local a, b, c, d, e, f, g, hh = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
    for j = 0, 63 do
      local t1 = tobit(hh + bxor(ror(e, 6), ror(e, 11), ror(e, 25)) + bxor(band(e, f), band(bnot(e), g)) + K[j + 1] + w[j])
      local t2 = tobit(bxor(ror(a, 2), ror(a, 13), ror(a, 22)) + bxor(band(a, b), band(a, c), band(b, c)))
      hh, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + t2)
    end
    local sums = { a, b, c, d, e, f, g, hh }
    for j = 1, 8 do h[j] = tobit(h[j] + sums[j]) end
  end
  local out = {}
  for j = 1, 8 do out[j] = string.char(band(rshift(h[j], 24), 255), band(rshift(h[j], 16), 255), band(rshift(h[j], 8), 255), band(h[j], 255)) end
  return table.concat(out)
end
local B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
local function base64url(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = string.byte(s, i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = 2 + (b and 1 or 0) + (c and 1 or 0)
    for k = 0, chars - 1 do
      local v = math.floor(n / 2 ^ (18 - 6 * k)) % 64
      out[#out + 1] = string.sub(B64, v + 1, v + 1)
    end
  end
  return table.concat(out)
end
local function deliveryId(webhookId, eventId)
  return 'msg_' .. string.sub(base64url(sha256(webhookId .. '\\n' .. eventId)), 1, 27)
end
`;

/**
 * KEYS: stream, the delivery-queue prefix (the same slot: keys.ts). ARGV: channel, event JSON
 * (without id), max length, then the event's delivery drafts (JSON, `DeliveryDraft`). Appends, queues
 * each draft completed with the new id (as core's `completeDelivery`), then tells the subscribers
 * the new id (they read the event from the stream, in order). Redis does not undo a script that
 * fails half-way, so every key it will write is checked first: it writes all of it or nothing.
 */
export const RECORD_EVENT = `${QUEUE_LIB}
local p = KEYS[2]
local drafts = {}
for i = 4, #ARGV do drafts[#drafts + 1] = cjson.decode(ARGV[i]) end
kind(KEYS[1], 'stream')
if #drafts > 0 then
  kind(p .. 'ready', 'zset'); kind(p .. 'seq', 'string')
  for _, d in ipairs(drafts) do
    kind(p .. 'of:' .. d.webhookId, 'zset')
    if type(d.sessionId) == 'string' and d.sessionId ~= '' then kind(p .. 'line:' .. d.webhookId .. '\\ns:' .. d.sessionId, 'list') end
  end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[2])
for _, d in ipairs(drafts) do
  local orderKey = 'e:' .. id
  if type(d.sessionId) == 'string' and d.sessionId ~= '' then orderKey = 's:' .. d.sessionId end
  local delivery = { id = deliveryId(d.webhookId, id), webhookId = d.webhookId, eventId = id, type = d.type, orderKey = orderKey,
    body = d.bodyBefore .. id .. d.bodyAfter, createdAt = d.createdAt, status = 'pending', attempts = {}, nextAttemptAt = d.createdAt, lease = cjson.null }
  enqueue(p, delivery, cjson.encode(delivery))
end
redis.call('PUBLISH', ARGV[1], id)
return id
`;

/** KEYS[1] the queue's key prefix. ARGV: delivery JSONs. Returns how many were new. */
export const ENQUEUE_DELIVERIES = `${QUEUE_LIB}
local added = 0
for i = 1, #ARGV do added = added + enqueue(KEYS[1], cjson.decode(ARGV[i]), ARGV[i]) end
return added
`;

/**
 * KEYS[1] the queue's key prefix. ARGV[1] a delivery as the queue of the release before kept it,
 * under another prefix: queued again as it stands (finished, pending, or leased until its lease's end).
 */
export const IMPORT_DELIVERY = `
local p = KEYS[1]
local d = cjson.decode(ARGV[1])
if not redis.call('SET', p .. 'd:' .. d.id, ARGV[1], 'NX') then return 0 end
redis.call('ZADD', p .. 'of:' .. d.webhookId, redis.call('INCR', p .. 'seq'), d.id)
if d.status ~= 'pending' then
  redis.call('ZADD', p .. 'done', d.createdAt, d.id)
  return 1
end
local line = d.webhookId .. '\\n' .. d.orderKey
if redis.call('RPUSH', p .. 'line:' .. line, d.id) == 1 then
  local at = d.nextAttemptAt
  if d.lease ~= cjson.null and d.lease['until'] > at then at = d.lease['until'] end
  redis.call('ZADD', p .. 'ready', at, line)
end
return 1
`;

/** KEYS[1] the queue's key prefix. ARGV: now, token, lease ms, limit. Returns the leased deliveries as a JSON list. */
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

/** KEYS[1] the queue's key prefix. ARGV: id, token, outcome JSON. Returns 1 when written (the token held the lease). */
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

/** KEYS[1] the queue's key prefix. ARGV: before, limit. Forgets finished deliveries queued before the cut-off. */
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
