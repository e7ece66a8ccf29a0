//! The mapping between a customer file and its automerge document (one document per customer).
//!
//! Layout of the document root (schema 2):
//! - `schema` (uint), `kind` = "customer", `id`, `number`, `created_at` (timestamp, ms),
//!   `deleted_at` (timestamp, or null when the customer is not in the bin);
//! - one key per [`Field`]: registers (scalar strings) for one-line fields, choices, dates and
//!   the phone; automerge text objects for free text ([`Kind::Text`]); `tags`, a map from tag
//!   to `true`, so concurrent additions all survive;
//! - entry maps `visits`, `cards`, `money`, `photos`: entry id → map of the entry's scalars
//!   (a visit's `card_uses` is a nested map card id → sessions). Entries are only added or
//!   voided (see `entries.rs`);
//! - `override_value`, `override_lifecycle`, `override_grade`, `override_segment`: registers
//!   holding the owner's class override as JSON (blank when none); scalars, so no upgrade;
//! - `contact_<entry id>`, `task_<task id>`, `handover_<entry id>`: the follow-up log, task
//!   states and hand-overs, one JSON register each (root scalars again: no upgrade needed);
//! - `complaint_<entry id>` and `complaint-action_<entry id>`: the complaint book, likewise;
//! - `consent_<entry id>`: her consent decisions (see `consent.rs`), likewise.
//!
//! Schema 1 documents (the first release) had only `allergies` and `notes` as containers. The
//! first device that writes to one adds the missing containers with a *deterministic* upgrade
//! change: the same actor, the same base (the creating change), time 0 and the same
//! operations on every device, hence the same hash. Two devices upgrading offline therefore
//! produce one change, not two competing `visits` maps of which one would win and hide the
//! other's entries.
//!
//! A later schema that adds containers must add its own upgrade step: fork at the creating
//! change *plus the earlier upgrade changes* and create only that version's new containers.
//! Re-running this step would create competing copies of containers the first upgrade made.
//! New scalar fields need no upgrade (a missing register reads as blank).
//!
//! Edits write only the fields the user changed since the form was opened: a tablet that
//! changed the phone must not also re-write the notes, or it would overwrite a notes edit made
//! meanwhile on another tablet. (automerge skips a put of the current value on its own, but
//! not when the key holds a conflict: there it records a resolution, so a save that changed
//! nothing would still create a change. Comparing first keeps such saves silent.)
//! Free text is an automerge text object so concurrent edits to it interleave instead of one
//! replacing the other.

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::{CommitOptions, Transactable, Transaction};
use automerge::{ActorId, Automerge, Change, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use jiff::Timestamp;
use jiff::civil::Date;

use super::consent::{ConsentEvent, Consents, Purpose, health_written};
use super::entries::{Account, BodyArea, Card, EntryId, MoneyEntry, MoneyKind, Photo, PhotoStage, Visit};
use super::fields::{Field, Kind, Profile, Tag};
use super::number::CustomerNumber;
use crate::care::complaints::{Complaint, ComplaintAction, ComplaintStatus};
use crate::care::rules::Handover;
use crate::care::{Contact, TaskState, TaskStates};
use crate::classify::overrides::{Dimension, Override};
use crate::ids::{CustomerId, DeviceId};
use crate::money::{Fen, Payment};
use crate::record::{RecordProblem, Unreadable, decode_at, encode};
use crate::{DomainError, FieldProblem};

const SCHEMA: u64 = 2;
/// The actor of the deterministic schema upgrade change. Never a device's actor (device
/// actors are 16 random bytes; this one is 20).
const UPGRADE_ACTOR: &[u8] = b"meike-schema-upgrade";
const ENTRY_MAPS: [&str; 4] = ["visits", "cards", "money", "photos"];
/// What one entry of each map is, for [`Unreadable::kind`].
const ENTRY_KINDS: [&str; 4] = ["visit", "card", "money", "photo"];

/// Root registers of the follow-up log, task states and hand-overs: `contact_<entry id>`,
/// `task_<task id>`, `handover_<entry id>`, each a JSON scalar. Keys are unique per entry (or
/// per task, which every device names alike), so they merge like entries without a container.
const CONTACT_PREFIX: &str = "contact_";
const TASK_PREFIX: &str = "task_";
const HANDOVER_PREFIX: &str = "handover_";
/// Complaints (`complaint_<entry id>`, written once) and the actions taken on them
/// (`complaint-action_<entry id>`, add-only).
const COMPLAINT_PREFIX: &str = "complaint_";
const ACTION_PREFIX: &str = "complaint-action_";
/// Consent decisions (`consent_<entry id>`, written once each).
const CONSENT_PREFIX: &str = "consent_";

/// The root register holding a class override: `override_value`, `override_grade` …
fn override_key(dimension: Dimension) -> String {
    format!("override_{}", dimension.key())
}

/// A customer file as read from its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub number: CustomerNumber,
    pub created_at: Timestamp,
    pub profile: Profile,
}

