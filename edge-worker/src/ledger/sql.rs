//! Every SQL statement of the ledger, in one place. Times are Unix milliseconds.
//!
//! An event is taken once (`events.key` is the primary key); each of its destinations is a
//! delivery of its own (`deliveries`, keyed by event and destination), with every attempt in
//! `attempts`.

/// Run when an object starts; idempotent.
pub const SCHEMA: [&str; 8] = [
    "CREATE TABLE IF NOT EXISTS events (
        key TEXT PRIMARY KEY,
        scheme TEXT NOT NULL,
        type TEXT,
        event_id TEXT,
        run_id TEXT,
        received_at INTEGER NOT NULL,
        body BLOB,
        summary TEXT
    )",
    "CREATE INDEX IF NOT EXISTS events_by_time ON events (received_at, key)",
    "CREATE TABLE IF NOT EXISTS deliveries (
        key TEXT NOT NULL,
        destination TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        tries INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER,
        last_status INTEGER,
        last_error TEXT,
        last_duration_ms INTEGER,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (key, destination)
    )",
    "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_at)",
    "CREATE TABLE IF NOT EXISTS attempts (
        key TEXT NOT NULL,
        destination TEXT NOT NULL,
        at INTEGER NOT NULL,
        status INTEGER,
        error TEXT,
        duration_ms INTEGER NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS attempts_by_key ON attempts (key, at)",
    // Replay keys (over the signed body) of deliveries whose key is an unsigned id, and the
    // key each was first seen with.
    "CREATE TABLE IF NOT EXISTS replays (
        key TEXT PRIMARY KEY,
        event_key TEXT NOT NULL,
        received_at INTEGER NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS replays_by_time ON replays (received_at)",
];

/// Claims a replay key for the event key `?2`: the event key it belongs to (`?2` if new).
pub const CLAIM_REPLAY: &str = "INSERT INTO replays (key, event_key, received_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (key) DO UPDATE SET key = key RETURNING event_key";

/// Drops the claim of replay key `?1` by event key `?2` (that event could not be stored).
pub const RELEASE_REPLAY: &str = "DELETE FROM replays WHERE key = ?1 AND event_key = ?2";

/// Takes a key: one row back if this copy is the first, none if the key was taken before.
pub const TAKE: &str = "INSERT INTO events (key, scheme, type, event_id, run_id, received_at, body, summary)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (key) DO NOTHING RETURNING key";

/// Takes an event back (its deliveries, then the event) when storing it failed halfway.
pub const UNTAKE: [&str; 2] = ["DELETE FROM deliveries WHERE key = ?1", "DELETE FROM events WHERE key = ?1"];

/// A new delivery of a taken event, or one made pending again (replay): `?3` is when it is
/// due (for an attempt under way, the end of its lease).
pub const PENDING: &str = "INSERT INTO deliveries (key, destination, status, next_at, updated_at)
    VALUES (?1, ?2, 'pending', ?3, ?4)
    ON CONFLICT (key, destination) DO UPDATE SET
        status = 'pending', tries = 0, next_at = excluded.next_at, updated_at = excluded.updated_at";

/// Moves a delivery's due time (a lease while an attempt is under way).
pub const LEASE: &str = "UPDATE deliveries SET next_at = ?3 WHERE key = ?1 AND destination = ?2";

/// How many attempts the delivery's current round has had.
pub const TRIES: &str = "SELECT tries FROM deliveries WHERE key = ?1 AND destination = ?2";

pub const RECORD_ATTEMPT: &str = "INSERT INTO attempts (key, destination, at, status, error, duration_ms)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// After an attempt: `?3` the new status, `?4` when the next attempt is due.
pub const AFTER_ATTEMPT: &str = "UPDATE deliveries SET
        status = ?3, next_at = ?4, attempts = attempts + 1, tries = tries + 1,
        last_status = ?5, last_error = ?6, last_duration_ms = ?7, updated_at = ?8
    WHERE key = ?1 AND destination = ?2";

/// A delivery that cannot be attempted any more (`?3` says why).
pub const FAIL: &str =
    "UPDATE deliveries SET status = 'failed', next_at = NULL, last_error = ?3, updated_at = ?4
    WHERE key = ?1 AND destination = ?2";

