//! The device's database (IndexedDB): customer documents, the derived customer list, the
//! outbox of changes not yet acknowledged by the relay, photo blobs (with the queues of blobs
//! to upload and to fetch), each customer's own keys, and small device facts.
//!
//! Every read-modify-write runs inside one readwrite transaction. IndexedDB runs overlapping
//! readwrite transactions one after another, even across tabs, so two tabs never hand out
//! the same customer number or overwrite each other's document.

use std::collections::BTreeMap;

use domain::DomainError;
use domain::blob::BlobHash;
use domain::care::rules::CarePolicy;
use domain::classify::Policy;
use domain::classify::snapshot::Snapshot;
use domain::crypto::{DeviceKey, DocKey, DocKeyId, Keyring};
use domain::customer::{
    ConsentEvent, CustomerDoc, CustomerFile, CustomerNumber, CustomerSummary, EntryEdit, LocalChange, NewCustomer,
    Photo, Profile,
};
use domain::ids::{CustomerId, DeviceId, DeviceTag, DocId, SalonId};
use domain::salon::{SalonDoc, SalonDocKind};
use domain::sync::Outgoing;
use domain::transfer::ImportedCustomer;
use domain::wire::{Credential, Position, Receipt, SeqChange, WireChange};
use indexed_db_futures::KeyRange;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

const DB_NAME: &str = "meike";
const DB_VERSION: u32 = 4;
const DOCS: &str = "docs";
const CUSTOMERS: &str = "customers";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
/// Photo bytes by blob hash (64 hex characters).
const BLOBS: &str = "blobs";
/// Hashes of blobs taken on this device that the relay has not stored yet.
const BLOB_OUTBOX: &str = "blob_outbox";
/// Hashes of blobs that documents refer to but this device does not have yet.
const BLOB_WANTED: &str = "blob_wanted";
/// Changes from the relay this device could not open or apply (sealed under a key it lacks,
/// garbled, or from a newer app), by sequence number and hash: kept, counted, and tried again on every
/// connection, never skipped with the cursor moved past them as if they had been read.
const QUARANTINE: &str = "quarantine";
/// Each customer's own keys ([`DocKeysRecord`]), under her document id: her changes and photos
/// are sealed under them, and her erasure removes them.
const DOC_KEYS: &str = "doc_keys";

const META_DEVICE: &str = "device";
const META_RELAY: &str = "relay";
const META_CURSOR: &str = "cursor";
/// The sequence number and relay hash of the last change read, written with the cursor: the
/// relay is asked on every connection whether it still holds it.
const META_AT: &str = "cursor_at";
/// The relay's receipt for the newest change this device pushed: the relay is asked on every
/// connection whether it still holds it there (a backup restored from before the push lacks it).
const META_PUSHED: &str = "pushed";
const META_LAST_SYNCED: &str = "last_synced";
const META_INDEX_VERSION: &str = "index_version";
/// Customers erased from this salon, by document id ([`Erasures`]).
const META_ERASED: &str = "erased";

/// The shape of the derived customer list entries. Bump it whenever `CustomerSummary` or how
/// it is derived changes: every device then rebuilds its list from the documents on start.
const INDEX_VERSION: u32 = 4;

#[derive(Serialize, Deserialize)]
struct BlobRecord {
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
}

/// Whose photo a queued upload or fetch is: her document id, so it is sealed and opened under
/// her own key. Queued before customers had keys: unknown (the salon key alone).
#[derive(Serialize, Deserialize, Clone)]
#[serde(untagged)]
enum PhotoOwner {
    Doc(String),
    Unknown(bool),
}

impl PhotoOwner {
    fn of(doc: &DocId) -> Self {
        PhotoOwner::Doc(doc.as_str().to_owned())
    }

    fn doc(&self) -> Option<&str> {
        match self {
            PhotoOwner::Doc(doc) => Some(doc),
            PhotoOwner::Unknown(_) => None,
        }
    }
}

/// One customer's own keys on this device: the one a device made when it first wrote to her
/// file, and any other device's (two devices can each make one for an older file; both stay).
#[derive(Serialize, Deserialize, Default)]
struct DocKeysRecord {
    keys: Vec<KeptKey>,
}

#[derive(Serialize, Deserialize)]
struct KeptKey {
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
    /// Her key's record is at the relay: it came from there, or the relay acknowledged it.
    announced: bool,
}

impl KeptKey {
    fn key(&self) -> Option<DocKey> {
        Some(DocKey::new(<[u8; 32]>::try_from(self.bytes.as_slice()).ok()?))
    }
}

impl DocKeysRecord {
    fn keys(&self) -> Vec<DocKey> {
        self.keys.iter().filter_map(KeptKey::key).collect()
    }

    /// Adds a key (announced: it came from the relay); true when it was new here.
    fn add_announced(&mut self, key: &DocKey) -> bool {
        match self.keys.iter_mut().find(|k| k.key().as_ref() == Some(key)) {
            Some(kept) => {
                kept.announced = true;
                false
            }
            None => {
                self.keys.push(KeptKey { bytes: key.to_bytes().to_vec(), announced: true });
                true
            }
        }
    }
}

/// Her keys as kept in `tx` (which covers `doc_keys`).
async fn doc_keys_in(tx: &Transaction<'_>, doc: &DocId) -> Result<DocKeysRecord, AppError> {
    Ok(tx.object_store(DOC_KEYS)?.get(doc.as_str().to_owned()).serde()?.await?.unwrap_or_default())
}

/// The key this device seals her new changes with, made (from fresh random bytes) and kept
/// in `tx` when she has none yet: her key's record then goes to the relay before them.
async fn her_key_in(tx: &Transaction<'_>, doc: &DocId) -> Result<DocKey, AppError> {
    let mut record = doc_keys_in(tx, doc).await?;
    if let Some(key) = DocKey::sealing(&record.keys()) {
        return Ok(key.clone());
    }
    let bytes = crate::io::browser::secret_bytes::<32>().ok_or_else(|| {
        AppError::Storage("this browser gives no secure random numbers (crypto.getRandomValues)".to_owned())
    })?;
    let key = DocKey::new(bytes);
    record.keys.push(KeptKey { bytes: bytes.to_vec(), announced: false });
    tx.object_store(DOC_KEYS)?.put(&record).with_key(doc.as_str().to_owned()).without_key_type().serde()?;
    Ok(key)
}

#[derive(Serialize, Deserialize)]
struct DocRecord {
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
}

/// A local change waiting for the relay's acknowledgement. `id` is the outbox key, filled
/// in by IndexedDB's key generator, so the outbox is read back in the order it was written.
#[derive(Serialize, Deserialize)]
struct OutboxRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<u64>,
    doc: String,
    #[serde(with = "serde_bytes")]
    hash: Vec<u8>,
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
    /// `bytes` are sealed under the salon key and `hash` is theirs. A change made before the
    /// device had its key is sealed when it is first pushed, and saved so: a push repeated
    /// after a lost connection sends the very same bytes.
    #[serde(default)]
    sealed: bool,
    /// The id of her own key the change is sealed under (a customer's change made since
    /// customers have keys); none: the salon key alone.
    #[serde(default, with = "serde_bytes", skip_serializing_if = "Option::is_none")]
    her_key: Option<Vec<u8>>,
}

impl OutboxRecord {
    fn new(doc: &DocId, change: &LocalChange, her_key: Option<DocKeyId>) -> Self {
        OutboxRecord {
            id: None,
            doc: doc.as_str().to_owned(),
            hash: change.hash.to_vec(),
            bytes: change.bytes.clone(),
            sealed: false,
            her_key: her_key.map(|id| id.0.to_vec()),
        }
    }

