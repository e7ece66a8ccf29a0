//! Which salons may use the relay, each with the operator's setup secret (which pairs the
//! salon's first device, once), checked without leaking how much of it was right.

use std::collections::HashMap;
use std::fmt;

use domain::ids::SalonId;
use sha2::{Digest, Sha256};

/// The configured salons. Only SHA-256 hashes of the tokens are kept, so a memory dump or a
/// stray `{:?}` does not reveal them.
pub struct Salons {
    token_hashes: HashMap<SalonId, [u8; 32]>,
}

impl Salons {
    pub fn new(entries: impl IntoIterator<Item = (SalonId, String)>) -> Self {
        let token_hashes = entries.into_iter().map(|(salon, token)| (salon, sha256(token.as_bytes()))).collect();
        Salons { token_hashes }
    }

    /// True when `salon` is configured and `token` is its token.
    pub fn verify(&self, salon: &SalonId, token: &str) -> bool {
        let presented = sha256(token.as_bytes());
        match self.token_hashes.get(salon) {
            Some(expected) => hashes_equal(expected, &presented),
            None => {
                // Doing the same work for an unknown salon keeps the answer time from telling
                // which salon names exist.
                let _ = hashes_equal(&[0; 32], &presented);
                false
            }
        }
    }

    /// True when `salon` is configured on this relay.
    pub fn contains(&self, salon: &SalonId) -> bool {
        self.token_hashes.contains_key(salon)
    }

    pub fn len(&self) -> usize {
        self.token_hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.token_hashes.is_empty()
    }
}

impl fmt::Debug for Salons {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.token_hashes.keys()).finish()
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Compares every byte whatever the first difference, so the time taken does not depend on
/// where the hashes differ.
fn hashes_equal(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |difference, (x, y)| difference | (x ^ y)) == 0
}
