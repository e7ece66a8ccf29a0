//! The mapping between a customer file and its automerge document (one document per customer).
//!
//! Layout of the document root (schema 1):
//! `schema` (uint), `kind` = "customer", `id`, `number`, `created_at` (timestamp, ms),
//! scalar strings `name`, `gender`, `phone`, `birthday` (`YYYY-MM-DD` or ""), `source`,
//! `beautician`, and text objects `allergies` and `notes`.
//!
//! Edits write only the fields the user changed since the form was opened: a tablet that
//! changed the phone must not also re-write the notes, or it would overwrite a notes edit made
//! meanwhile on another tablet. (automerge skips a put of the current value on its own, but
//! not when the key holds a conflict: there it records a resolution, so a save that changed
//! nothing would still create a change. Comparing first keeps such saves silent.)
//! Free text is an automerge text object so concurrent edits to it interleave instead of one
//! replacing the other.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{Automerge, Change, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use jiff::Timestamp;
use jiff::civil::Date;

use super::fields::{Birthday, Gender, Name, Phone, Profile, Source};
use super::number::CustomerNumber;
use crate::DomainError;
use crate::ids::{CustomerId, DeviceId};

const SCHEMA: u64 = 1;

/// A customer file as read from its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: CustomerId,
    pub number: CustomerNumber,
    pub created_at: Timestamp,
    pub profile: Profile,
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
}

/// One change made on this device, ready for the outbox: its hash (the relay's dedup key)
/// and its encoded bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalChange {
    pub hash: [u8; 32],
    pub bytes: Vec<u8>,
}

impl LocalChange {
    fn of(change: &Change) -> Self {
        LocalChange { hash: change.hash().0, bytes: change.raw_bytes().to_vec() }
    }
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

