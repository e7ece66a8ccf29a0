//! The SQLite change store: one file, one connection, every call on a blocking thread.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use domain::ids::{DocId, SalonId};
use domain::staff::Role;
use domain::wire::{DeviceInfo, Position, Rotation, SeqChange, WireChange};
use futures::future::BoxFuture;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::AppError;
use crate::store::{BlobPut, ChangeStore, KnownDevice, NewInvite, Pass, PushOutcome, Revoked};

/// The schema this code writes, kept in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 6;

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

/// Version 4: each device with its own token (only its SHA-256 is kept), and single-use
/// invites (only their SHA-256 too).
const SCHEMA_4: &str = "
    CREATE TABLE devices (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        salon TEXT NOT NULL,
        token_hash BLOB NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        paired_at INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE INDEX devices_by_salon ON devices (salon);
    CREATE TABLE invites (
        hash BLOB PRIMARY KEY,
        salon TEXT NOT NULL,
        role TEXT NOT NULL,
        name TEXT NOT NULL,
        made_by INTEGER,
        expires_at INTEGER NOT NULL,
        used_by INTEGER
    );
";

/// Version 5: each device's public key, the salon key's epoch, and the new keys sealed to
/// each device after a rotation.
const SCHEMA_5: &str = "
    ALTER TABLE devices ADD COLUMN public_key BLOB;
    ALTER TABLE salon_keys ADD COLUMN epoch INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE key_grants (
        salon TEXT NOT NULL,
        device INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        sealed BLOB NOT NULL,
        PRIMARY KEY (salon, device, epoch)
    );
";

/// Version 6: erased documents and blobs (PIPL art. 47). Only ids and keyed names: an erased
/// change keeps its row (its number and hash) with no bytes.
const SCHEMA_6: &str = "
    CREATE TABLE erased_docs (
        salon TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        erased_at INTEGER NOT NULL,
        PRIMARY KEY (salon, doc_id)
    );
    CREATE TABLE erased_blobs (
        salon TEXT NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (salon, hash)
    );
";

/// The hash of the empty change that tells devices a document was erased. No real change
/// hashes to it (it is not the SHA-256 of anything sealed).
const ERASED_MARKER: [u8; 32] = [0; 32];

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
        // Deleted content is overwritten with zeros, so an erased customer's sealed changes
        // and photos do not linger in free pages of the file.
        connection.pragma_update(None, "secure_delete", "ON")?;
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
        0..=5 => {
            // All steps in one transaction: a crash leaves the file at the old version.
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if version == 0 {
                transaction.execute_batch(SCHEMA)?;
            }
            if version <= 1 {
                transaction.execute_batch(SCHEMA_2)?;
            }
            if version <= 2 {
                transaction.execute_batch(SCHEMA_3)?;
            }
            if version <= 3 {
                transaction.execute_batch(SCHEMA_4)?;
            }
            if version <= 4 {
                transaction.execute_batch(SCHEMA_5)?;
            }
            transaction.execute_batch(SCHEMA_6)?;
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
    room: u64,
) -> Result<Option<PushOutcome>, AppError> {
    // IMMEDIATE takes the write lock up front, so the transaction cannot fail half-way
    // because another writer got there first.
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut seqs = Vec::with_capacity(changes.len());
    let mut inserted = 0;
    let mut inserted_bytes = 0u64;
    {
        let mut insert = transaction.prepare_cached(
            "INSERT INTO changes (salon, doc_id, change_hash, bytes, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (salon, doc_id, change_hash) DO NOTHING
             RETURNING seq",
        )?;
        let mut existing = transaction
            .prepare_cached("SELECT seq FROM changes WHERE salon = ?1 AND doc_id = ?2 AND change_hash = ?3")?;
        let mut erased = transaction.prepare_cached("SELECT 1 FROM erased_docs WHERE salon = ?1 AND doc_id = ?2")?;
        for change in changes {
            let doc = change.doc.as_str();
            let hash = change.hash.as_slice();
            // A device that was offline when she was erased still pushes her changes: their
            // row is kept (the device's receipt points at it), their bytes are not.
            let bytes: &[u8] = if erased.exists(params![salon, doc])? { &[] } else { &change.bytes };
            let new_seq: Option<i64> =
                insert.query_row(params![salon, doc, hash, bytes, received_at], |row| row.get(0)).optional()?;
            let seq = match new_seq {
                Some(seq) => {
                    inserted += 1;
                    inserted_bytes += bytes.len() as u64;
                    seq
                }
                None => existing.query_row(params![salon, doc, hash], |row| row.get(0))?,
            };
            seqs.push(from_sql_seq(seq)?);
        }
    }
    if inserted_bytes > room {
        // Dropping the transaction rolls it back: nothing of the push is stored.
        return Ok(None);
    }
    let head = head_of(&transaction, salon)?;
    transaction.commit()?;
    Ok(Some(PushOutcome { seqs, inserted, inserted_bytes, head }))
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

const DEVICE_COLUMNS: &str = "id, name, role, paired_at, last_seen, revoked_at, public_key";

type DeviceRow = (i64, String, String, i64, i64, Option<i64>, Option<Vec<u8>>);

/// A `devices` row selected with [`DEVICE_COLUMNS`].
fn device_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
}

fn known_device(row: DeviceRow) -> Result<KnownDevice, AppError> {
    let (id, name, role, paired_at, last_seen, revoked_at, public) = row;
    // A device paired before public keys were kept has none: it is sent no new key.
    let public =
        public.map(|p| p.try_into().map_err(|_| AppError::corrupt("public key is not 32 bytes"))).transpose()?;
    let role = Role::parse(&role);
    if role == Role::Unset {
        return Err(AppError::corrupt("a device without a role"));
    }
    let non_negative = |value: i64| u64::try_from(value).map_err(|_| AppError::corrupt("negative device field"));
    Ok(KnownDevice {
        info: DeviceInfo {
            id: non_negative(id)?,
            name,
            role,
            paired_at_ms: non_negative(paired_at)?,
            last_seen_ms: non_negative(last_seen)?,
            public: public.unwrap_or([0; 32]),
        },
        revoked: revoked_at.is_some(),
    })
}

fn device_by_token(connection: &Connection, salon: &str, token_hash: &[u8]) -> Result<Option<KnownDevice>, AppError> {
    let row = connection
        .query_row(
            &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE salon = ?1 AND token_hash = ?2"),
            params![salon, token_hash],
            device_row,
        )
        .optional()?;
    row.map(known_device).transpose()
}

fn pair_device(
    connection: &mut Connection,
    salon: &str,
    pass: Pass,
    token_hash: &[u8; 32],
    public: &[u8; 32],
    now: i64,
) -> Result<Option<DeviceInfo>, AppError> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (role, name, invite) = match pass {
        Pass::Setup => {
            let devices: i64 =
                transaction
                    .query_row("SELECT COUNT(*) FROM devices WHERE salon = ?1", params![salon], |row| row.get(0))?;
            if devices > 0 {
                // The first device's retry with its own token still gets it back.
                let again = device_by_token(&transaction, salon, token_hash)?;
                return Ok(again.filter(|d| !d.revoked && d.info.role == Role::Owner && devices == 1).map(|d| d.info));
            }
            (Role::Owner.key().to_owned(), String::new(), None)
        }
        Pass::Invite(hash) => {
            let invite: Option<(String, String, i64, Option<i64>)> = transaction
                .query_row(
                    "SELECT role, name, expires_at, used_by FROM invites WHERE hash = ?1 AND salon = ?2",
                    params![&hash[..], salon],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?;
            let Some((role, name, expires_at, used_by)) = invite else { return Ok(None) };
            if let Some(used_by) = used_by {
                let again = device_by_token(&transaction, salon, token_hash)?;
                return Ok(again.filter(|d| !d.revoked && to_sql_int(d.info.id) == used_by).map(|d| d.info));
            }
            if expires_at < now {
                return Ok(None);
            }
            (role, name, Some(hash))
        }
    };
    if device_by_token(&transaction, salon, token_hash)?.is_some() {
        // A token is made fresh for each pairing; one already known is not this device's.
        return Ok(None);
    }
    let id: i64 = transaction.query_row(
        "INSERT INTO devices (salon, token_hash, name, role, paired_at, last_seen, public_key)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6) RETURNING id",
        params![salon, &token_hash[..], name, role, now, &public[..]],
        |row| row.get(0),
    )?;
    if let Some(hash) = invite {
        transaction.execute("UPDATE invites SET used_by = ?1 WHERE hash = ?2", params![id, &hash[..]])?;
    }
    let paired = device_by_token(&transaction, salon, token_hash)?.ok_or_else(|| AppError::corrupt("paired device"))?;
    transaction.commit()?;
    Ok(Some(paired.info))
}

impl ChangeStore for SqliteStore {
    fn push(
        &self,
        salon: SalonId,
        changes: Vec<WireChange>,
        received_at_ms: u64,
    ) -> BoxFuture<'_, Result<PushOutcome, AppError>> {
        self.run(move |connection| {
            push_changes(connection, salon.as_str(), &changes, to_sql_int(received_at_ms), u64::MAX)?
                .ok_or_else(|| AppError::Storage("a push without a quota went over it".into()))
        })
    }

    fn push_within(
        &self,
        salon: SalonId,
        changes: Vec<WireChange>,
        received_at_ms: u64,
        room: u64,
    ) -> BoxFuture<'_, Result<Option<PushOutcome>, AppError>> {
        self.run(move |connection| push_changes(connection, salon.as_str(), &changes, to_sql_int(received_at_ms), room))
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
        room: u64,
    ) -> BoxFuture<'_, Result<BlobPut, AppError>> {
        self.run(move |connection| {
            let salon = salon.as_str();
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Stored before, or an erased customer's photo uploaded again by a device that was
            // offline then: acknowledged, and nothing more is kept.
            let known: bool = transaction.query_row(
                "SELECT EXISTS (SELECT 1 FROM blobs WHERE salon = ?1 AND hash = ?2)
                     OR EXISTS (SELECT 1 FROM erased_blobs WHERE salon = ?1 AND hash = ?2)",
                params![salon, &hash[..]],
                |row| row.get(0),
            )?;
            if known {
                return Ok(BlobPut::Kept);
            }
            if bytes.len() as u64 > room {
                return Ok(BlobPut::NoRoom);
            }
            transaction.execute(
                "INSERT INTO blobs (salon, hash, bytes, received_at) VALUES (?1, ?2, ?3, ?4)",
                params![salon, &hash[..], bytes, to_sql_int(received_at_ms)],
            )?;
            transaction.commit()?;
            Ok(BlobPut::Stored)
        })
    }

    fn usage(&self, salon: SalonId) -> BoxFuture<'_, Result<u64, AppError>> {
        self.run(move |connection| {
            // LENGTH of a blob is read from the row's header, not by loading the bytes.
            let bytes: i64 = connection.query_row(
                "SELECT (SELECT COALESCE(SUM(LENGTH(bytes)), 0) FROM changes WHERE salon = ?1)
                      + (SELECT COALESCE(SUM(LENGTH(bytes)), 0) FROM blobs WHERE salon = ?1)",
                params![salon.as_str()],
                |row| row.get(0),
            )?;
            Ok(u64::try_from(bytes).unwrap_or(0))
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

    fn device(
        &self,
        salon: SalonId,
        token_hash: [u8; 32],
        seen_at_ms: u64,
    ) -> BoxFuture<'_, Result<Option<KnownDevice>, AppError>> {
        self.run(move |connection| {
            connection.execute(
                "UPDATE devices SET last_seen = ?3 WHERE salon = ?1 AND token_hash = ?2 AND revoked_at IS NULL",
                params![salon.as_str(), &token_hash[..], to_sql_int(seen_at_ms)],
            )?;
            device_by_token(connection, salon.as_str(), &token_hash)
        })
    }

    fn pair(
        &self,
        salon: SalonId,
        pass: Pass,
        token_hash: [u8; 32],
        public: [u8; 32],
        now_ms: u64,
    ) -> BoxFuture<'_, Result<Option<DeviceInfo>, AppError>> {
        self.run(move |connection| {
            pair_device(connection, salon.as_str(), pass, &token_hash, &public, to_sql_int(now_ms))
        })
    }

    fn create_invite(&self, salon: SalonId, invite: NewInvite) -> BoxFuture<'_, Result<(), AppError>> {
        self.run(move |connection| {
            connection.execute(
                "INSERT INTO invites (hash, salon, role, name, made_by, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    &invite.hash[..],
                    salon.as_str(),
                    invite.role.key(),
                    invite.name,
                    invite.made_by.map(to_sql_int),
                    to_sql_int(invite.expires_at_ms)
                ],
            )?;
            Ok(())
        })
    }

    fn devices(&self, salon: SalonId) -> BoxFuture<'_, Result<Vec<DeviceInfo>, AppError>> {
        self.run(move |connection| {
            let mut select = connection.prepare_cached(&format!(
                "SELECT {DEVICE_COLUMNS} FROM devices WHERE salon = ?1 AND revoked_at IS NULL ORDER BY id"
            ))?;
            let rows = select.query_map(params![salon.as_str()], device_row)?;
            rows.map(|row| known_device(row?).map(|d| d.info)).collect()
        })
    }

    fn revoke(
        &self,
        salon: SalonId,
        device: u64,
        rotation: Option<Rotation>,
        revoked_at_ms: u64,
    ) -> BoxFuture<'_, Result<Revoked, AppError>> {
        self.run(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let changed = transaction.execute(
                "UPDATE devices SET revoked_at = ?3 WHERE salon = ?1 AND id = ?2 AND revoked_at IS NULL",
                params![salon.as_str(), to_sql_int(device), to_sql_int(revoked_at_ms)],
            )?;
            if changed != 1 {
                return Ok(Revoked::NoSuchDevice);
            }
            if let Some(rotation) = rotation {
                let epoch: Option<i64> = transaction
                    .query_row("SELECT epoch FROM salon_keys WHERE salon = ?1", params![salon.as_str()], |row| {
                        row.get(0)
                    })
                    .optional()?;
                if epoch != Some(i64::from(rotation.epoch) - 1) {
                    return Ok(Revoked::StaleRotation);
                }
                transaction.execute(
                    "UPDATE salon_keys SET key_id = ?2, epoch = ?3, claimed_at = ?4 WHERE salon = ?1",
                    params![salon.as_str(), &rotation.key_id[..], i64::from(rotation.epoch), to_sql_int(revoked_at_ms)],
                )?;
                let mut insert = transaction.prepare_cached(
                    "INSERT OR REPLACE INTO key_grants (salon, device, epoch, sealed) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for grant in rotation.grants {
                    insert.execute(params![
                        salon.as_str(),
                        to_sql_int(grant.device),
                        i64::from(rotation.epoch),
                        grant.sealed
                    ])?;
                }
            }
            transaction.commit()?;
            Ok(Revoked::Done)
        })
    }

    fn erase(
        &self,
        salon: SalonId,
        doc: DocId,
        blobs: Vec<[u8; 32]>,
        erased_at_ms: u64,
    ) -> BoxFuture<'_, Result<u64, AppError>> {
        self.run(move |connection| {
            let (salon, doc) = (salon.as_str(), doc.as_str());
            let at = to_sql_int(erased_at_ms);
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            transaction.execute(
                "INSERT OR IGNORE INTO erased_docs (salon, doc_id, erased_at) VALUES (?1, ?2, ?3)",
                params![salon, doc, at],
            )?;
            transaction
                .execute("UPDATE changes SET bytes = x'' WHERE salon = ?1 AND doc_id = ?2", params![salon, doc])?;
            {
                let mut forget = transaction.prepare_cached("DELETE FROM blobs WHERE salon = ?1 AND hash = ?2")?;
                let mut remember =
                    transaction.prepare_cached("INSERT OR IGNORE INTO erased_blobs (salon, hash) VALUES (?1, ?2)")?;
                for hash in &blobs {
                    forget.execute(params![salon, &hash[..]])?;
                    remember.execute(params![salon, &hash[..]])?;
                }
            }
            transaction.execute(
                "INSERT INTO changes (salon, doc_id, change_hash, bytes, received_at) VALUES (?1, ?2, ?3, x'', ?4)
                 ON CONFLICT (salon, doc_id, change_hash) DO NOTHING",
                params![salon, doc, &ERASED_MARKER[..], at],
            )?;
            let head = head_of(&transaction, salon)?;
            transaction.commit()?;
            // The write-ahead log still holds the pages as they were before: copy the new ones
            // into the file and empty it.
            connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(head)
        })
    }

    fn grant(&self, salon: SalonId, device: u64) -> BoxFuture<'_, Result<Option<Vec<u8>>, AppError>> {
        self.run(move |connection| {
            Ok(connection
                .query_row(
                    "SELECT g.sealed FROM key_grants g JOIN salon_keys k ON k.salon = g.salon AND k.epoch = g.epoch
                     WHERE g.salon = ?1 AND g.device = ?2",
                    params![salon.as_str(), to_sql_int(device)],
                    |row| row.get(0),
                )
                .optional()?)
        })
    }
}
