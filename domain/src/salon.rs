//! Salon-wide documents, synced like customer files:
//! - `salon-settings`: the classification policy and the care plan (`care_plan`), each one
//!   register holding the whole of it as
//!   JSON, so two devices editing it offline end with one of their policies, never a mix
//!   of both that nobody checked (lost ≤ silent, an inconsistent AHP matrix …); and the
//!   salon's name (`name`, the name messages to customers are signed with);
//! - `salon-snapshot-YYYY-MM`: one month's class snapshot (see [`crate::classify::snapshot`]),
//!   root registers `month`, `taken_on` and the 16 row chunks.
//!
//! Both keep only scalars at the root, so documents started independently on two devices
//! merge without competing containers; nothing needs a deterministic first change.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{Automerge, Change, ROOT, ReadDoc, ScalarValue, Value};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::care::rules::CarePolicy;
use crate::classify::Policy;
use crate::classify::snapshot::{CHUNKS, Month, Snapshot};
use crate::customer::LocalChange;
use crate::ids::{DeviceId, DocId};
use crate::record::{RecordProblem, Unreadable, decode_at, encode};
use crate::{DomainError, FieldProblem};

const SETTINGS: &str = "salon-settings";
const SNAPSHOT_PREFIX: &str = "salon-snapshot-";
/// Snapshot chunks are written in changes of at most this many bytes, well under the
/// relay's limit for one change.
const CHANGE_BUDGET: usize = 128 << 10;

/// The salon's name as customers know it ("丽人美容会所"): 1 to 30 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalonName(String);

impl SalonName {
    pub const MAX_CHARS: usize = 30;

