/** One schema change. Released migrations are never edited: a fix is a new version. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL,
    totp_secret TEXT,
    totp_enabled INTEGER NOT NULL DEFAULT 0,
    recovery_code_hashes TEXT NOT NULL DEFAULT '[]'
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    user_id TEXT NOT NULL,
    app TEXT NOT NULL,
    mode TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    authenticated_at INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL,
    idle_expires_at INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    idle_timeout_ms INTEGER NOT NULL,
    remember_me INTEGER NOT NULL,
    device TEXT NOT NULL,
    ip_first TEXT,
    ip_last TEXT,
    location_first TEXT,
    location_last TEXT,
    trusted_device_id TEXT,
    refresh TEXT,
    ended_at INTEGER,
    end_reason TEXT,
    end_detail TEXT,
    purge_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_user ON sessions (user_id);
  -- Sweeping reads only what is due: active sessions by their earlier deadline, ended ones by purge time.
  CREATE INDEX sessions_active_deadline ON sessions (min(idle_expires_at, absolute_expires_at)) WHERE ended_at IS NULL;
  CREATE INDEX sessions_purge ON sessions (purge_at) WHERE ended_at IS NOT NULL;
  CREATE TABLE trusted_devices (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX trusted_devices_user ON trusted_devices (user_id);
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    user_id TEXT,
    session_id TEXT,
    ip TEXT,
    reason TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX events_user ON events (user_id, id);
  CREATE INDEX events_session ON events (session_id, id);
  CREATE TABLE counters (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    record TEXT NOT NULL
  );
  `,
  },
  {
    version: 2,
    name: 'partial index of active sessions by user; counter expiry index',
    sql: `
  -- Only active sessions are looked up by user (listing, the concurrent limit, ending them all):
  -- a partial index keeps a week of tombstones out of those lookups.
  DROP INDEX sessions_user;
  CREATE INDEX sessions_user_active ON sessions (user_id, app) WHERE ended_at IS NULL;
  -- The sweep deletes expired counters by walking this, not the whole table.
  CREATE INDEX counters_expiry ON counters (expires_at);
  `,
  },
  {
    version: 3,
    name: 'TOTP replay guard and disabled accounts',
    sql: `
  ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
  ALTER TABLE users ADD COLUMN disabled_at INTEGER;
  `,
  },
  {
    version: 4,
    name: 'trusted devices record when a second factor was checked on them',
    sql: `
  -- NULL for devices trusted before: they must pass the second factor once more to skip it.
  ALTER TABLE trusted_devices ADD COLUMN second_factor_at INTEGER;
  `,
  },
  {
    version: 5,
    name: 'app keys',
    sql: `
  CREATE TABLE app_keys (
    id TEXT PRIMARY KEY,
    app TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL,
    last_used_at INTEGER
  );
  CREATE INDEX app_keys_app ON app_keys (app);
  `,
  },
  {
    version: 6,
    name: 'sessions record the app key that started them',
    sql: `
  ALTER TABLE sessions ADD COLUMN app_key_id TEXT;
  `,
  },
  {
    version: 7,
    name: 'settings',
    sql: `
  CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  },
  {
    version: 8,
    name: 'how a session was authenticated; accounts known by the operator\'s external id',
    sql: `
  -- JSON list of RFC 8176 methods (access tokens' amr); NULL: none seen, or a session from before.
  ALTER TABLE sessions ADD COLUMN auth_methods TEXT;
  -- NULL for accounts not made by external id; SQLite's UNIQUE lets any number of NULLs through.
  ALTER TABLE users ADD COLUMN external_id TEXT;
  CREATE UNIQUE INDEX users_external_id ON users (external_id);
  `,
  },
  {
    version: 9,
    name: 'webhooks and their delivery queue',
    sql: `
  CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  -- seq is the queue's order; a line (webhook_id, order_key) goes out one delivery at a time.
  CREATE TABLE webhook_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    webhook_id TEXT NOT NULL,
    order_key TEXT NOT NULL,
    status TEXT NOT NULL,
    next_attempt_at INTEGER,
    lease_token TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts TEXT NOT NULL
  );
  -- Claiming reads only pending deliveries: due ones, and the head of each one's line.
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE INDEX webhook_deliveries_line ON webhook_deliveries (webhook_id, order_key, seq) WHERE status = 'pending';
  CREATE INDEX webhook_deliveries_of ON webhook_deliveries (webhook_id, seq);
  CREATE INDEX webhook_deliveries_done ON webhook_deliveries (created_at) WHERE status <> 'pending';
  `,
  },
  {
    version: 10,
    name: 'sign-in through identity providers',
    sql: `
  -- The SSO link of a session (JSON, provider tokens sealed); NULL for every other session.
  ALTER TABLE sessions ADD COLUMN sso TEXT;
  CREATE TABLE identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject)
  );
  CREATE INDEX identities_user ON identities (user_id);
  -- Back-channel logout names a provider session (sid): which of ours it started.
  CREATE TABLE provider_sessions (
    issuer TEXT NOT NULL,
    sid TEXT NOT NULL,
    session_id TEXT NOT NULL,
    purge_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, sid, session_id)
  );
  CREATE INDEX provider_sessions_purge ON provider_sessions (purge_at);
  `,
  },
  {
    version: 11,
    name: "sessions record their browser; a session's own data",
    sql: `
  ALTER TABLE sessions ADD COLUMN browser_id TEXT;
  -- Apart from the sessions row, so validating a session (SELECT *) never reads up to 16 KiB of it.
  CREATE TABLE session_data (
    session_id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  -- Forgotten with its session, whichever path deletes the row.
  CREATE TRIGGER session_data_purge AFTER DELETE ON sessions BEGIN
    DELETE FROM session_data WHERE session_id = OLD.id;
  END;
  `,
  },
];