    fn her_key(&self) -> Option<DocKeyId> {
        Some(DocKeyId(<[u8; domain::crypto::DOC_KEY_ID_BYTES]>::try_from(self.her_key.as_deref()?).ok()?))
    }
}

/// Where the cursor stands at the relay: the last change read.
#[derive(Serialize, Deserialize)]
struct AtRecord {
    seq: u64,
    #[serde(with = "serde_bytes")]
    hash: Vec<u8>,
    /// How many of the salon's changes this device has read up to `seq`.
    read: u64,
}

/// The receipt for the newest change this device pushed.
#[derive(Serialize, Deserialize)]
struct ReceiptRecord {
    seq: u64,
    #[serde(with = "serde_bytes")]
    hash: Vec<u8>,
}

/// A change kept in quarantine, with why it did not open.
#[derive(Serialize, Deserialize)]
struct QuarantineRecord {
    seq: u64,
    doc: String,
    #[serde(with = "serde_bytes")]
    hash: Vec<u8>,
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
    problem: String,
}

/// Removes everything this device holds of one erased document, inside `tx` (which covers
/// every store): the document, her list entry, her photos and their queues, her changes
/// waiting in the outbox and in quarantine.
async fn erase_in(tx: &Transaction<'_>, doc_id: &DocId, erasure: &Erasure) -> Result<(), AppError> {
    tx.object_store(DOCS)?.delete(doc_id.as_str().to_owned()).primitive()?;
    // Her own keys go: whatever of hers is left anywhere no longer opens.
    tx.object_store(DOC_KEYS)?.delete(doc_id.as_str().to_owned()).primitive()?;
    if let Some(id) = doc_id.customer() {
        tx.object_store(CUSTOMERS)?.delete(id.as_str().to_owned()).primitive()?;
    }
    for store in [BLOBS, BLOB_OUTBOX, BLOB_WANTED] {
        let store = tx.object_store(store)?;
        for photo in &erasure.photos {
            store.delete(photo.clone()).primitive()?;
        }
    }
    let outbox = tx.object_store(OUTBOX)?;
    for row in outbox.get_all::<OutboxRecord>().serde()?.await? {
        let row = row?;
        if let (Some(key), true) = (row.id, row.doc == doc_id.as_str()) {
            outbox.delete(key as f64).primitive()?;
        }
    }
    let quarantine = tx.object_store(QUARANTINE)?;
    for row in quarantine.get_all::<QuarantineRecord>().serde()?.await? {
        let row = row?;
        if row.doc == doc_id.as_str() {
            quarantine.delete(quarantine_key(row.seq, &row.hash)).primitive()?;
            quarantine.delete(format!("{:020}", row.seq)).primitive()?;
        }
    }
    Ok(())
}

/// Points the device at another salon inside `tx` (which covers `meta`): its code, and the
/// old salon's read position, receipt, last sync and erasures forgotten (only confirmed
/// erasures can be left: a pending one keeps the device from switching).
fn connect_to(tx: &Transaction<'_>, config: &RelayConfig) -> Result<(), AppError> {
    let meta = tx.object_store(META)?;
    for key in [META_CURSOR, META_AT, META_PUSHED, META_LAST_SYNCED, META_ERASED] {
        meta.delete(key.to_owned()).primitive()?;
    }
    meta.put(config).with_key(META_RELAY.to_owned()).without_key_type().serde()?;
    Ok(())
}

/// Changes, photos and erasures not acknowledged by the relay yet, read inside `tx` (which
/// covers `outbox`, `blob_outbox` and `meta`).
async fn unsent_in(tx: &Transaction<'_>) -> Result<u32, AppError> {
    let changes = tx.object_store(OUTBOX)?.count().primitive()?.await?;
    let photos = tx.object_store(BLOB_OUTBOX)?.count().primitive()?.await?;
    let erasures: Option<Erasures> = tx.object_store(META)?.get(META_ERASED.to_owned()).serde()?.await?;
    let erasures = erasures.unwrap_or_default().values().filter(|e| !e.confirmed).count() as u32;
    Ok(changes + photos + erasures)
}

/// A quarantined change's key: its sequence number and hash. A relay restored from an older
/// backup can hand out a number again, for another change; both stay kept.
fn quarantine_key(seq: u64, hash: &[u8]) -> String {
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("{seq:020}-{hex}")
}

/// One customer erased for good (PIPL art. 47), on this device or another. Kept for good,
/// under her document id (random, nothing about her): a change of hers that arrives later
/// (from a device that was offline, or a relay restored from a backup) is never applied, and
/// the relay is told again when it may have forgotten.
#[derive(Serialize, Deserialize, Clone, Default)]
struct Erasure {
    /// Her photos' hashes: the relay is asked to drop them under their relay names.
    photos: Vec<String>,
    /// The relay confirmed the erasure.
    confirmed: bool,
}

type Erasures = BTreeMap<String, Erasure>;

/// An erasure the relay has not confirmed yet: her document and her photos.
pub struct PendingErasure {
    pub doc: DocId,
    pub photos: Vec<BlobHash>,
}

#[derive(Serialize, Deserialize, Clone)]
struct DeviceRecord {
    id: String,
    tag: String,
    next_number: u32,
}

/// Which salon this device syncs with, its own token, the invite it joined with, and the salon
/// key (as text) once the device has made it (the salon's first device) or been invited with it.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq)]
pub struct RelayConfig {
    pub salon: SalonId,
    /// This device's own token, made here when it took the invite. (A device set up before
    /// devices were paired kept the salon's shared code here, with no `invite`.)
    pub token: String,
    /// The salon's keys as text (every epoch this device has, comma-separated).
    #[serde(default)]
    pub key: Option<String>,
    /// This device's own key pair (its secret, as text), made when it took its invite: a new
    /// salon key after a removal is sealed to its public half.
    #[serde(default)]
    pub device_key: Option<String>,
    /// The invite (or setup secret) this device joined with: sent with the token until the
    /// relay has paired the device, and kept so opening the same link again changes nothing.
    #[serde(default)]
    pub invite: Option<String>,
    /// The relay has paired this device: its token alone is its credential.
    #[serde(default)]
    pub paired: bool,
    /// False from the moment this device made the salon key until the relay confirmed it as
    /// the salon's: a key whose claim never got an answer (the link dropped) and that turns
    /// out not to be the salon's was no one's, and nothing was sealed with it.
    #[serde(default = "confirmed")]
    pub key_confirmed: bool,
}

fn confirmed() -> bool {
    true
}

impl RelayConfig {
    /// A device joining with `invite` (a link's code), under a token made for it.
    pub fn joining(salon: SalonId, invite: String, token: String, key: Option<String>, device_key: String) -> Self {
        RelayConfig {
            salon,
            token,
            key,
            device_key: Some(device_key),
            invite: Some(invite),
            paired: false,
            key_confirmed: true,
        }
    }

    pub fn key(&self) -> Option<Keyring> {
        self.key.as_deref().and_then(|text| Keyring::parse(text).ok())
    }

    pub fn device_key(&self) -> Option<DeviceKey> {
        self.device_key.as_deref().and_then(|text| DeviceKey::parse(text).ok())
    }

    /// The code this device joined with, to tell the same link opened again.
    pub fn joined_with(&self) -> &str {
        self.invite.as_deref().unwrap_or(&self.token)
    }