    pub fn parse(raw: &str) -> Result<SalonName, FieldProblem> {
        let name = raw.trim();
        match name.chars().count() {
            0 => Err(FieldProblem::Required),
            n if n > Self::MAX_CHARS => Err(FieldProblem::TooLong { max: Self::MAX_CHARS }),
            _ if name.chars().any(char::is_control) => Err(FieldProblem::UnknownChoice),
            _ => Ok(SalonName(name.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which salon document an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalonDocKind {
    Settings,
    Snapshot(Month),
}

impl SalonDocKind {
    pub fn of(doc: &DocId) -> Option<SalonDocKind> {
        let id = doc.as_str();
        if id == SETTINGS {
            return Some(SalonDocKind::Settings);
        }
        id.strip_prefix(SNAPSHOT_PREFIX).and_then(Month::parse).map(SalonDocKind::Snapshot)
    }

    pub fn doc_id(self) -> DocId {
        let id = match self {
            SalonDocKind::Settings => SETTINGS.to_owned(),
            SalonDocKind::Snapshot(month) => format!("{SNAPSHOT_PREFIX}{month}"),
        };
        DocId::parse(&id).unwrap_or_else(|_| unreachable!("salon document ids are well formed"))
    }
}

/// A salon-wide automerge document.
#[derive(Debug, Clone, Default)]
pub struct SalonDoc {
    doc: Automerge,
}

impl SalonDoc {
    pub fn empty() -> Self {
        SalonDoc { doc: Automerge::new() }
    }

    pub fn load(bytes: &[u8]) -> Result<Self, DomainError> {
        Ok(SalonDoc { doc: Automerge::load(bytes)? })
    }

    pub fn save(&self) -> Vec<u8> {
        self.doc.save()
    }

    /// Applies changes from other devices, in any order, any number of times.
    pub fn apply_changes<'a>(&mut self, changes: impl IntoIterator<Item = &'a [u8]>) -> Result<(), DomainError> {
        let mut decoded = Vec::new();
        for bytes in changes {
            decoded.push(Change::from_bytes(bytes.to_vec()).map_err(|e| DomainError::Corrupt(e.to_string()))?);
        }
        self.doc.apply_changes(decoded)?;
        Ok(())
    }

    pub fn all_changes(&self) -> Vec<LocalChange> {
        self.doc.get_changes(&[]).iter().map(LocalChange::of).collect()
    }

    fn commit(
        &mut self,
        now: Timestamp,
        f: impl FnOnce(&mut automerge::transaction::Transaction<'_>) -> Result<(), DomainError>,
    ) -> Result<Option<LocalChange>, DomainError> {
        let mut tx = self.doc.transaction();
        f(&mut tx)?;
        let (hash, _) = tx.commit_with(CommitOptions::default().with_time(now.as_second()));
        Ok(hash.and_then(|hash| self.doc.get_change_by_hash(&hash)).map(|c| LocalChange::of(&c)))
    }

    fn text(&self, key: &str) -> Option<String> {
        match self.doc.get(ROOT, key).ok()?? {
            (Value::Scalar(s), _) => match s.as_ref() {
                ScalarValue::Str(s) => Some(s.to_string()),
                _ => None,
            },
            _ => None,
        }
    }

    fn bytes(&self, key: &str) -> Vec<u8> {
        match self.doc.get(ROOT, key) {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Bytes(b) => b.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// The salon's policy, if one was saved; `None` means the defaults apply. A saved policy
    /// this build cannot read (a newer app's) is an error that keeps it: the caller uses the
    /// defaults meanwhile and says so.
    pub fn policy(&self) -> Result<Option<Policy>, Unreadable> {
        let Some(raw) = self.text("policy").filter(|raw| !raw.is_empty()) else { return Ok(None) };
        let policy: Policy = decode_at("policy", &raw)?;
        match policy.check() {
            Ok(()) => Ok(Some(policy)),
            Err(problem) => Err(Unreadable {
                kind: "policy",
                key: "policy".into(),
                raw,
                problem: RecordProblem::Malformed { detail: format!("{problem:?}") },
            }),
        }
    }

    pub fn set_policy(
        &mut self,
        device: DeviceId,
        policy: &Policy,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        let json = encode(policy)?;
        self.doc.set_actor(device.actor());
        Ok(self.commit(now, |tx| Ok(tx.put(ROOT, "policy", json)?))?.into_iter().collect())
    }

    /// The salon's name as customers know it, once someone set it.
    pub fn name(&self) -> Option<SalonName> {
        SalonName::parse(&self.text("name")?).ok()
    }

    pub fn set_name(
        &mut self,
        device: DeviceId,
        name: &SalonName,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        self.doc.set_actor(device.actor());
        Ok(self.commit(now, |tx| Ok(tx.put(ROOT, "name", name.as_str())?))?.into_iter().collect())
    }

    /// The salon's care plan, if one was saved (as [`SalonDoc::policy`]).
    pub fn care_plan(&self) -> Result<Option<CarePolicy>, Unreadable> {
        let Some(raw) = self.text("care_plan").filter(|raw| !raw.is_empty()) else { return Ok(None) };
        decode_at("care_plan", &raw).map(Some)
    }

    pub fn set_care_plan(
        &mut self,
        device: DeviceId,
        plan: &CarePolicy,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        let json = encode(plan)?;
        self.doc.set_actor(device.actor());
        Ok(self.commit(now, |tx| Ok(tx.put(ROOT, "care_plan", json)?))?.into_iter().collect())
    }

    /// The month's snapshot, once one was taken (on this device or another).
    pub fn snapshot(&self) -> Option<Snapshot> {
        let month = Month::parse(&self.text("month")?)?;
        let taken_on: Date = self.text("taken_on")?.parse().ok()?;
        let chunks: Vec<Vec<u8>> = CHUNKS.iter().map(|key| self.bytes(key)).collect();
        Some(Snapshot::decode(month, taken_on, &chunks))
    }

    /// Records a snapshot (again, when taken on demand): the chunks go into changes of at
    /// most [`CHANGE_BUDGET`] bytes each, the month and day last, so a device that has the
    /// month has every chunk's change before it (changes of one actor arrive in order).
    pub fn put_snapshot(
        &mut self,
        device: DeviceId,
        snapshot: &Snapshot,
        now: Timestamp,
    ) -> Result<Vec<LocalChange>, DomainError> {
        self.doc.set_actor(device.actor());
        let mut changes = Vec::new();
        let mut batch: Vec<(&'static str, Vec<u8>)> = Vec::new();
        let mut size = 0;
        let mut chunks = snapshot.encode().into_iter().peekable();
        while let Some((key, bytes)) = chunks.next() {
            size += bytes.len();
            batch.push((key, bytes));
            let full = chunks.peek().is_some_and(|(_, next)| size + next.len() > CHANGE_BUDGET);
            if full || chunks.peek().is_none() {
                let rows = std::mem::take(&mut batch);
                changes.extend(self.commit(now, |tx| {
                    for (key, bytes) in rows {
                        tx.put(ROOT, key, ScalarValue::Bytes(bytes))?;
                    }
                    Ok(())
                })?);
                size = 0;
            }
        }
        changes.extend(self.commit(now, |tx| {
            tx.put(ROOT, "month", snapshot.month.to_string())?;
            tx.put(ROOT, "taken_on", snapshot.taken_on.to_string())?;
            Ok(())
        })?);
        Ok(changes)
    }
}

#[cfg(test)]
impl SalonDoc {
    /// Stores `text` under a root key directly, as another version of the app might.
    pub(crate) fn raw_put(&mut self, key: &str, text: &str) {
        let mut tx = self.doc.transaction();
        tx.put(ROOT, key, text).expect("put");
        tx.commit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::abc::ValueClass;
    use crate::classify::grade::Grade;
    use crate::classify::lifecycle::Lifecycle;
    use crate::classify::overrides::ClassSet;
    use crate::classify::rfm::Segment;
    use jiff::civil::date;

    fn device(n: u8) -> DeviceId {
        DeviceId::from_random([n; 16])
    }

    fn now() -> Timestamp {
        Timestamp::from_second(1_790_000_000).expect("time")
    }

    fn exchange(a: &mut SalonDoc, b: &mut SalonDoc) {
        let (from_a, from_b) = (a.all_changes(), b.all_changes());
        a.apply_changes(from_b.iter().map(|c| c.bytes.as_slice())).expect("apply");
        b.apply_changes(from_a.iter().map(|c| c.bytes.as_slice())).expect("apply");
    }

    fn snapshot(value: ValueClass, customers: usize) -> Snapshot {
        let classes = ClassSet { value, lifecycle: Lifecycle::Regular, grade: Grade::B, segment: Segment::Loyal };
        Snapshot {
            month: Month::parse("2026-11").expect("month"),
            taken_on: date(2026, 11, 2),
            rows: (0..customers).map(|n| (format!("{:x}{n:031x}", n % 16), classes)).collect(),
        }
    }

    #[test]
    fn the_salon_name_is_checked_and_syncs_like_the_policy() {
        assert_eq!(SalonName::parse("  丽人美容会所 ").map(|n| n.as_str().to_owned()), Ok("丽人美容会所".to_owned()));
        assert_eq!(SalonName::parse(" "), Err(FieldProblem::Required));
        assert_eq!(SalonName::parse(&"美".repeat(31)), Err(FieldProblem::TooLong { max: 30 }));
        let (mut a, mut b) = (SalonDoc::empty(), SalonDoc::empty());
        assert_eq!(a.name(), None, "no name until someone sets it");
        a.set_name(device(1), &SalonName::parse("丽人").expect("name"), now()).expect("set");
        exchange(&mut a, &mut b);
        assert_eq!(b.name().map(|n| n.as_str().to_owned()), Some("丽人".to_owned()));
    }

    #[test]
    fn document_ids_name_their_kind() {
        let month = Month::parse("2026-11").expect("month");
        assert_eq!(SalonDocKind::Snapshot(month).doc_id().as_str(), "salon-snapshot-2026-11");
        assert_eq!(SalonDocKind::of(&SalonDocKind::Settings.doc_id()), Some(SalonDocKind::Settings));
        assert_eq!(SalonDocKind::of(&SalonDocKind::Snapshot(month).doc_id()), Some(SalonDocKind::Snapshot(month)));
        assert_eq!(SalonDocKind::of(&DocId::parse("c-00").expect("id")), None);
    }

    #[test]
    fn two_devices_taking_the_same_months_snapshot_offline_merge_to_one() {
        let (mut a, mut b) = (SalonDoc::empty(), SalonDoc::empty());
        let (on_a, on_b) = (snapshot(ValueClass::A, 300), snapshot(ValueClass::B, 300));
        a.put_snapshot(device(1), &on_a, now()).expect("a");
        b.put_snapshot(device(2), &on_b, now()).expect("b");
        exchange(&mut a, &mut b);
        let (merged_a, merged_b) = (a.snapshot().expect("a has one"), b.snapshot().expect("b has one"));
        assert_eq!(merged_a, merged_b, "both devices read the same snapshot");
        assert_eq!(merged_a.rows.len(), 300, "every customer once");
        assert_eq!(merged_a.month, on_a.month);
        // Taking the same snapshot again changes nothing anyone reads.
        a.put_snapshot(device(1), &merged_a, now()).expect("again");
        assert_eq!(a.snapshot().expect("still"), merged_a);
    }

    #[test]
    fn a_large_salons_snapshot_is_split_into_changes_the_relay_accepts_and_reads_back() {
        let mut doc = SalonDoc::empty();
        let big = snapshot(ValueClass::C, 20_000);
        let changes = doc.put_snapshot(device(1), &big, now()).expect("put");
        assert!(changes.len() > 2, "{} changes", changes.len());
        assert!(changes.iter().all(|c| c.bytes.len() <= crate::wire::limits::MAX_CHANGE_BYTES), "every change fits");
        let mut other = SalonDoc::empty();
        other.apply_changes(changes.iter().map(|c| c.bytes.as_slice())).expect("apply");
        assert_eq!(other.snapshot(), Some(big));
    }

    #[test]
    fn concurrent_policy_edits_end_with_one_whole_policy() {
        let (mut a, mut b) = (SalonDoc::empty(), SalonDoc::empty());
        assert_eq!(a.policy(), Ok(None), "no policy saved: the defaults apply");
        let strict = Policy { silent_days: 60, lost_days: 120, ..Policy::default() };
        let lenient = Policy { silent_days: 150, lost_days: 365, ..Policy::default() };
        a.set_policy(device(1), &strict, now()).expect("a");
        b.set_policy(device(2), &lenient, now()).expect("b");
        exchange(&mut a, &mut b);
        let merged = a.policy().expect("readable").expect("a policy");
        assert_eq!(Ok(Some(merged.clone())), b.policy());
        assert!(merged == strict || merged == lenient, "one of the two, not a mix: {merged:?}");
        assert_eq!(a.care_plan(), Ok(None), "no plan saved: the defaults apply");
        let plan = CarePolicy { new_contact_days: 3, ..CarePolicy::default() };
        let changes = a.set_care_plan(device(1), &plan, now()).expect("plan");
        b.apply_changes(changes.iter().map(|c| c.bytes.as_slice())).expect("apply");
        assert_eq!(b.care_plan(), Ok(Some(plan)));
        assert_eq!(b.policy(), Ok(Some(merged)), "the plan leaves the policy alone");
    }
}
