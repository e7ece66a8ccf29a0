//! Newtype identifiers. Ids are generated at the edges (the app draws random bytes) and
//! validated here, so a malformed id never reaches a document or the wire.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 0x0f)] as char);
    }
    out
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A customer: 128 random bits, written as 32 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerId(String);

impl CustomerId {
    pub fn from_random(bytes: [u8; 16]) -> Self {
        CustomerId(hex(&bytes))
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if is_lower_hex(raw, 32) {
            Ok(CustomerId(raw.to_owned()))
        } else {
            Err(DomainError::MalformedId { kind: "customer" })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id of the automerge document holding this customer's file.
    pub fn doc_id(&self) -> DocId {
        DocId(format!("c-{}", self.0))
    }
}

impl TryFrom<String> for CustomerId {
    type Error = DomainError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        CustomerId::parse(&raw)
    }
}

impl From<CustomerId> for String {
    fn from(id: CustomerId) -> String {
        id.0
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of one synchronised automerge document. The relay treats it as an opaque label, so
/// its shape is only bounded: 1 to 64 characters of `a-z`, `0-9`, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocId(String);

impl DocId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let well_formed = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if well_formed { Ok(DocId(raw.to_owned())) } else { Err(DomainError::MalformedId { kind: "document" }) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The customer this document belongs to, when it is a customer document.
    pub fn customer(&self) -> Option<CustomerId> {
        self.0.strip_prefix("c-").and_then(|rest| CustomerId::parse(rest).ok())
    }
}

impl TryFrom<String> for DocId {
    type Error = DomainError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        DocId::parse(&raw)
    }
}

impl From<DocId> for String {
    fn from(id: DocId) -> String {
        id.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A device's automerge actor: 16 random bytes drawn once when the device first starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeviceId([u8; 16]);

impl DeviceId {
    pub fn from_random(bytes: [u8; 16]) -> Self {
        DeviceId(bytes)
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if !is_lower_hex(raw, 32) {
            return Err(DomainError::MalformedId { kind: "device" });
        }
        let mut bytes = [0u8; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&raw[i * 2..i * 2 + 2], 16)
                .map_err(|_| DomainError::MalformedId { kind: "device" })?;
        }
        Ok(DeviceId(bytes))
    }

    pub fn to_hex(self) -> String {
        hex(&self.0)
    }

    pub fn actor(self) -> automerge::ActorId {
        automerge::ActorId::from(self.0.as_slice())
    }
}

/// A short code naming a device inside customer numbers (`K7QX-0012`). Four Crockford base-32
/// characters drawn at random on the device: numbers stay unique without any coordination
/// unless two devices of one salon draw the same tag (about 1 in 100,000 for five devices).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceTag(String);

/// Crockford's base-32 alphabet: no I, L, O or U, so a tag read aloud over the phone is clear.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl DeviceTag {
    pub const LEN: usize = 4;

    pub fn from_random(bytes: [u8; 4]) -> Self {
        DeviceTag(bytes.iter().map(|b| CROCKFORD[usize::from(b & 31)] as char).collect())
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.len() == Self::LEN && raw.bytes().all(|b| CROCKFORD.contains(&b)) {
            Ok(DeviceTag(raw.to_owned()))
        } else {
            Err(DomainError::MalformedId { kind: "device tag" })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DeviceTag {
    type Error = DomainError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        DeviceTag::parse(&raw)
    }
}

impl From<DeviceTag> for String {
    fn from(tag: DeviceTag) -> String {
        tag.0
    }
}

/// A salon (tenant) on the relay: 1 to 32 characters of `a-z`, `0-9`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SalonId(String);

impl SalonId {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let well_formed = !raw.is_empty()
            && raw.len() <= 32
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if well_formed { Ok(SalonId(raw.to_owned())) } else { Err(DomainError::MalformedId { kind: "salon" }) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SalonId {
    type Error = DomainError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        SalonId::parse(&raw)
    }
}

impl From<SalonId> for String {
    fn from(id: SalonId) -> String {
        id.0
    }
}

impl fmt::Display for SalonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
