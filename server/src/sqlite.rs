//! The SQLite change store: one file, one connection, every call on a blocking thread.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use domain::ids::{DocId, SalonId};
use domain::wire::{Position, SeqChange, WireChange};
use futures::future::BoxFuture;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::AppError;
use crate::store::{ChangeStore, PushOutcome};

/// The schema this code writes, kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 3;

const SCHEMA: &str = "
    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        salon TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        change_hash BLOB NOT NULL,
        bytes BLOB NOT NULL,
        received_at INTEGER NOT NULL,
        UNIQUE (salon, doc_id, change_hash)
    );
    CREATE INDEX changes_by_salon_seq ON changes (salon, seq);
";

/// Version 2: photo blobs, per salon, by SHA-256.
const SCHEMA_2: &str = "
    CREATE TABLE blobs (
        salon TEXT NOT NULL,
        hash BLOB NOT NULL,
        bytes BLOB NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (salon, hash)
    );
";

/// Version 3: the id of each salon's key (the first device's claim; never the key itself).
const SCHEMA_3: &str = "
    CREATE TABLE salon_keys (
        salon TEXT PRIMARY KEY,
        key_id BLOB NOT NULL,
        claimed_at INTEGER NOT NULL
    );
";

/// A [`ChangeStore`] in one SQLite file.
///
/// A single connection behind a mutex is enough: the relay's writes are small and serialised
/// anyway, and SQLite allows only one writer at a time.
pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens or creates the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, AppError> {
        let mut connection = Connection::open(path)?;
        // WAL lets readers of the file (backups, an operator's sqlite3 shell) work alongside
        // the relay. FULL synchronisation: a push is acknowledged (and the device drops it from
        // its outbox) only once it would survive a power cut, not just a crash of the relay.
        let mode: String = connection.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(AppError::Storage(format!("SQLite refused WAL mode (got {mode})").into()));
        }
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.busy_timeout(Duration::from_secs(5))?;
        migrate(&mut connection)?;
        Ok(SqliteStore { connection: Arc::new(Mutex::new(connection)) })
    }

    /// Runs `work` on the connection on a blocking thread, so the async workers never wait
    /// for the disk.
    fn run<T, F>(&self, work: F) -> BoxFuture<'static, Result<T, AppError>>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, AppError> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                // A panic while holding the lock cannot leave a half-done write behind: every
                // write is one transaction, rolled back when its guard is dropped.
                let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
                work(&mut connection)
            })
            .await?
        })
    }
}

fn migrate(connection: &mut Connection) -> Result<(), AppError> {
    let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    match version {
        0..=2 => {
            // All steps in one transaction: a crash leaves the file at the old version.
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if version == 0 {
                transaction.execute_batch(SCHEMA)?;
            }
            if version <= 1 {
                transaction.execute_batch(SCHEMA_2)?;
            }
            transaction.execute_batch(SCHEMA_3)?;
            transaction.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            transaction.commit()?;
            Ok(())
        }
        SCHEMA_VERSION => Ok(()),
        newer => Err(AppError::Storage(
            format!("the database has schema version {newer}; this relay knows only up to {SCHEMA_VERSION}").into(),
        )),
    }
}

/// SQLite integers are signed; sequence numbers never come near the sign bit, so a larger
/// value can only be a cursor past every row.
fn to_sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn from_sql_seq(value: i64) -> Result<u64, AppError> {
    u64::try_from(value).map_err(|_| AppError::corrupt("negative sequence number"))
}

fn head_of(connection: &Connection, salon: &str) -> Result<u64, AppError> {
    let head: i64 =
        connection.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes WHERE salon = ?1", params![salon], |row| {
            row.get(0)
        })?;
    from_sql_seq(head)
}

fn push_changes(
    connection: &mut Connection,
    salon: &str,
    changes: &[WireChange],
    received_at: i64,
) -> Result<PushOutcome, AppError> {
    // IMMEDIATE takes the write lock up front, so the transaction cannot fail half-way
    // because another writer got there first.
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut seqs = Vec::with_capacity(changes.len());
    let mut inserted = 0;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO changes (salon, doc_id, change_hash, bytes, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (salon, doc_id, change_hash) DO NOTHING
             RETURNING seq",
        )?;
        let mut existing = transaction
            .prepare_cached("SELECT seq FROM changes WHERE salon = ?1 AND doc_id = ?2 AND change_hash = ?3")?;
        for change in changes {
            let doc = change.doc.as_str();
            let hash = change.hash.as_slice();
            let new_seq: Option<i64> =
                insert.query_row(params![salon, doc, hash, change.bytes, received_at], |row| row.get(0)).optional()?;
            let seq = match new_seq {
                Some(seq) => {
                    inserted += 1;
                    seq
                }
                None => existing.query_row(params![salon, doc, hash], |row| row.get(0))?,
            };
            seqs.push(from_sql_seq(seq)?);
        }
    }
    let head = head_of(&transaction, salon)?;
    transaction.commit()?;
    Ok(PushOutcome { seqs, inserted, head })
}

