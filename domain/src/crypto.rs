//! Sealing: everything a device sends the relay (changes and photos) is XChaCha20-Poly1305
//! ciphertext under the salon key, so the relay stores only what it cannot read.
//!
//! The salon key is 256 random bits made on the salon's first device; it reaches other devices
//! inside an invite link's fragment (the part after `#`, which browsers never send to a
//! server), never through the relay. The relay knows only the key's id (a one-way hash), so it
//! can tell a device that it holds another salon's key.
//!
//! A sealed record is `MAGIC (2) | version (1) | key epoch (4, LE) | nonce (24) | ciphertext`.
//! Its associated data binds what it is (a change or a photo), the salon, the document (or the
//! photo's name) and the epoch: a record moved to another document or salon does not open.
//! Nonces are synthetic (SIV-style): an HMAC, under a subkey, of what is sealed and where it
//! belongs. The same change of the same document always seals to the same bytes, so a push
//! repeated after a lost connection, or every change re-uploaded to a relay restored from a
//! backup, is recognised by the relay's hash and stored once; sealing needs no randomness.
//! The relay learns only that two uploads were the same change, which it sees anyway.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::blob::BlobHash;
use crate::ids::{DocId, SalonId};

/// The first bytes of every sealed record ("Meike sealed").
pub const MAGIC: [u8; 2] = *b"MS";
/// The sealed format's version.
pub const FORMAT: u8 = 1;
pub const NONCE_BYTES: usize = 24;
const HEADER_BYTES: usize = MAGIC.len() + 1 + 4 + NONCE_BYTES;
/// What sealing adds to a record: header and the 16-byte tag.
pub const OVERHEAD_BYTES: usize = HEADER_BYTES + 16;

/// A salon's secret. Never printed: its `Debug` shows only the id.
#[derive(Clone, PartialEq, Eq)]
pub struct SalonKey {
    epoch: u32,
    bytes: [u8; 32],
}

/// The public name of a salon key: what the relay keeps to tell keys apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub [u8; 16]);

/// Why a sealed record did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealProblem {
    /// Not a sealed record at all (plaintext, or another format).
    #[error("not a sealed record")]
    NotSealed,
    /// Sealed in a format version this app does not know (a newer app wrote it).
    #[error("sealed in format {0}, newer than this app")]
    NewerFormat(u8),
    /// Sealed under another key epoch than the keys this device has.
    #[error("sealed under key epoch {0}, which this device does not have")]
    OtherEpoch(u32),
    /// The key is wrong, or the record was altered or moved to another document or salon.
    #[error("does not open with this salon's key here")]
    Tampered,
    /// A photo opened, but its bytes are not the photo its name says.
    #[error("the photo's bytes do not match its name")]
    WrongPhoto,
}

/// Why a salon key written out as text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadKey;

type HmacSha256 = Hmac<Sha256>;