    /// What the device says in `Hello`, or `None` for a device set up before pairing existed,
    /// whose shared code must first become an invite with a token and key pair of its own
    /// ([`RelayConfig::upgraded`]).
    pub fn credential(&self) -> Option<Credential> {
        let public = self.device_key()?.public();
        match (&self.invite, self.paired) {
            (_, true) => Some(Credential::Device { token: self.token.clone() }),
            (Some(invite), false) => {
                Some(Credential::Invite { invite: invite.clone(), token: self.token.clone(), public })
            }
            (None, false) => None,
        }
    }

    /// A device set up before pairing: its shared code becomes its invite (the operator's
    /// setup secret pairs the salon's first device; every other device needs an invite), under
    /// a new token and key pair.
    pub fn upgraded(&self, token: String, device_key: String) -> Self {
        let invite = self.invite.clone().unwrap_or_else(|| self.token.clone());
        // A paired device keeps its token (the relay knows it); it only gains a key pair.
        let paired = self.paired;
        let token = if paired { self.token.clone() } else { token };
        RelayConfig { token, invite: Some(invite), paired, device_key: Some(device_key), ..self.clone() }
    }
}

impl std::fmt::Debug for RelayConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Token and key are secrets.
        let key = self.key().map(|k| k.newest().id());
        f.debug_struct("RelayConfig").field("salon", &self.salon).field("key", &key).finish()
    }
}

/// What the salon documents say: the policy and care plan (defaults until saved), the
/// salon's name, and every month's snapshot.
pub struct SalonState {
    pub policy: Policy,
    pub care: CarePolicy,
    pub name: Option<String>,
    pub snapshots: Vec<Snapshot>,
    /// The saved policy (care plan) is a newer app's: `policy` (`care`) holds the defaults.
    pub policy_unreadable: bool,
    pub care_unreadable: bool,
}

/// What a page of remote changes touched.
pub struct Applied {
    pub customers: Vec<CustomerSummary>,
    /// Customers erased on another device: gone from this one now.
    pub erased: Vec<String>,
    pub salon_changed: bool,
    /// A customer's key arrived: changes kept aside for want of it may open now.
    pub keys_arrived: bool,
}

pub struct Store {
    db: Database,
    device: DeviceId,
    tag: DeviceTag,
}

fn corrupt(what: &str) -> AppError {
    AppError::Storage(format!("unreadable {what} record"))
}