/// What an attempt sends.
pub const PAYLOAD: &str = "SELECT scheme, type, body, summary FROM events WHERE key = ?1";

/// The destinations an event has deliveries for.
pub const DESTINATIONS: &str = "SELECT destination FROM deliveries WHERE key = ?1";

/// Pending deliveries due by `?1`, at most `?2`: each destination's oldest first, then each
/// one's second oldest, and so on, so that many deliveries due to one slow destination never
/// crowd out another's.
pub const DUE: &str = "SELECT key, destination FROM (
        SELECT key, destination, next_at,
            ROW_NUMBER() OVER (PARTITION BY destination ORDER BY next_at) AS nth
        FROM deliveries WHERE status = 'pending' AND next_at <= ?1)
    ORDER BY nth, next_at LIMIT ?2";

/// When the next pending delivery is due, and whether anything is stored at all (1 or 0:
/// `EXISTS` reads one row where a count would read every stored key on each alarm).
pub const NEXT_DUE: &str = "SELECT
    (SELECT MIN(next_at) FROM deliveries WHERE status = 'pending') AS due,
    EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM replays) AS events";

/// The columns every listing shows: one row per (event, destination); an event with no
/// destination shows once, as `recorded`.
const ROW: &str = "SELECT e.key AS key, e.scheme AS scheme, e.type AS type, e.event_id AS eventId,
        e.run_id AS runId, e.received_at AS receivedAt, d.destination AS destination,
        COALESCE(d.status, 'recorded') AS status, COALESCE(d.attempts, 0) AS attempts,
        d.next_at AS nextAt, d.last_status AS lastStatus, d.last_error AS lastError,
        d.last_duration_ms AS lastDurationMs, d.updated_at AS updatedAt
    FROM events e LEFT JOIN deliveries d ON d.key = e.key";

/// Newest first after the cursor `(?2, ?3, ?4)`, optionally of one status `?1`, destination
/// `?6`, scheme `?7` and type `?8`.
pub fn list() -> String {
    format!(
        "{ROW} WHERE (?1 IS NULL OR COALESCE(d.status, 'recorded') = ?1)
            AND (?6 IS NULL OR d.destination = ?6) AND (?7 IS NULL OR e.scheme = ?7)
            AND (?8 IS NULL OR e.type = ?8)
            AND (e.received_at, e.key, COALESCE(d.destination, '')) < (?2, ?3, ?4)
        ORDER BY e.received_at DESC, e.key DESC, COALESCE(d.destination, '') DESC LIMIT ?5"
    )
}

/// One event's rows.
pub fn one() -> String {
    format!("{ROW} WHERE e.key = ?1")
}

pub const ATTEMPTS: &str = "SELECT destination, at, status, error, duration_ms AS durationMs
    FROM attempts WHERE key = ?1 ORDER BY at";

/// Whether the event exists and still has its body.
pub const BODY_KEPT: &str = "SELECT body IS NOT NULL AS kept FROM events WHERE key = ?1";

/// Failed deliveries of events received since `?2`, pending again from `?1`.
pub const RECOVER: &str = "UPDATE deliveries SET status = 'pending', tries = 0, next_at = ?1, updated_at = ?1
    WHERE status = 'failed'
        AND key IN (SELECT key FROM events WHERE received_at >= ?2 AND body IS NOT NULL)
    RETURNING key";

/// Retention: bodies received before `?1` go, unless a delivery still needs them.
pub const PURGE_BODIES: &str = "UPDATE events SET body = NULL WHERE body IS NOT NULL AND received_at < ?1
    AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.key = events.key AND d.status = 'pending')";

/// Keys received before `?1` (the key window, never shorter than the retention) go, with
/// their deliveries and attempts, once their bodies have gone.
pub const PURGE_KEYS: [&str; 4] = [
    "DELETE FROM attempts WHERE key IN (SELECT key FROM events WHERE received_at < ?1 AND body IS NULL)",
    "DELETE FROM deliveries WHERE key IN (SELECT key FROM events WHERE received_at < ?1 AND body IS NULL)",
    "DELETE FROM events WHERE received_at < ?1 AND body IS NULL",
    "DELETE FROM replays WHERE received_at < ?1",
];