impl Customer {
    /// The UTC calendar date her file was made. The domain knows no time zone; for a salon in
    /// China (UTC+8) a file made during opening hours has the same date in UTC and locally.
    pub fn created_on(&self) -> Date {
        let days = self.created_at.as_second().div_euclid(86_400);
        Date::constant(1970, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap_or(Date::MIN)
    }
}

/// The whole file: the customer and every entry, plus whether she is in the bin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerFile {
    pub customer: Customer,
    /// Oldest first, voided ones included (shown struck through).
    pub visits: Vec<Visit>,
    pub cards: Vec<Card>,
    pub money: Vec<MoneyEntry>,
    pub photos: Vec<Photo>,
    /// When the customer was moved to the bin; `None` when she is not in it.
    pub deleted_at: Option<Timestamp>,
    /// The owner's class overrides, expired ones included (one per dimension at most).
    pub overrides: Vec<Override>,
    /// The follow-up log, oldest first, voided contacts included.
    pub contacts: Vec<Contact>,
    /// What people decided about follow-up tasks, by task id.
    pub task_states: TaskStates,
    /// Hand-overs from one beautician to another, oldest first.
    pub handovers: Vec<Handover>,
    /// Her complaints and suggestions with the actions taken, oldest first.
    pub complaints: Vec<ComplaintStatus>,
    /// Her consent decisions (health record, photos, marketing), oldest first.
    pub consents: Consents,
    /// Records this build could not read (written by a newer app, most likely). They stay in
    /// the document as they are; totals and lists above leave them out, and say so.
    pub unreadable: Vec<Unreadable>,
}

impl CustomerFile {
    /// Balances, cards and totals on `today`.
    pub fn account(&self, today: Date) -> Account {
        Account::of(&self.visits, &self.cards, &self.money, today)
    }
}

/// A document version: the heads of its change graph at some moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(Vec<automerge::ChangeHash>);

/// What is needed to start a new customer's document.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub id: CustomerId,
    pub number: CustomerNumber,
    pub created_at: Timestamp,
    pub profile: Profile,
    /// Consents she gave when her file was opened (the form's consent box).
    pub consents: Vec<ConsentEvent>,
}

impl NewCustomer {
    /// Health notes in a new file need her health consent among `consents`.
    pub fn check_consent(&self) -> Result<(), DomainError> {
        let consents = Consents::new(self.consents.clone());
        if !health_written(None, &self.profile).is_empty() && !consents.allows(Purpose::Health) {
            return Err(DomainError::NoConsent(Purpose::Health));
        }
        Ok(())
    }
}

/// One change made on this device, ready for the outbox: its hash (the relay's dedup key)
/// and its encoded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalChange {
    pub hash: [u8; 32],
    pub bytes: Vec<u8>,
}

impl LocalChange {
    pub(crate) fn of(change: &Change) -> Self {
        LocalChange { hash: change.hash().0, bytes: change.raw_bytes().to_vec() }
    }
}

