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
  // Versions 8–10 are other branches' (server API fixes, webhooks, OIDC); each version applies once, in order.
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