    /// Starts the document of a new customer, authored by `device`.
    pub fn create(device: DeviceId, new: &NewCustomer) -> Result<(Self, LocalChange), DomainError> {
        let mut doc = Automerge::new().with_actor(device.actor());
        let mut tx = doc.transaction();
        tx.put(ROOT, "schema", ScalarValue::Uint(SCHEMA))?;
        tx.put(ROOT, "kind", "customer")?;
        tx.put(ROOT, "id", new.id.as_str())?;
        tx.put(ROOT, "number", new.number.to_string())?;
        tx.put(ROOT, "created_at", ScalarValue::Timestamp(new.created_at.as_millisecond()))?;
        let allergies = tx.put_object(ROOT, "allergies", ObjType::Text)?;
        let notes = tx.put_object(ROOT, "notes", ObjType::Text)?;
        for (key, value) in scalar_fields(&new.profile) {
            tx.put(ROOT, key, value)?;
        }
        tx.update_text(&allergies, &new.profile.allergies)?;
        tx.update_text(&notes, &new.profile.notes)?;
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
    /// and text edits are rebased character by character onto theirs. Returns `None` when the
    /// user changed nothing.
    pub fn update_profile(
        &mut self,
        device: DeviceId,
        base: &Version,
        profile: &Profile,
        now: Timestamp,
    ) -> Result<Option<LocalChange>, DomainError> {
        let actor = device.actor();
        // Writing on a fork of the base version turns "what the user saw" into the automerge
        // ancestor of the edit, so the merge below is three-way. A device's changes must form
        // one sequence, so if this device changed the document after `base` (another tab), the
        // fork starts from the present instead.
        let own_change_since_base =
            self.doc.get_changes(&base.0).iter().any(|change| change.actor_id() == &actor);
        let mut fork = if own_change_since_base || base.0.iter().any(|h| self.doc.get_change_by_hash(h).is_none()) {
            self.doc.fork()
        } else {
            self.doc.fork_at(&base.0)?
        };
        fork.set_actor(actor.clone());
        let edit = CustomerDoc { doc: fork };
        let allergies = edit.text_object("allergies")?;
        let notes = edit.text_object("notes")?;
        let mut changed = Vec::new();
        for (key, value) in scalar_fields(profile) {
            if edit.scalar(key).as_ref() != Some(&value) {
                changed.push((key, value));
            }
        }
        let mut fork = edit.doc;
        let mut tx = fork.transaction();
        for (key, value) in changed {
            tx.put(ROOT, key, value)?;
        }
        tx.update_text(&allergies, &profile.allergies)?;
        tx.update_text(&notes, &profile.notes)?;
        let (hash, _) = tx.commit_with(CommitOptions::default().with_time(now.as_second()));
        let Some(hash) = hash else { return Ok(None) };
        self.doc.set_actor(actor);
        self.doc.merge(&mut fork)?;
        let change = self
            .doc
            .get_change_by_hash(&hash)
            .ok_or(DomainError::Corrupt("a merged edit is missing from the document".into()))?;
        Ok(Some(LocalChange::of(&change)))
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

    /// Reads the customer file. Fails when the document does not (yet) hold a customer, e.g.
    /// when only a later edit has arrived and the creating change has not.
    pub fn customer(&self) -> Result<Customer, DomainError> {
        let text = |key: &'static str| -> Result<String, DomainError> {
            match self.doc.get(ROOT, key)? {
                Some((Value::Object(ObjType::Text), id)) => Ok(self.doc.text(&id)?),
                _ => Err(DomainError::NotACustomer(key)),
            }
        };
        let string = |key: &'static str| -> String {
            match self.scalar(key) {
                Some(ScalarValue::Str(s)) => s.to_string(),
                _ => String::new(),
            }
        };
        let id = CustomerId::parse(&string("id")).map_err(|_| DomainError::NotACustomer("id"))?;
        let number =
            CustomerNumber::parse(&string("number")).map_err(|_| DomainError::NotACustomer("number"))?;
        let created_at = match self.scalar("created_at") {
            Some(ScalarValue::Timestamp(ms)) => {
                Timestamp::from_millisecond(ms).map_err(|_| DomainError::NotACustomer("created_at"))?
            }
            _ => return Err(DomainError::NotACustomer("created_at")),
        };
        let name = Name::parse(&string("name")).map_err(|_| DomainError::NotACustomer("name"))?;
        // Stored values were validated when written; a value this version does not know (a
        // newer app's choice, say) reads as "unspecified" rather than hiding the customer.
        let profile = Profile {
            name,
            gender: Gender::parse(&string("gender")).unwrap_or_default(),
            phone: Phone::parse(&string("phone")).ok(),
            birthday: Birthday::parse(&string("birthday"), Date::MAX).ok(),
            source: Source::parse(&string("source")).unwrap_or(Source::Other),
            allergies: text("allergies")?,
            notes: text("notes")?,
            beautician: string("beautician"),
        };
        Ok(Customer { id, number, created_at, profile })
    }

    fn scalar(&self, key: &str) -> Option<ScalarValue> {
        match self.doc.get(ROOT, key) {
            Ok(Some((Value::Scalar(value), _))) => Some(value.into_owned()),
            _ => None,
        }
    }

    fn text_object(&self, key: &'static str) -> Result<automerge::ObjId, DomainError> {
        match self.doc.get(ROOT, key)? {
            Some((Value::Object(ObjType::Text), id)) => Ok(id),
            _ => Err(DomainError::NotACustomer(key)),
        }
    }
}

/// The profile's scalar fields as document keys and values.
fn scalar_fields(profile: &Profile) -> [(&'static str, ScalarValue); 6] {
    let str = |s: &str| ScalarValue::Str(s.into());
    [
        ("name", str(profile.name.as_str())),
        ("gender", str(profile.gender.key())),
        ("phone", str(profile.phone.as_ref().map(Phone::as_str).unwrap_or(""))),
        ("birthday", str(&profile.birthday.map(Birthday::to_iso).unwrap_or_default())),
        ("source", str(profile.source.key())),
        ("beautician", str(&profile.beautician)),
    ]
}