/// An entry added to or voided in a file.
#[derive(Debug, Clone)]
pub enum EntryEdit<'a> {
    AddVisit(&'a Visit),
    AddCard(&'a Card),
    AddMoney(&'a MoneyEntry),
    AddPhoto(&'a Photo),
    /// Marks an entry of any kind as voided (a correction; the entry stays, struck through).
    Void(&'a EntryId),
}

/// A customer's automerge document.
#[derive(Debug, Clone)]
pub struct CustomerDoc {
    doc: Automerge,
}

impl Default for CustomerDoc {
    fn default() -> Self {
        Self::empty()
    }
}

impl CustomerDoc {
    /// A document with no changes yet: what a device holds before the first change of a
    /// customer created elsewhere arrives.
    pub fn empty() -> Self {
        CustomerDoc { doc: Automerge::new() }
    }

    /// Loads a document saved with [`CustomerDoc::save`]. Changes still waiting for their
    /// dependencies are kept.
    pub fn load(bytes: &[u8]) -> Result<Self, DomainError> {
        Ok(CustomerDoc { doc: Automerge::load(bytes)? })
    }

    /// The whole document, including changes that still wait for their dependencies.
    pub fn save(&self) -> Vec<u8> {
        self.doc.save()
    }

    /// Starts the document of a new customer, authored by `device`, with every container of
    /// the current schema.
    pub fn create(device: DeviceId, new: &NewCustomer) -> Result<(Self, LocalChange), DomainError> {
        let mut doc = Automerge::new().with_actor(device.actor());
        let mut tx = doc.transaction();
        tx.put(ROOT, "schema", ScalarValue::Uint(SCHEMA))?;
        tx.put(ROOT, "kind", "customer")?;
        tx.put(ROOT, "id", new.id.as_str())?;
        tx.put(ROOT, "number", new.number.to_string())?;
        tx.put(ROOT, "created_at", ScalarValue::Timestamp(new.created_at.as_millisecond()))?;
        tx.put(ROOT, "deleted_at", ScalarValue::Null)?;
        for field in Field::ALL.iter().copied() {
            match field.kind() {
                Kind::Text(_) => {
                    let text = tx.put_object(ROOT, field.key(), ObjType::Text)?;
                    tx.update_text(&text, new.profile.get(field))?;
                }
                Kind::Tags => {
                    let tags = tx.put_object(ROOT, field.key(), ObjType::Map)?;
                    for tag in new.profile.tags() {
                        tx.put(&tags, tag.as_str(), true)?;
                    }
                }
                _ => tx.put(ROOT, field.key(), new.profile.get(field))?,
            }
        }
        for key in ENTRY_MAPS {
            tx.put_object(ROOT, key, ObjType::Map)?;
        }
        for event in &new.consents {
            tx.put(ROOT, format!("{CONSENT_PREFIX}{}", event.id.as_str()), consent_json(event)?)?;
        }
        let (hash, _) = tx.commit_with(CommitOptions::default().with_time(new.created_at.as_second()));
        let change = hash
            .and_then(|hash| doc.get_change_by_hash(&hash))
            .ok_or(DomainError::Corrupt("creating a customer produced no change".into()))?;
        let local = LocalChange::of(&change);
        Ok((CustomerDoc { doc }, local))
    }

    /// The state of the document a form was filled from. Pass it back to
    /// [`CustomerDoc::update_profile`] so only what the user changed is written.
    pub fn version(&self) -> Version {
        Version(self.doc.get_heads())
    }

    /// Records an edit made in a form opened at `base`: each field that differs between the
    /// document at `base` and `profile` is written, and nothing else. Changes that arrived
    /// from other devices while the form was open are kept (their fields were not touched),
    /// text edits are rebased character by character onto theirs, and tags are added and
    /// removed one by one. Returns the new changes (none when the user changed nothing; the
    /// schema upgrade first when the document needed one).
    pub fn update_profile(
        &mut self,
        device: DeviceId,
        base: &Version,
        profile: &Profile,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        let actor = device.actor();
        // Writing on a fork of the base version turns "what the user saw" into the automerge
        // ancestor of the edit, so the merge below is three-way. A device's changes must form
        // one sequence, so if this device changed the document after `base` (another tab), the
        // fork starts from the present instead.
        let own_change_since_base = self.doc.get_changes(&base.0).iter().any(|change| change.actor_id() == &actor);
        let mut fork = if own_change_since_base || base.0.iter().any(|h| self.doc.get_change_by_hash(h).is_none()) {
            self.doc.fork()
        } else {
            self.doc.fork_at(&base.0)?
        };
        let upgrade = upgrade(&mut fork)?;
        fork.set_actor(actor.clone());
        let before = CustomerDoc { doc: fork };
        if let Ok(was) = before.customer()
            && !health_written(Some(&was.profile), profile).is_empty()
            && !self.consents().allows(Purpose::Health)
        {
            return Err(DomainError::NoConsent(Purpose::Health));
        }
        let old_tags = before.tags();
        let mut scalars = Vec::new();
        let mut texts = Vec::new();
        for field in Field::ALL.iter().copied() {
            match field.kind() {
                Kind::Text(_) => texts.push((before.object(field.key(), ObjType::Text)?, profile.get(field))),
                Kind::Tags => {}
                _ => {
                    let stored = before.string(field.key());
                    // A value this build cannot read was shown blank: leaving it blank keeps it.
                    let unread = profile.get(field).is_empty() && Profile::stored_problem(field, &stored).is_some();
                    if stored != profile.get(field) && !unread {
                        scalars.push((field.key(), profile.get(field)));
                    }
                }
            }
        }
        let tags = before.object(Field::Tags.key(), ObjType::Map)?;
        let mut fork = before.doc;
        let mut tx = fork.transaction();
        for (key, value) in scalars {
            tx.put(ROOT, key, value)?;
        }
        for (text, value) in texts {
            tx.update_text(&text, value)?;
        }
        for gone in old_tags.difference(profile.tags()) {
            tx.delete(&tags, gone.as_str())?;
        }
        for added in profile.tags().difference(&old_tags) {
            tx.put(&tags, added.as_str(), true)?;
        }
        let (hash, _) = tx.commit_with(CommitOptions::default().with_time(now.as_second()));
        let mut changes = Vec::new();
        let upgrade = upgrade.filter(|u| self.doc.get_change_by_hash(&automerge::ChangeHash(u.hash)).is_none());
        if let Some(upgrade) = upgrade.filter(|_| hash.is_some()) {
            changes.push(upgrade);
        }
        let Some(hash) = hash else { return Ok(changes) };
        self.doc.set_actor(actor);
        self.doc.merge(&mut fork)?;
        let change = self
            .doc
            .get_change_by_hash(&hash)
            .ok_or(DomainError::Corrupt("a merged edit is missing from the document".into()))?;
        changes.push(LocalChange::of(&change));
        Ok(changes)
    }

    /// Adds or voids an entry. Entries live under their own random ids, so this never
    /// conflicts with another device's entries.
    pub fn edit_entry(
        &mut self,
        device: DeviceId,
        edit: EntryEdit<'_>,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        if let EntryEdit::Void(id) = &edit
            && self.find_entry(id).is_none()
        {
            return Err(DomainError::NotACustomer("entry"));
        }
        if matches!(edit, EntryEdit::AddPhoto(_)) && !self.consents().allows(Purpose::Photos) {
            return Err(DomainError::NoConsent(Purpose::Photos));
        }
        self.write(device, now, |tx, maps| {
            match edit {
                EntryEdit::AddVisit(visit) => {
                    let entry = tx.put_object(&maps[0], visit.id.as_str(), ObjType::Map)?;
                    tx.put(&entry, "at", visit.at.to_string())?;
                    tx.put(&entry, "items", visit.items.as_str())?;
                    tx.put(&entry, "beautician", visit.beautician.as_str())?;
                    tx.put(&entry, "amount", visit.amount.as_fen())?;
                    tx.put(&entry, "payment", visit.payment.key())?;
                    tx.put(&entry, "products", visit.products.as_str())?;
                    tx.put(&entry, "notes", visit.notes.as_str())?;
                    let uses = tx.put_object(&entry, "card_uses", ObjType::Map)?;
                    for (card, n) in &visit.card_uses {
                        tx.put(&uses, card.as_str(), ScalarValue::Uint(u64::from(*n)))?;
                    }
                }
                EntryEdit::AddCard(card) => {
                    let entry = tx.put_object(&maps[1], card.id.as_str(), ObjType::Map)?;
                    tx.put(&entry, "item", card.item.as_str())?;
                    tx.put(&entry, "sessions", ScalarValue::Uint(u64::from(card.sessions)))?;
                    tx.put(&entry, "used_before", ScalarValue::Uint(u64::from(card.used_before)))?;
                    tx.put(&entry, "price", card.price.as_fen())?;
                    tx.put(&entry, "payment", card.payment.key())?;
                    tx.put(&entry, "bought_on", card.bought_on.to_string())?;
                    tx.put(&entry, "expires_on", card.expires_on.map(|d| d.to_string()).unwrap_or_default())?;
                }
                EntryEdit::AddMoney(money) => {
                    let entry = tx.put_object(&maps[2], money.id.as_str(), ObjType::Map)?;
                    tx.put(&entry, "on", money.on.to_string())?;
                    tx.put(&entry, "kind", money.kind.key())?;
                    tx.put(&entry, "amount", money.amount.as_fen())?;
                    tx.put(&entry, "payment", money.payment.key())?;
                    tx.put(&entry, "note", money.note.as_str())?;
                }
                EntryEdit::AddPhoto(photo) => {
                    let entry = tx.put_object(&maps[3], photo.id.as_str(), ObjType::Map)?;
                    tx.put(&entry, "blob", photo.blob.as_str())?;
                    tx.put(&entry, "area", photo.area.key())?;
                    tx.put(&entry, "stage", photo.stage.key())?;
                    tx.put(&entry, "taken_on", photo.taken_on.to_string())?;
                    tx.put(&entry, "note", photo.note.as_str())?;
                    tx.put(&entry, "width", ScalarValue::Uint(u64::from(photo.width)))?;
                    tx.put(&entry, "height", ScalarValue::Uint(u64::from(photo.height)))?;
                    tx.put(&entry, "bytes", ScalarValue::Uint(u64::from(photo.bytes)))?;
                }
                EntryEdit::Void(id) => {
                    for map in maps {
                        if let Some((Value::Object(ObjType::Map), entry)) = tx.get(map, id.as_str())? {
                            tx.put(&entry, "voided", true)?;
                        }
                    }
                }
            }
            Ok(())
        })
    }

    /// Records her decision on one purpose. Withdrawing stops that use in the same change:
    /// a withdrawn health consent clears her health notes, a withdrawn photo consent voids
    /// her photos (their bytes go only when she is erased).
    pub fn record_consent(
        &mut self,
        device: DeviceId,
        event: &ConsentEvent,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        let json = consent_json(event)?;
        let key = format!("{CONSENT_PREFIX}{}", event.id.as_str());
        let withdraws = |purpose| !event.given && event.purpose == purpose;
        let (clear_health, void_photos) = (withdraws(Purpose::Health), withdraws(Purpose::Photos));
        // What to clear is looked up inside the write, after `write` upgraded an old file
        // (whose health notes may not be containers yet).
        self.write(device, now, |tx, maps| {
            tx.put(ROOT, key, json)?;
            if clear_health {
                for field in Field::ALL.iter().copied().filter(|f| f.is_health()) {
                    match field.kind() {
                        Kind::Text(_) => {
                            let text = object_of(tx, field.key(), ObjType::Text)
                                .ok_or(DomainError::NotACustomer("container"))?;
                            tx.update_text(&text, "")?;
                        }
                        _ => tx.put(ROOT, field.key(), "")?,
                    }
                }
            }
            if void_photos {
                let photos = &maps[3];
                let entries: Vec<ObjId> = tx
                    .keys(photos)
                    .filter_map(|key| match tx.get(photos, &key) {
                        Ok(Some((Value::Object(ObjType::Map), entry))) => Some(entry),
                        _ => None,
                    })
                    .collect();
                for entry in &entries {
                    tx.put(entry, "voided", true)?;
                }
            }
            Ok(())
        })
    }

    /// Her consent decisions as they stand in this document.
    pub fn consents(&self) -> Consents {
        let (mut events, mut unreadable) = (Vec::new(), 0);
        for key in self.doc.keys(ROOT).filter(|key| key.starts_with(CONSENT_PREFIX)) {
            match decode_at::<ConsentEvent>(&key, &self.string(&key)) {
                Ok(event) => events.push(event),
                Err(_) => unreadable += 1,
            }
        }
        Consents::new(events).with_unreadable(unreadable)
    }

    /// Moves the customer to the bin (`Some(now)`) or takes her out of it (`None`).
    pub fn set_deleted(
        &mut self,
        device: DeviceId,
        deleted: bool,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        let value = if deleted { ScalarValue::Timestamp(now.as_millisecond()) } else { ScalarValue::Null };
        self.write(device, now, |tx, _| {
            tx.put(ROOT, "deleted_at", value)?;
            Ok(())
        })
    }

    /// Puts the customer in a class by hand (`Some`), or gives the class back to the rules
    /// (`None`). A register per dimension: the last decision wins on every device.
    pub fn set_override(
        &mut self,
        device: DeviceId,
        dimension: Dimension,
        set: Option<&Override>,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        let value = match set {
            Some(o) if o.class.dimension() == dimension => encode(o)?,
            Some(_) => return Err(DomainError::Corrupt("an override of another dimension".into())),
            None => String::new(),
        };
        self.write(device, now, |tx, _| {
            tx.put(ROOT, override_key(dimension), value)?;
            Ok(())
        })
    }

    /// Records a contact in the follow-up log (or rewrites it, voided, as a correction).
    pub fn put_contact(
        &mut self,
        device: DeviceId,
        contact: &Contact,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        let json = encode(contact)?;
        let key = format!("{CONTACT_PREFIX}{}", contact.id.as_str());
        self.write(device, now, |tx, _| {
            tx.put(ROOT, key, json)?;
            Ok(())
        })
    }

    /// Records a complaint or suggestion.
    pub fn add_complaint(
        &mut self,
        device: DeviceId,
        complaint: &Complaint,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        let json = encode(complaint)?;
        let key = format!("{COMPLAINT_PREFIX}{}", complaint.id.as_str());
        self.write(device, now, |tx, _| {
            tx.put(ROOT, key, json)?;
            Ok(())
        })
    }

    /// Records what was done about a complaint (resolving it when the action says so).
    pub fn add_complaint_action(
        &mut self,
        device: DeviceId,
        action: &ComplaintAction,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        let json = encode(action)?;
        let key = format!("{ACTION_PREFIX}{}", action.id.as_str());
        self.write(device, now, |tx, _| {
            tx.put(ROOT, key, json)?;
            Ok(())
        })
    }

    /// Marks a follow-up task done, snoozed or skipped (`None`: open again).
    pub fn set_task_state(
        &mut self,
        device: DeviceId,
        task: &str,
        state: Option<&TaskState>,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        let json = match state {
            Some(state) => encode(state)?,
            None => String::new(),
        };
        let key = format!("{TASK_PREFIX}{task}");
        self.write(device, now, |tx, _| {
            tx.put(ROOT, key, json)?;
            Ok(())
        })
    }

    /// Records that the customer moved to another beautician (`entry` is a fresh id), and
    /// assigns her to the new one in the same change.
    pub fn hand_over(
        &mut self,
        device: DeviceId,
        entry: &EntryId,
        handover: &Handover,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        let json = encode(handover)?;
        let key = format!("{HANDOVER_PREFIX}{}", entry.as_str());
        let to = handover.to.clone();
        self.write(device, now, |tx, _| {
            tx.put(ROOT, key, json)?;
            tx.put(ROOT, Field::Beautician.key(), to)?;
            Ok(())
        })
    }

    /// One transaction on the present document, after the schema upgrade if it is needed.
    fn write(
        &mut self,
        device: DeviceId,
        now: Timestamp,
        f: impl FnOnce(&mut Transaction<'_>, &[ObjId; 4]) -> Result<(), DomainError>,
    ) -> Result<Vec<LocalChange>, DomainError> {
        self.customer()?;
        let mut changes: Vec<LocalChange> = upgrade(&mut self.doc)?.into_iter().collect();
        self.doc.set_actor(device.actor());
        let maps = [
            self.object(ENTRY_MAPS[0], ObjType::Map)?,
            self.object(ENTRY_MAPS[1], ObjType::Map)?,
            self.object(ENTRY_MAPS[2], ObjType::Map)?,
            self.object(ENTRY_MAPS[3], ObjType::Map)?,
        ];
        let mut tx = self.doc.transaction();
        f(&mut tx, &maps)?;
        let (hash, _) = tx.commit_with(CommitOptions::default().with_time(now.as_second()));
        if let Some(change) = hash.and_then(|hash| self.doc.get_change_by_hash(&hash)) {
            changes.push(LocalChange::of(&change));
        }
        Ok(changes)
    }

    /// Applies changes received from other devices, in any order and any number of times.
    /// Changes whose dependencies have not arrived yet wait inside the document.
    pub fn apply_changes<'a>(&mut self, changes: impl IntoIterator<Item = &'a [u8]>) -> Result<(), DomainError> {
        let mut decoded = Vec::new();
        for bytes in changes {
            decoded.push(Change::from_bytes(bytes.to_vec()).map_err(|e| DomainError::Corrupt(e.to_string()))?);
        }
        self.doc.apply_changes(decoded)?;
        Ok(())
    }

    /// Every change this document has applied, for tests and for re-sending a whole document.
    pub fn all_changes(&self) -> Vec<LocalChange> {
        self.doc.get_changes(&[]).iter().map(LocalChange::of).collect()
    }

    /// The document's heads, sorted: two replicas with equal heads hold equal state.
    pub fn heads(&self) -> Vec<[u8; 32]> {
        let mut heads: Vec<[u8; 32]> = self.doc.get_heads().into_iter().map(|h| h.0).collect();
        heads.sort_unstable();
        heads
    }

    /// True when some received changes still wait for changes that have not arrived.
    pub fn is_waiting_for_changes(&self) -> bool {
        !self.doc.get_missing_deps(&[]).is_empty()
    }

    /// Reads the customer. Fails when the document does not (yet) hold a customer, e.g.
    /// when only a later edit has arrived and the creating change has not.
    pub fn customer(&self) -> Result<Customer, DomainError> {
        self.read_customer().map(|(customer, _)| customer)
    }

    /// The customer, and the profile registers this build could not read (a newer app's
    /// choice, say): the form shows them blank, and an edit leaves them as they are.
    fn read_customer(&self) -> Result<(Customer, Vec<Unreadable>), DomainError> {
        let id = CustomerId::parse(&self.string("id")).map_err(|_| DomainError::NotACustomer("id"))?;
        let number = CustomerNumber::parse(&self.string("number")).map_err(|_| DomainError::NotACustomer("number"))?;
        let created_at = match self.scalar(ROOT, "created_at") {
            Some(ScalarValue::Timestamp(ms)) => {
                Timestamp::from_millisecond(ms).map_err(|_| DomainError::NotACustomer("created_at"))?
            }
            _ => return Err(DomainError::NotACustomer("created_at")),
        };
        let mut values = BTreeMap::new();
        for field in Field::ALL.iter().copied() {
            let value = match field.kind() {
                Kind::Text(_) => match self.doc.get(ROOT, field.key())? {
                    Some((Value::Object(ObjType::Text), text)) => self.doc.text(&text)?,
                    _ => String::new(),
                },
                Kind::Tags => continue,
                _ => self.string(field.key()),
            };
            values.insert(field, value);
        }
        // Stored values were validated when written; a value this version cannot read (a
        // newer app's choice, say) is left out rather than hiding the customer.
        let (profile, skipped) =
            Profile::from_stored(values, self.tags()).map_err(|_| DomainError::NotACustomer("name"))?;
        let unreadable = skipped
            .into_iter()
            .map(|(field, raw, problem)| {
                let problem = match problem {
                    FieldProblem::UnknownChoice => {
                        RecordProblem::UnknownValue { field: field.key(), value: raw.clone() }
                    }
                    other => RecordProblem::Malformed { detail: format!("{}: {other:?}", field.key()) },
                };
                Unreadable { kind: "profile", key: field.key().to_owned(), raw, problem }
            })
            .collect();
        Ok((Customer { id, number, created_at, profile }, unreadable))
    }

    /// Reads the whole file: the customer, her entries, and whether she is in the bin.
    pub fn file(&self) -> Result<CustomerFile, DomainError> {
        let (customer, mut unreadable) = self.read_customer()?;
        let deleted_at = match self.scalar(ROOT, "deleted_at") {
            Some(ScalarValue::Timestamp(ms)) => Timestamp::from_millisecond(ms).ok(),
            _ => None,
        };
        let mut visits = Vec::new();
        let mut cards = Vec::new();
        let mut money = Vec::new();
        let mut photos = Vec::new();
        for (map, kind) in ENTRY_KINDS.into_iter().enumerate() {
            for (id, e) in self.entries(map) {
                let key = id.as_str().to_owned();
                let read = match map {
                    0 => self.visit(id, &e).map(|v| visits.push(v)),
                    1 => self.card(id, &e).map(|c| cards.push(c)),
                    2 => self.money(id, &e).map(|m| money.push(m)),
                    _ => self.photo(id, &e).map(|p| photos.push(p)),
                };
                if let Err(problem) = read {
                    unreadable.push(Unreadable { kind, key, raw: String::new(), problem });
                }
            }
        }
        visits.sort_by(|a: &Visit, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        cards.sort_by(|a: &Card, b| (a.bought_on, &a.id).cmp(&(b.bought_on, &b.id)));
        money.sort_by(|a: &MoneyEntry, b| (a.on, &a.id).cmp(&(b.on, &b.id)));
        photos.sort_by(|a: &Photo, b| (a.taken_on, &a.id).cmp(&(b.taken_on, &b.id)));
        let mut overrides = Vec::new();
        for d in Dimension::ALL {
            let (key, raw) = (override_key(d), self.string(&override_key(d)));
            if raw.is_empty() {
                continue;
            }
            match decode_at::<Override>(&key, &raw) {
                Ok(o) if o.class.dimension() == d => overrides.push(o),
                Ok(_) => unreadable.push(Unreadable {
                    kind: "override",
                    key,
                    raw,
                    problem: RecordProblem::Malformed { detail: "a class of another dimension".into() },
                }),
                Err(u) => unreadable.push(u),
            }
        }
        let (mut contacts, mut task_states, mut handovers): (Vec<Contact>, _, Vec<Handover>) =
            (Vec::new(), TaskStates::new(), Vec::new());
        let (mut complaints, mut actions, mut consents) = (Vec::new(), Vec::new(), Vec::new());
        let mut unread_consents = 0;
        for key in self.doc.keys(ROOT) {
            let raw = || self.string(&key);
            let read = if let Some(id) = key.strip_prefix(TASK_PREFIX) {
                let raw = raw();
                // A task decision taken back is a blank register.
                if raw.is_empty() {
                    continue;
                }
                decode_at::<TaskState>(&key, &raw).map(|state| {
                    task_states.insert(id.to_owned(), state);
                })
            } else if key.starts_with(CONTACT_PREFIX) {
                decode_at(&key, &raw()).map(|c| contacts.push(c))
            } else if key.starts_with(HANDOVER_PREFIX) {
                decode_at(&key, &raw()).map(|h| handovers.push(h))
            } else if key.starts_with(ACTION_PREFIX) {
                decode_at(&key, &raw()).map(|a| actions.push(a))
            } else if key.starts_with(COMPLAINT_PREFIX) {
                decode_at(&key, &raw()).map(|c| complaints.push(c))
            } else if key.starts_with(CONSENT_PREFIX) {
                decode_at(&key, &raw()).map(|c| consents.push(c)).inspect_err(|_| unread_consents += 1)
            } else {
                Ok(())
            };
            unreadable.extend(read.err());
        }
        contacts.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        handovers.sort_by(|a, b| (a.on, &a.to).cmp(&(b.on, &b.to)));
        let complaints = ComplaintStatus::of(&complaints, &actions);
        let consents = Consents::new(consents).with_unreadable(unread_consents);
        Ok(CustomerFile {
            customer,
            visits,
            cards,
            money,
            photos,
            deleted_at,
            overrides,
            contacts,
            task_states,
            handovers,
            complaints,
            consents,
            unreadable,
        })
    }

    /// The photo of every photo entry, readable or not, voided or not: what erasing her
    /// removes. Read from the entries themselves, so a photo whose other fields a newer app
    /// wrote is not left behind.
    pub fn photo_blobs(&self) -> Vec<String> {
        self.entries(3).map(|(_, e)| self.entry_str(&e, "blob")).filter(|blob| !blob.is_empty()).collect()
    }

    fn entries(&self, map: usize) -> impl Iterator<Item = (EntryId, ObjId)> + '_ {
        let obj = self.object(ENTRY_MAPS[map], ObjType::Map).ok();
        obj.into_iter().flat_map(move |obj| {
            let keys: Vec<String> = self.doc.keys(&obj).collect();
            keys.into_iter().filter_map(move |key| {
                let id = EntryId::parse(&key).ok()?;
                match self.doc.get(&obj, &key) {
                    Ok(Some((Value::Object(ObjType::Map), entry))) => Some((id, entry)),
                    _ => None,
                }
            })
        })
    }

    fn find_entry(&self, id: &EntryId) -> Option<ObjId> {
        (0..ENTRY_MAPS.len()).find_map(|map| self.entries(map).find(|(e, _)| e == id).map(|(_, obj)| obj))
    }

    fn visit(&self, id: EntryId, e: &ObjId) -> Result<Visit, RecordProblem> {
        let mut card_uses = BTreeMap::new();
        if let Ok(Some((Value::Object(ObjType::Map), uses))) = self.doc.get(e, "card_uses") {
            for key in self.doc.keys(&uses) {
                // A session use this build can't read would overstate what is left on the card.
                let n = self.uint(&uses, &key).and_then(|n| u32::try_from(n).ok());
                let (Ok(card), Some(n)) = (EntryId::parse(&key), n) else {
                    return Err(RecordProblem::Malformed { detail: format!("card use {key:?}") });
                };
                card_uses.insert(card, n);
            }
        }
        Ok(Visit {
            id,
            at: self.parsed(e, "at")?,
            items: self.entry_str(e, "items"),
            beautician: self.entry_str(e, "beautician"),
            amount: Fen::new(self.int(e, "amount").ok_or(RecordProblem::Missing { field: "amount" })?),
            payment: self.payment(e)?,
            products: self.entry_str(e, "products"),
            card_uses,
            notes: self.entry_str(e, "notes"),
            voided: self.voided(e),
        })
    }

    fn card(&self, id: EntryId, e: &ObjId) -> Result<Card, RecordProblem> {
        let sessions = self.uint(e, "sessions").and_then(|n| u32::try_from(n).ok());
        Ok(Card {
            id,
            item: self.entry_str(e, "item"),
            sessions: sessions.ok_or(RecordProblem::Missing { field: "sessions" })?,
            used_before: self.uint(e, "used_before").and_then(|n| u32::try_from(n).ok()).unwrap_or(0),
            price: Fen::new(self.int(e, "price").ok_or(RecordProblem::Missing { field: "price" })?),
            payment: self.payment(e)?,
            bought_on: self.parsed(e, "bought_on")?,
            expires_on: match self.entry_str(e, "expires_on") {
                blank if blank.is_empty() => None,
                // Read as "never expires", it would stay in the liability for good.
                raw => {
                    Some(raw.parse().map_err(|_| RecordProblem::Malformed { detail: format!("expires_on {raw:?}") })?)
                }
            },
            voided: self.voided(e),
        })
    }

    fn money(&self, id: EntryId, e: &ObjId) -> Result<MoneyEntry, RecordProblem> {
        let kind = self.entry_str(e, "kind");
        Ok(MoneyEntry {
            id,
            on: self.parsed(e, "on")?,
            kind: MoneyKind::parse(&kind).map_err(|_| RecordProblem::UnknownValue { field: "kind", value: kind })?,
            amount: Fen::new(self.int(e, "amount").ok_or(RecordProblem::Missing { field: "amount" })?),
            payment: self.payment(e)?,
            note: self.entry_str(e, "note"),
            voided: self.voided(e),
        })
    }

    fn photo(&self, id: EntryId, e: &ObjId) -> Result<Photo, RecordProblem> {
        let size = |key| self.uint(e, key).and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        let choice = |field: &'static str| {
            let raw = self.entry_str(e, field);
            move |_| RecordProblem::UnknownValue { field, value: raw }
        };
        Ok(Photo {
            id,
            blob: self.entry_str(e, "blob"),
            area: BodyArea::parse(&self.entry_str(e, "area")).map_err(choice("area"))?,
            stage: PhotoStage::parse(&self.entry_str(e, "stage")).map_err(choice("stage"))?,
            taken_on: self.parsed(e, "taken_on")?,
            note: self.entry_str(e, "note"),
            width: size("width"),
            height: size("height"),
            bytes: size("bytes"),
            voided: self.voided(e),
        })
    }

    /// An entry's payment. One this build does not know (a newer app's) makes the entry
    /// unreadable: reading it as cash would put it in the wrong balance.
    fn payment(&self, e: &ObjId) -> Result<Payment, RecordProblem> {
        let raw = self.entry_str(e, "payment");
        Payment::parse(&raw).map_err(|_| RecordProblem::UnknownValue { field: "payment", value: raw })
    }

    /// A required entry field in its stored text form (a date or a time).
    fn parsed<T: std::str::FromStr>(&self, e: &ObjId, field: &'static str) -> Result<T, RecordProblem> {
        let raw = self.entry_str(e, field);
        if raw.is_empty() {
            return Err(RecordProblem::Missing { field });
        }
        raw.parse().map_err(|_| RecordProblem::Malformed { detail: format!("{field} {raw:?}") })
    }

    fn tags(&self) -> BTreeSet<Tag> {
        match self.object(Field::Tags.key(), ObjType::Map) {
            Ok(tags) => self.doc.keys(&tags).filter_map(|key| Tag::parse(&key).ok()).collect(),
            Err(_) => BTreeSet::new(),
        }
    }

    fn scalar(&self, obj: impl AsRef<ObjId>, key: &str) -> Option<ScalarValue> {
        match self.doc.get(obj, key) {
            Ok(Some((Value::Scalar(value), _))) => Some(value.into_owned()),
            _ => None,
        }
    }

    fn string(&self, key: &str) -> String {
        self.entry_str(&ROOT, key)
    }

    fn entry_str(&self, obj: &ObjId, key: &str) -> String {
        match self.scalar(obj, key) {
            Some(ScalarValue::Str(s)) => s.to_string(),
            _ => String::new(),
        }
    }

    fn int(&self, obj: &ObjId, key: &str) -> Option<i64> {
        match self.scalar(obj, key)? {
            ScalarValue::Int(n) => Some(n),
            ScalarValue::Uint(n) => i64::try_from(n).ok(),
            _ => None,
        }
    }

    fn uint(&self, obj: &ObjId, key: &str) -> Option<u64> {
        match self.scalar(obj, key)? {
            ScalarValue::Uint(n) => Some(n),
            ScalarValue::Int(n) => u64::try_from(n).ok(),
            _ => None,
        }
    }

    fn voided(&self, obj: &ObjId) -> bool {
        matches!(self.scalar(obj, "voided"), Some(ScalarValue::Boolean(true)))
    }

    fn object(&self, key: &str, kind: ObjType) -> Result<ObjId, DomainError> {
        object_of(&self.doc, key, kind).ok_or(DomainError::NotACustomer("container"))
    }
}

fn object_of(doc: &impl ReadDoc, key: &str, kind: ObjType) -> Option<ObjId> {
    match doc.get(ROOT, key) {
        Ok(Some((Value::Object(found), id))) if found == kind => Some(id),
        _ => None,
    }
}

/// The containers every document of the current schema has.
fn containers() -> impl Iterator<Item = (&'static str, ObjType)> {
    let fields = Field::ALL.iter().filter_map(|f| match f.kind() {
        Kind::Text(_) => Some((f.key(), ObjType::Text)),
        Kind::Tags => Some((f.key(), ObjType::Map)),
        _ => None,
    });
    fields.chain(ENTRY_MAPS.iter().map(|key| (*key, ObjType::Map)))
}

/// Adds the containers an older document lacks, with the deterministic change described at
/// the top of this file, and returns that change. `None` when nothing was missing.
fn upgrade(doc: &mut Automerge) -> Result<Option<LocalChange>, DomainError> {
    if containers().all(|(key, kind)| object_of(doc, key, kind).is_some()) {
        return Ok(None);
    }
    let creation = doc
        .get_changes(&[])
        .iter()
        .find(|c| c.deps().is_empty())
        .map(|c| c.hash())
        .ok_or(DomainError::NotACustomer("creating change"))?;
    let mut base = doc.fork_at(&[creation])?;
    base.set_actor(ActorId::from(UPGRADE_ACTOR));
    let mut tx = base.transaction();
    for (key, kind) in containers() {
        if object_of(&tx, key, kind).is_none() {
            tx.put_object(ROOT, key, kind)?;
        }
    }
    tx.put(ROOT, "schema", ScalarValue::Uint(SCHEMA))?;
    let (hash, _) = tx.commit_with(CommitOptions::default().with_time(0));
    let hash = hash.ok_or(DomainError::Corrupt("the schema upgrade produced no change".into()))?;
    let actor = doc.get_actor().clone();
    doc.merge(&mut base)?;
    doc.set_actor(actor);
    let change = doc.get_change_by_hash(&hash).ok_or(DomainError::Corrupt("the schema upgrade is missing".into()))?;
    Ok(Some(LocalChange::of(&change)))
}

fn consent_json(event: &ConsentEvent) -> Result<String, DomainError> {
    encode(event)
}

#[cfg(test)]
impl CustomerDoc {
    /// Writes to the document directly, as another version of the app might.
    pub(crate) fn raw_edit(&mut self, edit: impl FnOnce(&mut Transaction<'_>)) {
        let mut tx = self.doc.transaction();
        edit(&mut tx);
        tx.commit();
    }

    /// A root register as stored.
    pub(crate) fn raw_string(&self, key: &str) -> String {
        self.string(key)
    }
}