fn pull_changes(
    connection: &mut Connection,
    salon: &str,
    since: u64,
    limit: u32,
    max_bytes: usize,
) -> Result<(Vec<SeqChange>, u64), AppError> {
    // One read transaction, so the head cannot be older than the page.
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
    let mut changes = Vec::new();
    {
        let mut select = transaction.prepare_cached(
            "SELECT seq, doc_id, change_hash, bytes FROM changes
             WHERE salon = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let mut rows = select.query(params![salon, to_sql_int(since), i64::from(limit)])?;
        let mut page_bytes = 0usize;
        while let Some(row) = rows.next()? {
            let bytes: Vec<u8> = row.get(3)?;
            page_bytes = page_bytes.saturating_add(bytes.len());
            if !changes.is_empty() && page_bytes > max_bytes {
                break;
            }
            let doc: String = row.get(1)?;
            let hash: Vec<u8> = row.get(2)?;
            changes.push(SeqChange {
                seq: from_sql_seq(row.get(0)?)?,
                doc: DocId::parse(&doc).map_err(|_| AppError::corrupt("malformed document id"))?,
                hash: hash.try_into().map_err(|_| AppError::corrupt("change hash is not 32 bytes"))?,
                bytes,
            });
        }
    }
    let head = head_of(&transaction, salon)?;
    transaction.commit()?;
    Ok((changes, head))
}

impl ChangeStore for SqliteStore {
    fn push(
        &self,
        salon: SalonId,
        changes: Vec<WireChange>,
        received_at_ms: u64,
    ) -> BoxFuture<'_, Result<PushOutcome, AppError>> {
        self.run(move |connection| push_changes(connection, salon.as_str(), &changes, to_sql_int(received_at_ms)))
    }

    fn pull(
        &self,
        salon: SalonId,
        since: u64,
        limit: u32,
        max_bytes: usize,
    ) -> BoxFuture<'_, Result<(Vec<SeqChange>, u64), AppError>> {
        self.run(move |connection| pull_changes(connection, salon.as_str(), since, limit, max_bytes))
    }

    fn head(&self, salon: SalonId) -> BoxFuture<'_, Result<u64, AppError>> {
        self.run(move |connection| head_of(connection, salon.as_str()))
    }

    fn position(&self, salon: SalonId, seq: u64) -> BoxFuture<'_, Result<Option<Position>, AppError>> {
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let hash: Option<Vec<u8>> = transaction
                .query_row(
                    "SELECT change_hash FROM changes WHERE salon = ?1 AND seq = ?2",
                    params![salon.as_str(), to_sql_int(seq)],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(hash) = hash else { return Ok(None) };
            let read: i64 = transaction.query_row(
                "SELECT COUNT(*) FROM changes WHERE salon = ?1 AND seq <= ?2",
                params![salon.as_str(), to_sql_int(seq)],
                |row| row.get(0),
            )?;
            transaction.commit()?;
            let hash = hash.try_into().map_err(|_| AppError::corrupt("change hash is not 32 bytes"))?;
            let read = u64::try_from(read).map_err(|_| AppError::corrupt("negative count"))?;
            Ok(Some(Position { seq, hash, read }))
        })
    }

    fn salon_key(&self, salon: SalonId) -> BoxFuture<'_, Result<Option<[u8; 16]>, AppError>> {
        self.run(move |connection| {
            let id: Option<Vec<u8>> = connection
                .query_row("SELECT key_id FROM salon_keys WHERE salon = ?1", params![salon.as_str()], |row| row.get(0))
                .optional()?;
            id.map(|id| id.try_into().map_err(|_| AppError::corrupt("key id is not 16 bytes"))).transpose()
        })
    }

    fn claim_key(&self, salon: SalonId, id: [u8; 16], claimed_at_ms: u64) -> BoxFuture<'_, Result<[u8; 16], AppError>> {
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            transaction.execute(
                "INSERT OR IGNORE INTO salon_keys (salon, key_id, claimed_at) VALUES (?1, ?2, ?3)",
                params![salon.as_str(), &id[..], to_sql_int(claimed_at_ms)],
            )?;
            let stored: Vec<u8> = transaction.query_row(
                "SELECT key_id FROM salon_keys WHERE salon = ?1",
                params![salon.as_str()],
                |row| row.get(0),
            )?;
            transaction.commit()?;
            stored.try_into().map_err(|_| AppError::corrupt("key id is not 16 bytes"))
        })
    }

    fn put_blob(
        &self,
        salon: SalonId,
        hash: [u8; 32],
        bytes: Vec<u8>,
        received_at_ms: u64,
    ) -> BoxFuture<'_, Result<(), AppError>> {
        self.run(move |connection| {
            connection.execute(
                "INSERT OR IGNORE INTO blobs (salon, hash, bytes, received_at) VALUES (?1, ?2, ?3, ?4)",
                params![salon.as_str(), &hash[..], bytes, to_sql_int(received_at_ms)],
            )?;
            Ok(())
        })
    }

    fn get_blob(&self, salon: SalonId, hash: [u8; 32]) -> BoxFuture<'_, Result<Option<Vec<u8>>, AppError>> {
        self.run(move |connection| {
            Ok(connection
                .query_row(
                    "SELECT bytes FROM blobs WHERE salon = ?1 AND hash = ?2",
                    params![salon.as_str(), &hash[..]],
                    |row| row.get(0),
                )
                .optional()?)
        })
    }
}