fn prf(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length; 32 bytes never fails.
    let mut mac = <HmacSha256 as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(&(part.len() as u32).to_le_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

impl SalonKey {
    /// The first key of a salon, from 32 random bytes.
    pub fn new(bytes: [u8; 32]) -> Self {
        SalonKey { epoch: 1, bytes }
    }

    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The key as it travels in an invite link: `epoch.` and 43 URL-safe base64 characters.
    pub fn to_text(&self) -> String {
        format!("{}.{}", self.epoch, URL_SAFE_NO_PAD.encode(self.bytes))
    }

    pub fn parse(text: &str) -> Result<SalonKey, BadKey> {
        let (epoch, key) = text.trim().split_once('.').ok_or(BadKey)?;
        let epoch: u32 = epoch.parse().map_err(|_| BadKey)?;
        let bytes = URL_SAFE_NO_PAD.decode(key).map_err(|_| BadKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| BadKey)?;
        if epoch == 0 {
            return Err(BadKey);
        }
        Ok(SalonKey { epoch, bytes })
    }

    /// The key's public id (one-way: it tells nothing about the key).
    pub fn id(&self) -> KeyId {
        let full = prf(&self.bytes, &[b"meike/key-id/v1", &self.epoch.to_le_bytes()]);
        let mut id = [0; 16];
        id.copy_from_slice(&full[..16]);
        KeyId(id)
    }

    fn cipher(&self, purpose: &[u8]) -> XChaCha20Poly1305 {
        let subkey = prf(&self.bytes, &[b"meike/subkey/v1", purpose]);
        <XChaCha20Poly1305 as KeyInit>::new(&subkey.into())
    }

    /// Seals one automerge change of document `doc`.
    pub fn seal_change(&self, salon: &SalonId, doc: &DocId, change: &[u8]) -> Vec<u8> {
        let aad = associated(b"change", salon, doc.as_str().as_bytes(), self.epoch);
        self.seal(b"change", &aad, change)
    }

    /// Opens a change sealed for document `doc` of `salon`.
    pub fn open_change(&self, salon: &SalonId, doc: &DocId, sealed: &[u8]) -> Result<Vec<u8>, SealProblem> {
        let epoch = self.check_header(sealed)?;
        let aad = associated(b"change", salon, doc.as_str().as_bytes(), epoch);
        self.open(b"change", &aad, sealed)
    }

    /// The name a photo is stored under at the relay: keyed, so the relay cannot match it to
    /// a known picture, and the same on every device of the salon.
    pub fn blob_name(&self, photo: &BlobHash) -> BlobHash {
        BlobHash::from_bytes(prf(&self.bytes, &[b"meike/blob-name/v1", photo.as_bytes()]))
    }

    /// Seals a photo's bytes (named by their SHA-256 `photo`).
    pub fn seal_blob(&self, salon: &SalonId, photo: &BlobHash, bytes: &[u8]) -> Vec<u8> {
        let aad = associated(b"blob", salon, photo.as_bytes(), self.epoch);
        self.seal(b"blob", &aad, bytes)
    }

    /// Opens a sealed photo and checks that its bytes are the photo `photo` names.
    pub fn open_blob(&self, salon: &SalonId, photo: &BlobHash, sealed: &[u8]) -> Result<Vec<u8>, SealProblem> {
        let epoch = self.check_header(sealed)?;
        let aad = associated(b"blob", salon, photo.as_bytes(), epoch);
        let bytes = self.open(b"blob", &aad, sealed)?;
        if !photo.matches(&bytes) {
            return Err(SealProblem::WrongPhoto);
        }
        Ok(bytes)
    }

    fn seal(&self, purpose: &[u8], aad: &[u8], plain: &[u8]) -> Vec<u8> {
        let subkey = prf(&self.bytes, &[b"meike/nonce-key/v1", purpose]);
        let synthetic = prf(&subkey, &[aad, plain]);
        let mut nonce = [0u8; NONCE_BYTES];
        nonce.copy_from_slice(&synthetic[..NONCE_BYTES]);
        let mut out = Vec::with_capacity(plain.len() + OVERHEAD_BYTES);
        out.extend_from_slice(&MAGIC);
        out.push(FORMAT);
        out.extend_from_slice(&self.epoch.to_le_bytes());
        out.extend_from_slice(&nonce);
        // Encrypting into a Vec cannot fail for records far below the cipher's limit.
        let sealed = self
            .cipher(purpose)
            .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
            .expect("XChaCha20-Poly1305 seals any record of the protocol's sizes");
        out.extend_from_slice(&sealed);
        out
    }

    fn check_header(&self, sealed: &[u8]) -> Result<u32, SealProblem> {
        if !is_sealed(sealed) {
            return Err(SealProblem::NotSealed);
        }
        if sealed[2] != FORMAT {
            return Err(SealProblem::NewerFormat(sealed[2]));
        }
        let epoch = u32::from_le_bytes([sealed[3], sealed[4], sealed[5], sealed[6]]);
        if epoch != self.epoch {
            return Err(SealProblem::OtherEpoch(epoch));
        }
        Ok(epoch)
    }

    fn open(&self, purpose: &[u8], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, SealProblem> {
        let nonce: [u8; NONCE_BYTES] =
            sealed[HEADER_BYTES - NONCE_BYTES..HEADER_BYTES].try_into().map_err(|_| SealProblem::NotSealed)?;
        self.cipher(purpose)
            .decrypt(&XNonce::from(nonce), Payload { msg: &sealed[HEADER_BYTES..], aad })
            .map_err(|_| SealProblem::Tampered)
    }
}

impl std::fmt::Debug for SalonKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SalonKey(epoch {}, id {:02x?})", self.epoch, &self.id().0[..4])
    }
}

fn associated(kind: &[u8], salon: &SalonId, subject: &[u8], epoch: u32) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64);
    for part in [b"meike/sealed/v1".as_slice(), kind, salon.as_str().as_bytes(), subject, &epoch.to_le_bytes()] {
        aad.extend_from_slice(&(part.len() as u32).to_le_bytes());
        aad.extend_from_slice(part);
    }
    aad
}

