//! Content-addressed blobs (photos): named by the SHA-256 of their bytes, so a name says
//! exactly which bytes it stands for, the same photo is stored once, and a device can check
//! that what it fetched is what the document refers to.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::DomainError;

/// A blob's name: the SHA-256 of its bytes. Written as 64 lowercase hex characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlobHash([u8; 32]);

impl BlobHash {
    pub fn of(bytes: &[u8]) -> Self {
        BlobHash(Sha256::digest(bytes).into())
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        BlobHash(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parses exactly 64 lowercase hex characters (the only form this crate writes).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let malformed = || DomainError::MalformedId { kind: "blob" };
        if raw.len() != 64 || !raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(malformed());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&raw[2 * i..2 * i + 2], 16).map_err(|_| malformed())?;
        }
        Ok(BlobHash(out))
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// True when `bytes` are the bytes this name stands for.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        BlobHash::of(bytes) == *self
    }
}

impl fmt::Display for BlobHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sha256_in_lowercase_hex() {
        let abc = BlobHash::of(b"abc");
        assert_eq!(abc.to_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(BlobHash::parse(&abc.to_hex()), Ok(abc));
        assert!(abc.matches(b"abc") && !abc.matches(b"abd"));
    }

    #[test]
    fn only_64_lowercase_hex_characters_parse() {
        let hex = BlobHash::of(b"x").to_hex();
        assert!(BlobHash::parse(&hex[..63]).is_err());
        assert!(BlobHash::parse(&format!("{hex}0")).is_err());
        assert!(BlobHash::parse(&hex.to_uppercase()).is_err());
        assert!(BlobHash::parse(&format!("g{}", &hex[1..])).is_err());
    }
}