impl Store {
    /// Opens (creating or upgrading) the database and makes sure this device has an identity.
    pub async fn open(new_device: impl FnOnce() -> (DeviceId, DeviceTag)) -> Result<Store, AppError> {
        let db = Database::open(DB_NAME)
            .with_version(DB_VERSION)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    db.create_object_store(DOCS).build()?;
                    db.create_object_store(CUSTOMERS).build()?;
                    db.create_object_store(OUTBOX).with_key_path("id".into()).with_auto_increment(true).build()?;
                    db.create_object_store(META).build()?;
                }
                if event.old_version() < 2.0 {
                    db.create_object_store(BLOBS).build()?;
                    db.create_object_store(BLOB_OUTBOX).build()?;
                    db.create_object_store(BLOB_WANTED).build()?;
                }
                if event.old_version() < 3.0 {
                    db.create_object_store(QUARANTINE).build()?;
                }
                if event.old_version() < 4.0 {
                    db.create_object_store(DOC_KEYS).build()?;
                }
                Ok(())
            })
            .await?;

        let tx = db.transaction(META).with_mode(TransactionMode::Readwrite).build()?;
        let meta = tx.object_store(META)?;
        let existing: Option<DeviceRecord> = meta.get(META_DEVICE).serde()?.await?;
        let record = match existing {
            Some(record) => record,
            None => {
                let (id, tag) = new_device();
                let record = DeviceRecord { id: id.to_hex(), tag: tag.as_str().to_owned(), next_number: 1 };
                meta.put(&record).with_key(META_DEVICE.to_owned()).without_key_type().serde()?;
                record
            }
        };
        tx.commit().await?;
        let device = DeviceId::parse(&record.id).map_err(|_| corrupt("device"))?;
        let tag = DeviceTag::parse(&record.tag).map_err(|_| corrupt("device"))?;
        let store = Store { db, device, tag };
        if store.meta::<u32>(META_INDEX_VERSION).await? != Some(INDEX_VERSION) {
            store.rebuild_index().await?;
        }
        Ok(store)
    }

    /// Re-derives every customer list entry from the documents, in one transaction.
    async fn rebuild_index(&self) -> Result<(), AppError> {
        let today = crate::io::browser::today();
        let tx = self.write_tx()?;
        let docs = tx.object_store(DOCS)?;
        let ids = docs.get_all_keys::<String>().primitive()?.await?;
        let records = docs.get_all::<DocRecord>().serde()?.await?;
        let customers = tx.object_store(CUSTOMERS)?;
        customers.clear()?;
        for (id, record) in ids.zip(records) {
            let (id, record) = (id?, record?);
            let is_customer = DocId::parse(&id).ok().and_then(|d| d.customer()).is_some();
            let file = CustomerDoc::load(&record.bytes).ok().and_then(|doc| doc.file().ok());
            if let (true, Some(file)) = (is_customer, file) {
                let summary = CustomerSummary::of(&file, today);
                customers.put(&summary).with_key(summary.id.clone()).without_key_type().serde()?;
            }
        }
        tx.object_store(META)?.put(INDEX_VERSION).with_key(META_INDEX_VERSION.to_owned()).without_key_type().serde()?;
        tx.commit().await?;
        Ok(())
    }

    pub fn device_tag(&self) -> &DeviceTag {
        &self.tag
    }

    fn write_tx(&self) -> Result<Transaction<'_>, AppError> {
        let stores = [DOCS, CUSTOMERS, OUTBOX, META, BLOBS, BLOB_OUTBOX, BLOB_WANTED, QUARANTINE, DOC_KEYS];
        Ok(self.db.transaction(stores).with_mode(TransactionMode::Readwrite).build()?)
    }

    /// The whole customer list, as stored (unsorted).
    pub async fn customers(&self) -> Result<Vec<CustomerSummary>, AppError> {
        let tx = self.db.transaction(CUSTOMERS).build()?;
        let store = tx.object_store(CUSTOMERS)?;
        let rows = store.get_all::<CustomerSummary>().serde()?.await?;
        rows.map(|row| row.map_err(AppError::from)).collect()
    }

    /// One customer's document, if this device has it.
    pub async fn customer_doc(&self, id: &CustomerId) -> Result<Option<CustomerDoc>, AppError> {
        let tx = self.db.transaction(DOCS).build()?;
        let store = tx.object_store(DOCS)?;
        let record: Option<DocRecord> = store.get(id.doc_id().as_str().to_owned()).serde()?.await?;
        record.map(|r| CustomerDoc::load(&r.bytes).map_err(AppError::from)).transpose()
    }

    /// Opens a new customer's file: allocates the next customer number of this device,
    /// stores the document and its list entry, and queues the change for the relay.
    pub async fn create_customer(
        &self,
        id: CustomerId,
        profile: Profile,
        consents: Vec<ConsentEvent>,
        now: Timestamp,
        today: Date,
    ) -> Result<CustomerSummary, AppError> {
        let new_without_number = |number| NewCustomer {
            id: id.clone(),
            number,
            created_at: now,
            profile: profile.clone(),
            consents: consents.clone(),
        };
        new_without_number(CustomerNumber::new(self.tag.clone(), 0)).check_consent()?;
        let tx = self.write_tx()?;
        let meta = tx.object_store(META)?;
        let mut device: DeviceRecord = meta.get(META_DEVICE).serde()?.await?.ok_or_else(|| corrupt("device"))?;
        let number = CustomerNumber::new(self.tag.clone(), device.next_number);
        let new = new_without_number(number);
        let (doc, change) = CustomerDoc::create(self.device, &new)?;
        let summary = CustomerSummary::of(&doc.file()?, today);
        device.next_number += 1;
        meta.put(&device).with_key(META_DEVICE.to_owned()).without_key_type().serde()?;
        self.write_doc(&tx, &id.doc_id(), doc.save(), Some(&summary), &[change]).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Creates every imported customer in one transaction: all of them or, on any failure,
    /// none. Rows without a number get this device's next numbers.
    pub async fn import_customers(
        &self,
        customers: &[&ImportedCustomer],
        now: Timestamp,
        today: Date,
    ) -> Result<Vec<CustomerSummary>, AppError> {
        let tx = self.write_tx()?;
        let meta = tx.object_store(META)?;
        let mut device: DeviceRecord = meta.get(META_DEVICE).serde()?.await?.ok_or_else(|| corrupt("device"))?;
        let mut summaries = Vec::with_capacity(customers.len());
        let docs = tx.object_store(DOCS)?;
        for imported in customers {
            if imported.update {
                // A row naming a customer already here: her file gets the file's columns,
                // written as an edit of her current version (nothing else changes).
                let doc_id = imported.id.doc_id();
                let record: Option<DocRecord> = docs.get(doc_id.as_str().to_owned()).serde()?.await?;
                let Some(record) = record else { continue };
                let mut doc = CustomerDoc::load(&record.bytes)?;
                let current = doc.customer()?.profile;
                let profile = imported.profile_over(&current);
                let changes = doc.update_profile(self.device, &doc.version(), &profile, now)?;
                let summary = CustomerSummary::of(&doc.file()?, today);
                self.write_doc(&tx, &doc_id, doc.save(), Some(&summary), &changes).await?;
                summaries.push(summary);
                continue;
            }
            let number = match &imported.number {
                Some(number) => {
                    // A number this device's tag could hand out later must not be handed out
                    // again: move the device's count past it.
                    if number.tag() == &self.tag && number.seq() >= device.next_number {
                        device.next_number = number.seq().saturating_add(1);
                    }
                    number.clone()
                }
                None => {
                    device.next_number += 1;
                    CustomerNumber::new(self.tag.clone(), device.next_number - 1)
                }
            };
            let new = NewCustomer {
                id: imported.id.clone(),
                number,
                created_at: now,
                profile: imported.profile.clone(),
                consents: Vec::new(),
            };
            let (mut doc, change) = CustomerDoc::create(self.device, &new)?;
            let mut changes = vec![change];
            for card in &imported.cards {
                changes.extend(doc.edit_entry(self.device, EntryEdit::AddCard(card), now)?);
            }
            for money in &imported.money {
                changes.extend(doc.edit_entry(self.device, EntryEdit::AddMoney(money), now)?);
            }
            let summary = CustomerSummary::of(&doc.file()?, today);
            self.write_doc(&tx, &imported.id.doc_id(), doc.save(), Some(&summary), &changes).await?;
            summaries.push(summary);
        }
        meta.put(&device).with_key(META_DEVICE.to_owned()).without_key_type().serde()?;
        tx.commit().await?;
        Ok(summaries)
    }

    /// One customer's whole file, if this device has it.
    pub async fn customer_file(&self, id: &CustomerId) -> Result<Option<CustomerFile>, AppError> {
        Ok(self.customer_doc(id).await?.and_then(|doc| doc.file().ok()))
    }

    /// Every customer's whole file, in list order of `ids` (for export).
    pub async fn customer_files(&self, ids: &[String]) -> Result<Vec<CustomerFile>, AppError> {
        let tx = self.db.transaction(DOCS).build()?;
        let store = tx.object_store(DOCS)?;
        let mut requests = Vec::with_capacity(ids.len());
        for id in ids {
            requests.push(store.get::<DocRecord, _, _>(format!("c-{id}")).serde()?);
        }
        let mut files = Vec::with_capacity(ids.len());
        for request in requests {
            if let Some(record) = request.await? {
                files.extend(CustomerDoc::load(&record.bytes).ok().and_then(|doc| doc.file().ok()));
            }
        }
        Ok(files)
    }

    /// Changes a customer's document with `edit` (a profile edit, an entry, deletion ...) and
    /// stores the document, its list entry and the new changes in one transaction. `None`
    /// when the edit changed nothing.
    pub async fn edit_customer(
        &self,
        id: &CustomerId,
        today: Date,
        edit: impl FnOnce(&mut CustomerDoc, DeviceId) -> Result<Vec<LocalChange>, DomainError>,
    ) -> Result<Option<CustomerSummary>, AppError> {
        let doc_id = id.doc_id();
        let tx = self.write_tx()?;
        let docs = tx.object_store(DOCS)?;
        let record: Option<DocRecord> = docs.get(doc_id.as_str().to_owned()).serde()?.await?;
        let mut doc = CustomerDoc::load(&record.ok_or_else(|| corrupt("document"))?.bytes)?;
        let changes = edit(&mut doc, self.device)?;
        if changes.is_empty() {
            return Ok(None);
        }
        let summary = CustomerSummary::of(&doc.file()?, today);
        self.write_doc(&tx, &doc_id, doc.save(), Some(&summary), &changes).await?;
        tx.commit().await?;
        Ok(Some(summary))
    }

    /// The same kind of edit on several customers' documents in one transaction: every one
    /// is saved, or (when any fails) none is. Returns the list entries that changed.
    pub async fn edit_customers(
        &self,
        ids: &[CustomerId],
        today: Date,
        mut edit: impl FnMut(&mut CustomerDoc, DeviceId) -> Result<Vec<LocalChange>, DomainError>,
    ) -> Result<Vec<CustomerSummary>, AppError> {
        let tx = self.write_tx()?;
        let docs = tx.object_store(DOCS)?;
        let mut summaries = Vec::with_capacity(ids.len());
        for id in ids {
            let doc_id = id.doc_id();
            let record: Option<DocRecord> = docs.get(doc_id.as_str().to_owned()).serde()?.await?;
            let mut doc = CustomerDoc::load(&record.ok_or_else(|| corrupt("document"))?.bytes)?;
            let changes = edit(&mut doc, self.device)?;
            if changes.is_empty() {
                continue;
            }
            let summary = CustomerSummary::of(&doc.file()?, today);
            self.write_doc(&tx, &doc_id, doc.save(), Some(&summary), &changes).await?;
            summaries.push(summary);
        }
        tx.commit().await?;
        Ok(summaries)
    }

    /// Saves a photo taken on this device: its bytes as a blob (queued for the relay) and its
    /// record in the customer's document, in one transaction.
    pub async fn add_photo(
        &self,
        id: &CustomerId,
        photo: &Photo,
        bytes: Vec<u8>,
        now: Timestamp,
        today: Date,
    ) -> Result<CustomerSummary, AppError> {
        let doc_id = id.doc_id();
        let tx = self.write_tx()?;
        let record: Option<DocRecord> = tx.object_store(DOCS)?.get(doc_id.as_str().to_owned()).serde()?.await?;
        let mut doc = CustomerDoc::load(&record.ok_or_else(|| corrupt("document"))?.bytes)?;
        let changes = doc.edit_entry(self.device, EntryEdit::AddPhoto(photo), now)?;
        let summary = CustomerSummary::of(&doc.file()?, today);
        tx.object_store(BLOBS)?.put(BlobRecord { bytes }).with_key(photo.blob.clone()).without_key_type().serde()?;
        tx.object_store(BLOB_OUTBOX)?
            .put(PhotoOwner::of(&doc_id))
            .with_key(photo.blob.clone())
            .without_key_type()
            .serde()?;
        self.write_doc(&tx, &doc_id, doc.save(), Some(&summary), &changes).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// A photo's bytes, when this device has them.
    pub async fn blob(&self, hash: &str) -> Result<Option<Vec<u8>>, AppError> {
        let tx = self.db.transaction(BLOBS).build()?;
        let record: Option<BlobRecord> = tx.object_store(BLOBS)?.get(hash.to_owned()).serde()?.await?;
        Ok(record.map(|r| r.bytes))
    }

    /// Photos documents refer to that this device lacks.
    pub async fn blobs_wanted(&self) -> Result<Vec<BlobHash>, AppError> {
        let tx = self.db.transaction(BLOB_WANTED).build()?;
        let keys = tx.object_store(BLOB_WANTED)?.get_all_keys::<String>().primitive()?.await?;
        Ok(keys.filter_map(|k| BlobHash::parse(&k.ok()?).ok()).collect())
    }

    /// The next photo taken here that the relay does not have yet, sealed for it (under her
    /// own key when she has one).
    pub async fn blob_to_upload(
        &self,
        salon: &SalonId,
        ring: &Keyring,
    ) -> Result<Option<(BlobHash, Vec<u8>)>, AppError> {
        let tx = self.db.transaction([BLOB_OUTBOX, BLOBS, DOC_KEYS]).build()?;
        let queue = tx.object_store(BLOB_OUTBOX)?;
        let names = queue.get_all_keys::<String>().primitive()?.await?;
        let owners = queue.get_all::<PhotoOwner>().serde()?.await?;
        for (name, owner) in names.zip(owners) {
            let (Ok(photo), Ok(owner)) = (BlobHash::parse(&name?), owner) else { continue };
            let Some(record) = tx.object_store(BLOBS)?.get::<BlobRecord, _, _>(photo.to_hex()).serde()?.await? else {
                continue;
            };
            let hers = match owner.doc().and_then(|doc| DocId::parse(doc).ok()) {
                Some(doc) => doc_keys_in(&tx, &doc).await?.keys(),
                None => Vec::new(),
            };
            return Ok(Some((photo, ring.seal_blob(salon, &photo, DocKey::sealing(&hers), &record.bytes))));
        }
        Ok(None)
    }

    pub async fn blob_uploaded(&self, hash: &str) -> Result<(), AppError> {
        let tx = self.db.transaction(BLOB_OUTBOX).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(BLOB_OUTBOX)?.delete(hash.to_owned()).primitive()?;
        tx.commit().await?;
        Ok(())
    }

    /// A fetched photo, sealed: opened under her keys (which checks it is the photo named),
    /// stored, and no longer wanted. False, with nothing stored, when it does not open.
    pub async fn blob_arrived(
        &self,
        photo: &BlobHash,
        sealed: &[u8],
        salon: &SalonId,
        ring: &Keyring,
    ) -> Result<bool, AppError> {
        let tx = self.db.transaction([BLOBS, BLOB_WANTED, DOC_KEYS]).with_mode(TransactionMode::Readwrite).build()?;
        let wanted = tx.object_store(BLOB_WANTED)?;
        let owner: Option<PhotoOwner> = wanted.get(photo.to_hex()).serde()?.await?;
        let hers = match owner.as_ref().and_then(PhotoOwner::doc).and_then(|doc| DocId::parse(doc).ok()) {
            Some(doc) => doc_keys_in(&tx, &doc).await?.keys(),
            None => Vec::new(),
        };
        let Ok(bytes) = ring.open_blob(salon, photo, &hers, sealed) else { return Ok(false) };
        tx.object_store(BLOBS)?.put(BlobRecord { bytes }).with_key(photo.to_hex()).without_key_type().serde()?;
        wanted.delete(photo.to_hex()).primitive()?;
        tx.commit().await?;
        Ok(true)
    }

    /// Stores changes pulled from the relay and moves the sync cursor, atomically: after a
    /// crash either the whole page is stored with its cursor or none of it. Returns the
    /// list entries of the customers whose files changed, and whether a salon document
    /// (settings, snapshots) changed. Photos the changes refer to and this device lacks are
    /// queued for fetching.
    pub async fn apply_remote(
        &self,
        changes: &[SeqChange],
        cursor: u64,
        salon: &SalonId,
        key: &Keyring,
    ) -> Result<Applied, AppError> {
        self.apply_sealed(changes, Some(cursor), salon, key, false).await
    }

    /// Tries the quarantined changes again (after an update, or with a key the device did not
    /// have): those that open now are applied; the others stay.
    pub async fn retry_quarantined(&self, salon: &SalonId, key: &Keyring) -> Result<Option<Applied>, AppError> {
        let tx = self.db.transaction(QUARANTINE).build()?;
        let rows = tx.object_store(QUARANTINE)?.get_all::<QuarantineRecord>().serde()?.await?;
        let mut changes = Vec::new();
        for row in rows {
            let row = row?;
            let (Ok(doc), Ok(hash)) = (DocId::parse(&row.doc), <[u8; 32]>::try_from(row.hash.as_slice())) else {
                continue;
            };
            changes.push(SeqChange { seq: row.seq, doc, hash, bytes: row.bytes });
        }
        drop(tx);
        if changes.is_empty() {
            return Ok(None);
        }
        self.apply_sealed(&changes, None, salon, key, true).await.map(Some)
    }

    /// How many changes wait in quarantine.
    pub async fn quarantined(&self) -> Result<u32, AppError> {
        let tx = self.db.transaction(QUARANTINE).build()?;
        Ok(tx.object_store(QUARANTINE)?.count().primitive()?.await?)
    }

    async fn apply_sealed(
        &self,
        changes: &[SeqChange],
        cursor: Option<u64>,
        salon: &SalonId,
        key: &Keyring,
        retrying: bool,
    ) -> Result<Applied, AppError> {
        let today = crate::io::browser::today();
        let mut by_doc: BTreeMap<&DocId, Vec<&SeqChange>> = BTreeMap::new();
        for change in changes {
            by_doc.entry(&change.doc).or_default().push(change);
        }
        let tx = self.write_tx()?;
        let docs = tx.object_store(DOCS)?;
        let quarantine = tx.object_store(QUARANTINE)?;
        let mut erasures: Erasures =
            tx.object_store(META)?.get(META_ERASED.to_owned()).serde()?.await?.unwrap_or_default();
        let mut erased = Vec::new();
        let doc_keys = tx.object_store(DOC_KEYS)?;
        let mut requests = Vec::with_capacity(by_doc.len());
        for doc_id in by_doc.keys() {
            let customer = doc_id.customer().is_some();
            requests.push((
                docs.get::<DocRecord, _, _>(doc_id.as_str().to_owned()).serde()?,
                customer
                    .then(|| doc_keys.get::<DocKeysRecord, _, _>(doc_id.as_str().to_owned()).serde())
                    .transpose()?,
            ));
        }
        let mut updated = Vec::new();
        let mut photos = Vec::new();
        let mut salon_changed = false;
        let mut keys_arrived = false;
        for ((doc_id, doc_changes), (request, keys_request)) in by_doc.into_iter().zip(requests) {
            let record = request.await?;
            let mut her_keys = match keys_request {
                Some(request) => request.await?.unwrap_or_default(),
                None => DocKeysRecord::default(),
            };
            // Erased here before: what still arrives of hers is read past, never applied.
            if erasures.contains_key(doc_id.as_str()) {
                continue;
            }
            // Erased on another device: she goes from this one too, with all it held of her.
            if doc_changes.iter().any(|c| c.is_erased()) {
                let held = record.as_ref().and_then(|r| CustomerDoc::load(&r.bytes).ok());
                let erasure =
                    Erasure { photos: held.map(|doc| doc.photo_blobs()).unwrap_or_default(), confirmed: true };
                erase_in(&tx, doc_id, &erasure).await?;
                erased.extend(doc_id.customer().map(|id| id.as_str().to_owned()));
                erasures.insert(doc_id.as_str().to_owned(), erasure);
                continue;
            }
            let mut doc = match record {
                Some(record) => CustomerDoc::load(&record.bytes)?,
                None => CustomerDoc::empty(),
            };
            let mut applied_any = false;
            let mut hers = her_keys.keys();
            let mut new_key = false;
            for change in doc_changes {
                let result = if domain::crypto::is_key_record(&change.bytes) {
                    // Her key, before the changes sealed under it.
                    key.open_doc_key(salon, doc_id, &change.bytes).map_err(|problem| problem.to_string()).map(|her| {
                        if her_keys.add_announced(&her) {
                            new_key = true;
                            hers.push(her);
                        }
                    })
                } else {
                    let opened =
                        key.open_change(salon, doc_id, &hers, &change.bytes).map_err(|problem| problem.to_string());
                    opened
                        .and_then(|plain| doc.apply_changes([plain.as_slice()]).map_err(|e| e.to_string()))
                        .map(|()| applied_any = true)
                };
                if retrying {
                    quarantine.delete(quarantine_key(change.seq, &change.hash)).primitive()?;
                    // Records kept by an earlier release, under the number alone.
                    quarantine.delete(format!("{:020}", change.seq)).primitive()?;
                }
                match result {
                    Ok(()) => {}
                    // Kept, with why; the cursor still moves on so the rest of the salon syncs.
                    Err(problem) => {
                        let record = QuarantineRecord {
                            seq: change.seq,
                            doc: doc_id.as_str().to_owned(),
                            hash: change.hash.to_vec(),
                            bytes: change.bytes.clone(),
                            problem,
                        };
                        let key = quarantine_key(change.seq, &change.hash);
                        quarantine.put(&record).with_key(key).without_key_type().serde()?;
                    }
                }
            }
            if new_key {
                keys_arrived = true;
                doc_keys.put(&her_keys).with_key(doc_id.as_str().to_owned()).without_key_type().serde()?;
            }
            if !applied_any {
                continue;
            }
            let file = doc_id.customer().and_then(|_| doc.file().ok());
            let summary = file.as_ref().map(|f| CustomerSummary::of(f, today));
            photos.extend(file.into_iter().flat_map(|f| f.photos).filter(|p| !p.voided).map(|p| (doc_id, p.blob)));
            self.write_doc(&tx, doc_id, doc.save(), summary.as_ref(), &[]).await?;
            salon_changed |= SalonDocKind::of(doc_id).is_some();
            updated.extend(summary);
        }
        let blobs = tx.object_store(BLOBS)?;
        let wanted = tx.object_store(BLOB_WANTED)?;
        for (doc_id, hash) in photos {
            let have = blobs.count().with_query::<String, _>(hash.clone()).primitive()?.await?;
            if have == 0 {
                wanted.put(PhotoOwner::of(doc_id)).with_key(hash).without_key_type().serde()?;
            }
        }
        if !erased.is_empty() {
            tx.object_store(META)?.put(&erasures).with_key(META_ERASED.to_owned()).without_key_type().serde()?;
        }
        if let Some(cursor) = cursor {
            let meta = tx.object_store(META)?;
            let before: Option<AtRecord> = meta.get(META_AT.to_owned()).serde()?.await?;
            meta.put(cursor).with_key(META_CURSOR.to_owned()).without_key_type().serde()?;
            if let Some(last) = changes.iter().max_by_key(|c| c.seq).filter(|c| c.seq == cursor) {
                let read = before.map_or(0, |b| b.read) + changes.len() as u64;
                let at = AtRecord { seq: last.seq, hash: last.hash.to_vec(), read };
                meta.put(&at).with_key(META_AT.to_owned()).without_key_type().serde()?;
            }
        }
        tx.commit().await?;
        Ok(Applied { customers: updated, erased, salon_changed, keys_arrived })
    }

    /// Erases a customer for good (her request, PIPL art. 47), in one transaction: her
    /// document, list entry, photos, unsent changes and quarantined changes go, and the
    /// erasure is queued for the relay, which drops her history and photos and tells every
    /// other device to remove her too.
    pub async fn erase_customer(&self, id: &CustomerId) -> Result<(), AppError> {
        let doc_id = id.doc_id();
        let tx = self.write_tx()?;
        let record: Option<DocRecord> = tx.object_store(DOCS)?.get(doc_id.as_str().to_owned()).serde()?.await?;
        let doc = CustomerDoc::load(&record.ok_or_else(|| corrupt("document"))?.bytes)?;
        let erasure = Erasure { photos: doc.photo_blobs(), confirmed: false };
        erase_in(&tx, &doc_id, &erasure).await?;
        let meta = tx.object_store(META)?;
        let mut erasures: Erasures = meta.get(META_ERASED.to_owned()).serde()?.await?.unwrap_or_default();
        erasures.insert(doc_id.as_str().to_owned(), erasure);
        meta.put(&erasures).with_key(META_ERASED.to_owned()).without_key_type().serde()?;
        tx.commit().await?;
        Ok(())
    }

    /// Erasures the relay has not confirmed yet.
    pub async fn erasures_pending(&self) -> Result<Vec<PendingErasure>, AppError> {
        let erasures: Erasures = self.meta(META_ERASED).await?.unwrap_or_default();
        let pending = erasures.into_iter().filter(|(_, e)| !e.confirmed).filter_map(|(doc, erasure)| {
            let photos = erasure.photos.iter().filter_map(|p| BlobHash::parse(p).ok()).collect();
            Some(PendingErasure { doc: DocId::parse(&doc).ok()?, photos })
        });
        Ok(pending.collect())
    }

    /// The relay confirmed the erasure of `doc`.
    pub async fn erasure_confirmed(&self, doc: &DocId) -> Result<(), AppError> {
        self.mark_erasures(|erasures| {
            if let Some(erasure) = erasures.get_mut(doc.as_str()) {
                erasure.confirmed = true;
            }
        })
        .await
    }

    async fn mark_erasures(&self, change: impl FnOnce(&mut Erasures)) -> Result<(), AppError> {
        let tx = self.db.transaction(META).with_mode(TransactionMode::Readwrite).build()?;
        let meta = tx.object_store(META)?;
        let mut erasures: Erasures = meta.get(META_ERASED.to_owned()).serde()?.await?.unwrap_or_default();
        change(&mut erasures);
        meta.put(&erasures).with_key(META_ERASED.to_owned()).without_key_type().serde()?;
        tx.commit().await?;
        Ok(())
    }

    /// A salon document (settings, a month's snapshot), if this device has it.
    pub async fn salon_doc(&self, kind: SalonDocKind) -> Result<Option<SalonDoc>, AppError> {
        let tx = self.db.transaction(DOCS).build()?;
        let record: Option<DocRecord> = tx.object_store(DOCS)?.get(kind.doc_id().as_str().to_owned()).serde()?.await?;
        record.map(|r| SalonDoc::load(&r.bytes).map_err(AppError::from)).transpose()
    }

    /// The salon's policy and care plan (the defaults when none was saved) and every month's
    /// snapshot.
    pub async fn salon_state(&self) -> Result<SalonState, AppError> {
        // Only the salon documents: their ids sort between "salon-" and "salon." ('.' follows
        // '-'), so the thousands of customer documents are never read at start.
        let range = || KeyRange::Bound("salon-".to_owned(), false, "salon.".to_owned(), true);
        let tx = self.db.transaction(DOCS).build()?;
        let docs = tx.object_store(DOCS)?;
        let keys = docs.get_all_keys::<String>().with_query::<String, _>(range()).primitive()?;
        let records = docs.get_all::<DocRecord>().with_query::<String, _>(range()).serde()?;
        let (keys, records) = (keys.await?, records.await?);
        let (mut policy, mut care) = (Ok(None), Ok(None));
        let mut name = None;
        let mut snapshots = Vec::new();
        for (key, record) in keys.zip(records) {
            let (key, record) = (key?, record?);
            let Some(kind) = DocId::parse(&key).ok().and_then(|id| SalonDocKind::of(&id)) else { continue };
            let Ok(doc) = SalonDoc::load(&record.bytes) else { continue };
            match kind {
                SalonDocKind::Settings => {
                    policy = doc.policy();
                    care = doc.care_plan();
                    name = doc.name().map(|n| n.as_str().to_owned());
                }
                SalonDocKind::Snapshot(_) => snapshots.extend(doc.snapshot()),
            }
        }
        Ok(SalonState {
            policy_unreadable: policy.is_err(),
            care_unreadable: care.is_err(),
            policy: policy.ok().flatten().unwrap_or_default(),
            care: care.ok().flatten().unwrap_or_default(),
            name,
            snapshots,
        })
    }

    /// Changes a salon document with `edit` and stores it with its new changes in the outbox,
    /// in one transaction.
    pub async fn edit_salon_doc(
        &self,
        kind: SalonDocKind,
        edit: impl FnOnce(&mut SalonDoc, DeviceId) -> Result<Vec<LocalChange>, DomainError>,
    ) -> Result<(), AppError> {
        let doc_id = kind.doc_id();
        let tx = self.write_tx()?;
        let record: Option<DocRecord> = tx.object_store(DOCS)?.get(doc_id.as_str().to_owned()).serde()?.await?;
        let mut doc = match record {
            Some(record) => SalonDoc::load(&record.bytes)?,
            None => SalonDoc::empty(),
        };
        let changes = edit(&mut doc, self.device)?;
        if changes.is_empty() {
            return Ok(());
        }
        self.write_doc(&tx, &doc_id, doc.save(), None, &changes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves a document, its list entry (a customer's) and its new changes in the outbox, in
    /// `tx`. A customer's changes are tagged with her key, made now if she has none here.
    async fn write_doc(
        &self,
        tx: &Transaction<'_>,
        doc_id: &DocId,
        bytes: Vec<u8>,
        summary: Option<&CustomerSummary>,
        changes: &[LocalChange],
    ) -> Result<(), AppError> {
        tx.object_store(DOCS)?
            .put(DocRecord { bytes })
            .with_key(doc_id.as_str().to_owned())
            .without_key_type()
            .serde()?;
        if let Some(summary) = summary {
            tx.object_store(CUSTOMERS)?.put(summary).with_key(summary.id.clone()).without_key_type().serde()?;
        }
        let her_key = match (doc_id.customer(), changes.is_empty()) {
            (Some(_), false) => Some(her_key_in(tx, doc_id).await?.id()),
            _ => None,
        };
        for change in changes {
            tx.object_store(OUTBOX)?.add(OutboxRecord::new(doc_id, change, her_key)).serde()?;
        }
        Ok(())
    }

    /// The oldest outbox entries, in the order they were made, sealed under `ring` (and her
    /// own key, for a customer's change made since customers have keys): entries still in
    /// plaintext (made before the device had the salon key) are sealed and saved so first.
    /// Her key's record goes just before the first change sealed under it, until the relay
    /// has acknowledged it.
    pub async fn outbox_peek_sealed(
        &self,
        limit: u32,
        salon: &SalonId,
        ring: &Keyring,
    ) -> Result<Vec<Outgoing>, AppError> {
        let tx = self.db.transaction([OUTBOX, DOC_KEYS]).with_mode(TransactionMode::Readwrite).build()?;
        let store = tx.object_store(OUTBOX)?;
        let rows = store.get_all::<OutboxRecord>().with_limit(limit).serde()?.await?;
        let mut kept: BTreeMap<String, Vec<(DocKey, bool)>> = BTreeMap::new();
        let mut pending = Vec::new();
        for row in rows {
            let mut row = row?;
            let (Some(key_no), Ok(doc)) = (row.id, DocId::parse(&row.doc)) else {
                return Err(corrupt("outbox"));
            };
            let her = match row.her_key() {
                Some(id) => {
                    if !kept.contains_key(&row.doc) {
                        let record = doc_keys_in(&tx, &doc).await?;
                        let keys = record.keys.iter().filter_map(|k| Some((k.key()?, k.announced))).collect();
                        kept.insert(row.doc.clone(), keys);
                    }
                    let hers = kept.get_mut(&row.doc).map(Vec::as_mut_slice).unwrap_or_default();
                    match hers.iter_mut().find(|(k, _)| k.id() == id) {
                        Some((her, announced)) => {
                            if !*announced {
                                // Once per push: the relay stores it before the change.
                                *announced = true;
                                let bytes = ring.seal_doc_key(salon, &doc, her);
                                let hash = *BlobHash::of(&bytes).as_bytes();
                                let change = WireChange { doc: doc.clone(), hash, bytes };
                                pending.push(Outgoing { outbox: None, announces: Some((doc.clone(), id)), change });
                            }
                            Some(her.clone())
                        }
                        // Her key is gone from this device (she was erased meanwhile): the
                        // change goes nowhere it could be read.
                        None => return Err(corrupt("customer key")),
                    }
                }
                None => None,
            };
            if !row.sealed {
                row.bytes = ring.seal_change(salon, &doc, her.as_ref(), &row.bytes);
                row.hash = BlobHash::of(&row.bytes).as_bytes().to_vec();
                row.sealed = true;
                store.put(&row).serde()?;
            }
            let hash = <[u8; 32]>::try_from(row.hash.as_slice()).map_err(|_| corrupt("outbox"))?;
            pending.push(Outgoing {
                outbox: Some(key_no),
                announces: None,
                change: WireChange { doc, hash, bytes: row.bytes },
            });
        }
        tx.commit().await?;
        Ok(pending)
    }

    /// The relay acknowledged these customers' key records.
    pub async fn keys_announced(&self, announced: &[(DocId, DocKeyId)]) -> Result<(), AppError> {
        if announced.is_empty() {
            return Ok(());
        }
        let tx = self.db.transaction(DOC_KEYS).with_mode(TransactionMode::Readwrite).build()?;
        let store = tx.object_store(DOC_KEYS)?;
        for (doc, id) in announced {
            let mut record = doc_keys_in(&tx, doc).await?;
            record.keys.iter_mut().filter(|k| k.key().is_some_and(|k| k.id() == *id)).for_each(|k| k.announced = true);
            store.put(&record).with_key(doc.as_str().to_owned()).without_key_type().serde()?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Drops acknowledged entries: keys `first..=last` (a push takes a run of consecutive
    /// oldest entries, and newer entries always get larger keys).
    pub async fn outbox_remove(&self, first: u64, last: u64) -> Result<(), AppError> {
        let tx = self.db.transaction(OUTBOX).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(OUTBOX)?
            .delete::<f64, _>(KeyRange::Bound(first as f64, false, last as f64, false))
            .primitive()?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn outbox_len(&self) -> Result<u32, AppError> {
        let tx = self.db.transaction(OUTBOX).build()?;
        Ok(tx.object_store(OUTBOX)?.count().primitive()?.await?)
    }

    async fn meta<T: for<'de> Deserialize<'de>>(&self, key: &str) -> Result<Option<T>, AppError> {
        let tx = self.db.transaction(META).build()?;
        Ok(tx.object_store(META)?.get(key.to_owned()).serde()?.await?)
    }

    async fn set_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<(), AppError> {
        let tx = self.db.transaction(META).with_mode(TransactionMode::Readwrite).build()?;
        tx.object_store(META)?.put(value).with_key(key.to_owned()).without_key_type().serde()?;
        tx.commit().await?;
        Ok(())
    }

    /// The cursor, with where it stands at the relay when known.
    pub async fn position(&self) -> Result<(u64, Option<Position>, Option<Receipt>), AppError> {
        let cursor = self.cursor().await?;
        let at: Option<AtRecord> = self.meta(META_AT).await?;
        let at = at.filter(|at| at.seq == cursor).and_then(|at| {
            let hash = <[u8; 32]>::try_from(at.hash.as_slice()).ok()?;
            Some(Position { seq: at.seq, hash, read: at.read })
        });
        let pushed: Option<ReceiptRecord> = self.meta(META_PUSHED).await?;
        let pushed =
            pushed.and_then(|p| Some(Receipt { seq: p.seq, hash: <[u8; 32]>::try_from(p.hash.as_slice()).ok()? }));
        Ok((cursor, at, pushed))
    }

    /// Keeps the relay's receipt for the newest change this device pushed.
    pub async fn set_pushed(&self, receipt: Receipt) -> Result<(), AppError> {
        self.set_meta(META_PUSHED, &ReceiptRecord { seq: receipt.seq, hash: receipt.hash.to_vec() }).await
    }

    /// The relay no longer holds what this device read (it was restored from an older backup):
    /// the cursor goes back to 0 and every change of every document here goes into the outbox
    /// again, and every photo into the upload queue, in one transaction. The relay stores what
    /// it lacks and recognises the rest.
    pub async fn forget_relay(&self) -> Result<(), AppError> {
        let tx = self.write_tx()?;
        let docs = tx.object_store(DOCS)?;
        let ids = docs.get_all_keys::<String>().primitive()?.await?;
        let records = docs.get_all::<DocRecord>().serde()?.await?;
        let outbox = tx.object_store(OUTBOX)?;
        let doc_keys = tx.object_store(DOC_KEYS)?;
        let mut owners = BTreeMap::new();
        for (id, record) in ids.zip(records) {
            let (id, record) = (id?, record?);
            let (Ok(doc_id), Ok(doc)) = (DocId::parse(&id), CustomerDoc::load(&record.bytes)) else { continue };
            // Her keys' records go again, before her changes (sealed under the key every
            // device with her keys picks, so the relay recognises what it still has).
            let mut kept = doc_keys_in(&tx, &doc_id).await?;
            let her = DocKey::sealing(&kept.keys()).map(DocKey::id);
            if !kept.keys.is_empty() {
                kept.keys.iter_mut().for_each(|k| k.announced = false);
                doc_keys.put(&kept).with_key(id.clone()).without_key_type().serde()?;
            }
            for change in doc.all_changes() {
                outbox.add(OutboxRecord::new(&doc_id, &change, her)).serde()?;
            }
            owners.extend(doc.photo_blobs().into_iter().map(|photo| (photo, PhotoOwner::of(&doc_id))));
        }
        // Photos too: every photo this device has goes back into the upload queue.
        let photos = tx.object_store(BLOBS)?.get_all_keys::<String>().primitive()?.await?;
        let uploads = tx.object_store(BLOB_OUTBOX)?;
        for photo in photos {
            let photo = photo?;
            let owner = owners.get(&photo).cloned().unwrap_or(PhotoOwner::Unknown(true));
            uploads.put(owner).with_key(photo).without_key_type().serde()?;
        }
        let meta = tx.object_store(META)?;
        meta.put(0u64).with_key(META_CURSOR.to_owned()).without_key_type().serde()?;
        meta.delete(META_AT.to_owned()).primitive()?;
        meta.delete(META_PUSHED.to_owned()).primitive()?;
        // A relay restored from a backup taken before an erasure holds her again: tell it again.
        let mut erasures: Erasures = meta.get(META_ERASED.to_owned()).serde()?.await?.unwrap_or_default();
        if !erasures.is_empty() {
            erasures.values_mut().for_each(|erasure| erasure.confirmed = false);
            meta.put(&erasures).with_key(META_ERASED.to_owned()).without_key_type().serde()?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Highest relay sequence number whose change is stored here.
    pub async fn cursor(&self) -> Result<u64, AppError> {
        Ok(self.meta(META_CURSOR).await?.unwrap_or(0))
    }

    pub async fn relay_config(&self) -> Result<Option<RelayConfig>, AppError> {
        self.meta(META_RELAY).await
    }

    pub async fn set_relay_config(&self, config: &RelayConfig) -> Result<(), AppError> {
        self.set_meta(META_RELAY, config).await
    }

    /// Whether this device holds anything of its salon: a document (customer or salon-wide),
    /// a photo, a kept-aside change, or a change, photo or erasure not yet uploaded. Such a
    /// device must not be switched to another salon as it is: its data would go there.
    pub async fn holds_salon_data(&self) -> Result<bool, AppError> {
        let tx = self.db.transaction([DOCS, OUTBOX, BLOBS, BLOB_OUTBOX, QUARANTINE, META]).build()?;
        let mut held = unsent_in(&tx).await?;
        for store in [DOCS, BLOBS, QUARANTINE] {
            held += tx.object_store(store)?.count().primitive()?.await?;
        }
        Ok(held > 0)
    }

    /// What this device holds that its salon's relay has not acknowledged yet: changes,
    /// photos and erasures. While any is left, its files may not be wiped.
    pub async fn unsent(&self) -> Result<u32, AppError> {
        let tx = self.db.transaction([OUTBOX, BLOB_OUTBOX, META]).build()?;
        unsent_in(&tx).await
    }

    /// Wipes this device's files of its current salon and connects it to another one, in one
    /// transaction: only when everything here is at the old salon's relay (nothing unsent),
    /// checked inside that transaction. Its device identity (id, number tag and count) stays.
    pub async fn wipe_and_switch(&self, config: &RelayConfig) -> Result<(), AppError> {
        let tx = self.write_tx()?;
        let unsent = unsent_in(&tx).await?;
        if unsent > 0 {
            return Err(AppError::Unsent(unsent));
        }
        for store in [DOCS, CUSTOMERS, OUTBOX, BLOBS, BLOB_OUTBOX, BLOB_WANTED, QUARANTINE, DOC_KEYS] {
            tx.object_store(store)?.clear()?;
        }
        connect_to(&tx, config)?;
        tx.commit().await?;
        Ok(())
    }

    /// Connects this device to another salon: the new code, and the sync position of the old
    /// salon forgotten (the new salon's changes are pulled from its start), in one transaction.
    pub async fn switch_salon(&self, config: &RelayConfig) -> Result<(), AppError> {
        let tx = self.db.transaction(META).with_mode(TransactionMode::Readwrite).build()?;
        connect_to(&tx, config)?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn last_synced(&self) -> Result<Option<i64>, AppError> {
        self.meta(META_LAST_SYNCED).await
    }

    pub async fn set_last_synced(&self, ms: i64) -> Result<(), AppError> {
        self.set_meta(META_LAST_SYNCED, &ms).await
    }
}