/// Whether `bytes` has the shape of a sealed record (what the relay checks before storing: it
/// refuses plaintext from a device that forgot to seal).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.len() >= OVERHEAD_BYTES && bytes[..2] == MAGIC
}

#[cfg(test)]
mod tests {
    use super::*;

    fn salon(id: &str) -> SalonId {
        SalonId::parse(id).expect("salon id")
    }

    fn doc(id: &str) -> DocId {
        DocId::parse(id).expect("doc id")
    }

    fn key(seed: u8) -> SalonKey {
        SalonKey::new([seed; 32])
    }

    #[test]
    fn a_sealed_change_opens_only_for_its_salon_document_and_key() {
        let k = key(7);
        let sealed = k.seal_change(&salon("demo"), &doc("c-1"), b"allergic to latex");
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(5).any(|w| w == b"latex"), "no plaintext in the sealed bytes");
        assert_eq!(sealed.len(), "allergic to latex".len() + OVERHEAD_BYTES);
        assert_eq!(k.open_change(&salon("demo"), &doc("c-1"), &sealed).as_deref(), Ok(&b"allergic to latex"[..]));
        // Moved to another document or salon, or opened with another key: refused.
        assert_eq!(k.open_change(&salon("demo"), &doc("c-2"), &sealed), Err(SealProblem::Tampered));
        assert_eq!(k.open_change(&salon("other"), &doc("c-1"), &sealed), Err(SealProblem::Tampered));
        assert_eq!(key(8).open_change(&salon("demo"), &doc("c-1"), &sealed), Err(SealProblem::Tampered));
        // Any flipped bit anywhere: refused.
        for at in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[at] ^= 0x10;
            assert!(k.open_change(&salon("demo"), &doc("c-1"), &bad).is_err(), "byte {at} altered");
        }
        // A change sealed as a photo (same bytes, other purpose) does not open as a change.
        let hash = BlobHash::of(b"x");
        let as_blob = k.seal_blob(&salon("demo"), &hash, b"x");
        assert!(k.open_change(&salon("demo"), &doc("c-1"), &as_blob).is_err());
    }

    #[test]
    fn the_same_change_seals_to_the_same_bytes_and_different_ones_never_share_a_nonce() {
        let (k, demo) = (key(7), salon("demo"));
        let once = k.seal_change(&demo, &doc("c-1"), b"visit 1");
        assert_eq!(once, k.seal_change(&demo, &doc("c-1"), b"visit 1"), "a repeated upload is the same record");
        let nonce = |sealed: &[u8]| sealed[7..31].to_vec();
        let others = [
            k.seal_change(&demo, &doc("c-1"), b"visit 2"),
            k.seal_change(&demo, &doc("c-2"), b"visit 1"),
            k.seal_change(&salon("other"), &doc("c-1"), b"visit 1"),
            key(8).seal_change(&demo, &doc("c-1"), b"visit 1"),
        ];
        for other in &others {
            assert_ne!(nonce(other), nonce(&once));
        }
    }

    #[test]
    fn a_record_of_another_epoch_or_format_or_in_plaintext_says_so() {
        let k = key(7);
        let sealed = k.seal_change(&salon("demo"), &doc("c-1"), b"x");
        let mut later = sealed.clone();
        later[3] = 2;
        assert_eq!(k.open_change(&salon("demo"), &doc("c-1"), &later), Err(SealProblem::OtherEpoch(2)));
        let mut newer = sealed.clone();
        newer[2] = 9;
        assert_eq!(k.open_change(&salon("demo"), &doc("c-1"), &newer), Err(SealProblem::NewerFormat(9)));
        // An automerge change in plaintext (its magic bytes) is not a sealed record.
        let plain = [0x85, 0x6f, 0x4a, 0x83].repeat(20);
        assert!(!is_sealed(&plain));
        assert_eq!(k.open_change(&salon("demo"), &doc("c-1"), &plain), Err(SealProblem::NotSealed));
        assert_eq!(k.open_change(&salon("demo"), &doc("c-1"), b"MS"), Err(SealProblem::NotSealed));
    }

    #[test]
    fn known_answer_a_change_sealed_today_opens_in_every_later_version() {
        // Golden bytes: if this changes, devices in the field can no longer read their salon.
        // Computed independently (HChaCha20 by hand, then RFC 8439 ChaCha20-Poly1305 and HMAC
        // from Python's `cryptography` and `hmac`, the synthetic nonce included), not copied
        // from this code's output.
        let k = SalonKey::new(core::array::from_fn(|i| i as u8));
        let sealed = k.seal_change(&salon("demo"), &doc("c-1"), b"meike");
        let hex: String = sealed.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "4d530101000000674f2d2bfb2d60ca685491a08cc7d6d2a7007c28ce9e765316fea1813348dc5f26ae179fe52f2468290ff09cee"
        );
        assert_eq!(k.open_change(&salon("demo"), &doc("c-1"), &sealed).as_deref(), Ok(&b"meike"[..]));
        let id: String = k.id().0.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(id, "486d3984d860eb73e0ca8e2bb4334e80");
    }

    #[test]
    fn a_photo_is_stored_under_a_keyed_name_and_checked_when_opened() {
        let (k, demo) = (key(3), salon("demo"));
        let photo = b"\xFF\xD8\xFF\xE0 a jpeg".to_vec();
        let hash = BlobHash::of(&photo);
        let name = k.blob_name(&hash);
        assert_ne!(name, hash, "the relay never sees the photo's own hash");
        assert_eq!(name, k.blob_name(&hash), "every device of the salon finds it under the same name");
        assert_ne!(name, key(4).blob_name(&hash));
        let sealed = k.seal_blob(&demo, &hash, &photo);
        assert!(!sealed.windows(3).any(|w| w == b"\xFF\xD8\xFF"), "no JPEG magic in the sealed bytes");
        assert_eq!(k.open_blob(&demo, &hash, &sealed), Ok(photo.clone()));
        // Sealed under another photo's name: it opens to bytes that are not that photo.
        let other = BlobHash::of(b"another photo");
        assert_eq!(k.open_blob(&demo, &other, &sealed), Err(SealProblem::Tampered));
        let liar = k.seal_blob(&demo, &other, &photo);
        assert_eq!(k.open_blob(&demo, &other, &liar), Err(SealProblem::WrongPhoto));
    }

    #[test]
    fn a_key_travels_as_text_and_its_id_tells_keys_apart() {
        let k = key(42);
        let text = k.to_text();
        assert!(text.starts_with("1.") && text.len() == 45, "{text}");
        assert_eq!(SalonKey::parse(&text), Ok(k.clone()));
        assert_eq!(k.id(), SalonKey::parse(&text).expect("parses").id());
        assert_ne!(k.id(), key(43).id());
        assert!(!format!("{k:?}").contains(&text[2..]), "Debug never shows the key");
        for bad in ["", "1", "1.", "0.".to_owned().as_str(), "x.AAAA", "1.AAAA", &text[..40], &format!("{text}A")] {
            assert_eq!(SalonKey::parse(bad), Err(BadKey), "{bad:?}");
        }
        assert_eq!(SalonKey::parse(&format!("0.{}", &text[2..])), Err(BadKey), "epochs start at 1");
    }
}
