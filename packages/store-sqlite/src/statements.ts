import type Database from 'better-sqlite3';
import type { SessionPatch } from '@sessiond/core';
import { PatchWriter } from './patch-writer.ts';
import { DEVICE_PATCH_COLUMNS, SESSION_PATCH_COLUMNS, USER_PATCH_COLUMNS, type DevicePatch, type SessionRow, type UserPatch } from './rows.ts';

/** The earlier of the two deadlines; the partial index sessions_active_deadline is on exactly this. */
const DEADLINE = 'min(idle_expires_at, absolute_expires_at)';

const SESSION_COLUMNS: readonly (keyof SessionRow)[] = [
  'id', 'token_hash', 'user_id', 'app', 'mode', 'created_at', 'authenticated_at', 'auth_methods', 'last_active_at', 'idle_expires_at',
  'absolute_expires_at', 'idle_timeout_ms', 'remember_me', 'device', 'ip_first', 'ip_last', 'location_first',
  'location_last', 'trusted_device_id', 'app_key_id', 'browser_id', 'refresh', 'sso', 'ended_at', 'end_reason', 'end_detail', 'purge_at',
];

/** Named here so the emitted .d.ts can name it (better-sqlite3's own type lives in an unexported namespace). */
export interface Statement extends Database.Statement<unknown[], unknown> {}

const END = 'ended_at = @at, end_reason = @reason, end_detail = @detail, purge_at = @purgeAt';

/**
 * Every statement the store runs, prepared once when it opens: preparing costs more than running
 * a lookup by primary key, and the hot path (find, touch) must only bind and step.
 */
