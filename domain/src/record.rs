//! Stored records: the JSON values kept in document registers (a contact, a consent, a class
//! override, the salon's policy…), each with an explicit version, a hand-written reader per
//! version, and an error that keeps the raw text instead of dropping the record.
//!
//! The version rule: a record with no `"v"` key is version 1, which is how every record has
//! been written so far (and is still written, so tablets on an older app read what this one
//! writes). A record whose shape changes gets version 2: it is written as an object with
//! `"v": 2`, and its [`Record::read`] gains an arm that converts version-1 records by hand.
//! A build that meets a version newer than it knows reports [`RecordProblem::Newer`]; the
//! record stays in the document untouched and is read once the app is updated.
//!
//! Golden-bytes tests (`record_tests.rs`) pin the exact text of each record as written today
//! and read the text the first release wrote: changing a field's name or meaning breaks them.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a stored record could not be read by this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordProblem {
    /// Written by a newer version of the app (its `"v"` is above what this build knows).
    Newer { version: u64 },
    /// A field holds a value this build does not know (a newer app's payment method, say).
    UnknownValue { field: &'static str, value: String },
    /// A field every such record has is missing or not of its type.
    Missing { field: &'static str },
    /// Not a record of this kind at all.
    Malformed { detail: String },
}

impl std::fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecordProblem::Newer { version } => write!(f, "written by a newer version (record version {version})"),
            RecordProblem::UnknownValue { field, value } => write!(f, "unknown {field} {value:?}"),
            RecordProblem::Missing { field } => write!(f, "missing {field}"),
            RecordProblem::Malformed { detail } => write!(f, "malformed: {detail}"),
        }
    }
}

impl RecordProblem {
    /// Probably written by a newer app: updating this one will read it.
    pub fn is_newer(&self) -> bool {
        matches!(self, RecordProblem::Newer { .. } | RecordProblem::UnknownValue { .. })
    }
}

/// A record in a document that this build could not read. It stays in the document as it is
/// (nothing rewrites it); the file lists it so the screen can say so rather than hide it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// What it is: "visit", "contact", "consent"…
    pub kind: &'static str,
    /// Where it is in the document (the register or entry id).
    pub key: String,
    /// The stored text, for JSON records (empty for entry maps, whose fields stay in place).
    pub raw: String,
    pub problem: RecordProblem,
}

/// A JSON record kept in a document register.
pub trait Record: Serialize + DeserializeOwned {
    /// What the record is, for [`Unreadable::kind`].
    const KIND: &'static str;
    /// The version this build writes and the newest it reads.
    const VERSION: u64 = 1;

    /// Reads a record stored at `version` (1 ..= [`Record::VERSION`]). Version 1 is the shape
    /// of the type today; a type that changes shape adds an arm converting older versions.
    fn read(version: u64, value: serde_json::Value) -> Result<Self, RecordProblem> {
        match version {
            1 => serde_json::from_value(value).map_err(|e| RecordProblem::Malformed { detail: e.to_string() }),
            newer => Err(RecordProblem::Newer { version: newer }),
        }
    }
}

/// The stored text of `record` at its current version.
pub fn encode<T: Record>(record: &T) -> Result<String, crate::DomainError> {
    let corrupt = |e: serde_json::Error| crate::DomainError::Corrupt(e.to_string());
    if T::VERSION == 1 {
        return serde_json::to_string(record).map_err(corrupt);
    }
    let mut value = serde_json::to_value(record).map_err(corrupt)?;
    let serde_json::Value::Object(map) = &mut value else {
        return Err(crate::DomainError::Corrupt(format!(
            "a {} record of version 2 or later must be an object",
            T::KIND
        )));
    };
    map.insert("v".into(), T::VERSION.into());
    serde_json::to_string(&value).map_err(corrupt)
}

/// Reads a stored record, whatever version wrote it.
pub fn decode<T: Record>(raw: &str) -> Result<T, RecordProblem> {
    let mut value: serde_json::Value =
        serde_json::from_str(raw).map_err(|e| RecordProblem::Malformed { detail: e.to_string() })?;
    let version = match &mut value {
        serde_json::Value::Object(map) => match map.remove("v") {
            None => 1,
            Some(v) => v.as_u64().filter(|v| *v >= 1).ok_or(RecordProblem::Missing { field: "v" })?,
        },
        _ => 1,
    };
    if version > T::VERSION {
        return Err(RecordProblem::Newer { version });
    }
    T::read(version, value)
}

/// Reads the record stored under `key`, or says why not.
pub fn decode_at<T: Record>(key: &str, raw: &str) -> Result<T, Unreadable> {
    decode(raw).map_err(|problem| Unreadable { kind: T::KIND, key: key.to_owned(), raw: raw.to_owned(), problem })
}

impl Record for crate::care::Contact {
    const KIND: &'static str = "contact";
}
impl Record for crate::care::TaskState {
    const KIND: &'static str = "task";
}
impl Record for crate::care::rules::Handover {
    const KIND: &'static str = "handover";
}
impl Record for crate::care::complaints::Complaint {
    const KIND: &'static str = "complaint";
}
impl Record for crate::care::complaints::ComplaintAction {
    const KIND: &'static str = "complaint-action";
}
impl Record for crate::customer::ConsentEvent {
    const KIND: &'static str = "consent";
}
impl Record for crate::classify::overrides::Override {
    const KIND: &'static str = "override";
}
impl Record for crate::classify::Policy {
    const KIND: &'static str = "policy";
}
impl Record for crate::care::rules::CarePolicy {
    const KIND: &'static str = "care-plan";
}