export function prepareStatements(db: Database.Database) {
  const sql = (text: string): Statement => db.prepare(text);
  return {
    ping: sql('SELECT 1'),

    insertUser: sql(
      `INSERT INTO users (id, email, password_hash, created_at, password_changed_at, totp_secret, totp_enabled, recovery_code_hashes, totp_last_step, disabled_at, external_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    userById: sql('SELECT * FROM users WHERE id = ?'),
    userByEmail: sql('SELECT * FROM users WHERE email = ?'),
    userByExternalId: sql('SELECT * FROM users WHERE external_id = ?'),
    updateUser: new PatchWriter<UserPatch>(db, USER_PATCH_COLUMNS, (set) => `UPDATE users SET ${set} WHERE id = ?`),
    useTotpStep: sql('UPDATE users SET totp_last_step = @step WHERE id = @id AND (totp_last_step IS NULL OR totp_last_step < @step)'),
    useRecoveryCode: sql(
      `UPDATE users SET recovery_code_hashes = (SELECT json_group_array(value) FROM json_each(users.recovery_code_hashes) WHERE value <> @hash)
       WHERE id = @id AND EXISTS (SELECT 1 FROM json_each(users.recovery_code_hashes) WHERE value = @hash)`,
    ),

    insertSession: sql(`INSERT INTO sessions (${SESSION_COLUMNS.join(', ')}) VALUES (${SESSION_COLUMNS.map((c) => '@' + c).join(', ')})`),
    sessionById: sql('SELECT * FROM sessions WHERE id = ?'),
    /** Active sessions of one user, oldest first: listing, and what the concurrent limit counts. */
    activeOfUser: sql(`SELECT * FROM sessions WHERE user_id = ? AND ended_at IS NULL AND ${DEADLINE} > ? ORDER BY created_at, id`),
    isActive: sql('SELECT 1 FROM sessions WHERE id = ? AND ended_at IS NULL'),
    updateSession: new PatchWriter<SessionPatch>(db, SESSION_PATCH_COLUMNS, (set) => `UPDATE sessions SET ${set} WHERE id = ? AND ended_at IS NULL`),
    // The refresh hash lives inside the JSON column; the row is already found by primary key, so
    // extracting it costs one parse of a short text on a rare path.
    refreshMatches: sql(`SELECT 1 FROM sessions WHERE id = ? AND ended_at IS NULL AND json_extract(refresh, '$.hash') = ?`),
    rotateRefresh: new PatchWriter<SessionPatch>(
      db,
      SESSION_PATCH_COLUMNS,
      (set) => `UPDATE sessions SET ${set} WHERE id = ? AND ended_at IS NULL AND json_extract(refresh, '$.hash') = ?`,
    ),
    /** The condition on ended_at makes the first ending win; RETURNING hands back the record in the same step. */
    endSession: sql(`UPDATE sessions SET ${END} WHERE id = @id AND ended_at IS NULL RETURNING *`),
    endUserSessions: sql(
      `UPDATE sessions SET ${END}
       WHERE user_id = @userId AND ended_at IS NULL
         AND (@exceptId IS NULL OR id <> @exceptId)
         AND (@app IS NULL OR app = @app)
         AND (@trustedDeviceId IS NULL OR trusted_device_id = @trustedDeviceId)
       RETURNING *`,
    ),
    endAllSessions: sql(`UPDATE sessions SET ${END} WHERE ended_at IS NULL`),
    /** Walks the partial deadline index from its low end: reads only what is due (core's timeoutEnding ends each). */
    dueForTimeout: sql(`SELECT * FROM sessions WHERE ended_at IS NULL AND ${DEADLINE} <= @now ORDER BY ${DEADLINE} LIMIT @limit`),
    purgeDue: sql('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE ended_at IS NOT NULL AND purge_at <= ? ORDER BY purge_at LIMIT ?)'),
    purgeCounters: sql('DELETE FROM counters WHERE key IN (SELECT key FROM counters WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)'),

    readSessionData: sql('SELECT data, version FROM session_data WHERE session_id = ?'),
    insertSessionData: sql(
      `INSERT INTO session_data (session_id, data, version)
       SELECT @id, @data, 1 WHERE EXISTS (SELECT 1 FROM sessions WHERE id = @id AND ended_at IS NULL)
       ON CONFLICT (session_id) DO NOTHING`,
    ),
    updateSessionData: sql(
      `UPDATE session_data SET data = @data, version = version + 1
       WHERE session_id = @id AND version = @expected AND EXISTS (SELECT 1 FROM sessions WHERE id = @id AND ended_at IS NULL)`,
    ),

    insertDevice: sql('INSERT INTO trusted_devices (id, user_id, secret_hash, label, created_at, last_used_at, expires_at, second_factor_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    deviceById: sql('SELECT * FROM trusted_devices WHERE id = ?'),
    updateDevice: new PatchWriter<DevicePatch>(db, DEVICE_PATCH_COLUMNS, (set) => `UPDATE trusted_devices SET ${set} WHERE id = ?`),
    devicesOfUser: sql('SELECT * FROM trusted_devices WHERE user_id = ? AND expires_at > ? ORDER BY last_used_at DESC'),
    deleteDevice: sql('DELETE FROM trusted_devices WHERE id = ? AND user_id = ?'),

    insertEvent: sql('INSERT INTO events (type, at, user_id, session_id, ip, reason, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),

    incrementCounter: sql(
      `INSERT INTO counters (key, value, expires_at) VALUES (@key, 1, @expiresAt)
       ON CONFLICT (key) DO UPDATE SET
         value = CASE WHEN expires_at <= @now THEN 1 ELSE value + 1 END,
         expires_at = CASE WHEN expires_at <= @now THEN excluded.expires_at ELSE expires_at END
       RETURNING value`,
    ),
    decrementCounter: sql('UPDATE counters SET value = value - 1 WHERE key = ? AND expires_at > ? AND value > 0'),
    resetCounter: sql('DELETE FROM counters WHERE key = ?'),
    peekCounter: sql('SELECT value FROM counters WHERE key = ? AND expires_at > ?'),

    signingKeys: sql('SELECT record FROM signing_keys'),
    saveSigningKey: sql('INSERT INTO signing_keys (kid, record) VALUES (?, ?) ON CONFLICT (kid) DO UPDATE SET record = excluded.record'),

    claimSetting: sql('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
    setting: sql('SELECT value FROM settings WHERE name = ?'),

    insertAppKey: sql('INSERT INTO app_keys (id, app, secret_hash, record, last_used_at) VALUES (?, ?, ?, ?, ?)'),
    appKeysOf: sql('SELECT record, last_used_at FROM app_keys WHERE app = ? ORDER BY rowid'),
    appKeyByHash: sql('SELECT record, last_used_at FROM app_keys WHERE secret_hash = ?'),
    deleteAppKey: sql('DELETE FROM app_keys WHERE id = ? AND app = ?'),
    touchAppKey: sql('UPDATE app_keys SET last_used_at = ? WHERE id = ?'),

    linkIdentity: sql('INSERT INTO identities (issuer, subject, user_id, provider, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (issuer, subject) DO NOTHING'),
    identity: sql('SELECT issuer, subject, user_id, provider, created_at FROM identities WHERE issuer = ? AND subject = ?'),
    addProviderSession: sql('INSERT INTO provider_sessions (issuer, sid, session_id, purge_at) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET purge_at = excluded.purge_at'),
    providerSessions: sql('SELECT session_id FROM provider_sessions WHERE issuer = ? AND sid = ? AND purge_at > ?'),
    purgeProviderSessions: sql('DELETE FROM provider_sessions WHERE rowid IN (SELECT rowid FROM provider_sessions WHERE purge_at <= ? ORDER BY purge_at LIMIT 100)'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
