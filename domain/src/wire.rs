//! The relay protocol: the only types that cross the network.
//!
//! Every frame is one binary WebSocket message: a version byte, then a postcard-encoded
//! [`ClientMsg`] or [`ServerMsg`]. Sizes are checked before decoding, and decoding is bounded
//! by the frame's length, so a hostile frame cannot make either side allocate much.
//! Every change and blob is sealed on its device ([`crate::crypto`]); the relay cannot look
//! inside. It checks only what it can: that a change's hash is the SHA-256 of its (sealed)
//! bytes, so one device cannot store garbage under another change's hash, and that changes
//! and blobs have the sealed shape, so a device that forgot to seal is refused, not stored.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::blob::BlobHash;
use crate::crypto;
use crate::ids::{DocId, SalonId};
use crate::pairing::PairingCode;
use crate::staff::Role;

/// Bumped on any incompatible change to the messages below.
pub const PROTOCOL_VERSION: u8 = 3;

/// Protocol limits, shared by both sides so a well-behaved client never hits them.
pub mod limits {
    /// Largest frame either side sends or accepts.
    pub const MAX_FRAME_BYTES: usize = 1 << 20;
    /// Largest single change; a customer edit is a few hundred bytes.
    pub const MAX_CHANGE_BYTES: usize = 256 << 10;
    /// Most changes in one push.
    pub const MAX_PUSH_CHANGES: usize = 200;
    /// Bytes of changes a client puts in one push (leaves room for framing).
    pub const MAX_PUSH_BYTES: usize = 768 << 10;
    /// Most changes the relay returns in one page.
    pub const MAX_PULL_LIMIT: u32 = 500;
    /// Bytes of changes the relay puts in one page.
    pub const MAX_PAGE_BYTES: usize = 768 << 10;
    pub const MAX_TOKEN_LEN: usize = 256;
    /// Most grants in a rotation (one per device that stays), and the largest one.
    pub const MAX_GRANTS: usize = 500;
    pub const MAX_GRANT_BYTES: usize = 128;
    /// Longest device name ("前台 iPad"), in bytes.
    pub const MAX_DEVICE_NAME_BYTES: usize = 120;
    /// Largest blob (a resized photo is 100–400 KB); fits a frame with room to spare.
    pub const MAX_BLOB_BYTES: usize = 900 << 10;
    /// Most photo names one erasure names (a file with years of before/after photos has a
    /// few hundred).
    pub const MAX_ERASE_BLOBS: usize = 5_000;
    /// Largest SPAKE2 message of a pairing (they are 33 bytes).
    pub const MAX_PAIR_MSG_BYTES: usize = 64;
    /// Largest sealed invite a pairing hands over (a link with the salon's keys of every epoch).
    pub const MAX_PAIR_SEALED_BYTES: usize = 16 << 10;
}

/// One change on its way to the relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireChange {
    pub doc: DocId,
    /// SHA-256 of `bytes` (the sealed change), checked by the relay: its deduplication key.
    pub hash: [u8; 32],
    pub bytes: Vec<u8>,
}

/// One stored change coming back from the relay, with its salon-wide sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeqChange {
    pub seq: u64,
    pub doc: DocId,
    pub hash: [u8; 32],
    pub bytes: Vec<u8>,
}

impl SeqChange {
    /// Her document was erased ([`ClientMsg::Erase`]): the relay keeps only the change's number
    /// and hash (so read counts and receipts stay true) and sends it without bytes. A device
    /// removes the document and everything it holds of it, and never quarantines the change.
    pub fn is_erased(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// How far a device has read: the sequence number of the last change, its hash, and how many
/// of the salon's changes it has read in all. A relay restored from an older backup lacks the
/// change, holds another under its number (SQLite's counter came back with the backup), or
/// has another count of changes up to it (some lost, others written under reused numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub seq: u64,
    pub hash: [u8; 32],
    pub read: u64,
}

/// The relay's receipt for a change a device pushed: its sequence number and hash. A device
/// keeps the newest one; a relay that no longer holds that change there lost it (restored
/// from a backup taken after the push was acknowledged, before any device read it back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub seq: u64,
    pub hash: [u8; 32],
}

/// How a device shows it belongs to the salon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Credential {
    /// Its own token, made on the device when it was paired; the relay keeps only its hash.
    Device { token: String },
    /// A new device: the single-use invite it was given (or, for the salon's first device,
    /// the operator's setup secret), and the token it will use from now on. Sending it again
    /// with the same token (the answer was lost) is harmless.
    Invite {
        invite: String,
        token: String,
        /// The device's public key (X25519): a new salon key after a removal is sealed to it.
        public: [u8; 32],
    },
}

impl Credential {
    fn too_long(&self) -> bool {
        match self {
            Credential::Device { token } => token.len() > limits::MAX_TOKEN_LEN,
            Credential::Invite { invite, token, .. } => {
                invite.len() > limits::MAX_TOKEN_LEN || token.len() > limits::MAX_TOKEN_LEN
            }
        }
    }
}

/// One paired device, as the devices page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub id: u64,
    pub name: String,
    pub role: Role,
    pub paired_at_ms: u64,
    /// When it last connected (its pairing, before that).
    pub last_seen_ms: u64,
    /// Its public key: what a new salon key is sealed to.
    pub public: [u8; 32],
}

/// A new salon key for one device, sealed to its public key ([`crate::crypto::grant`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub device: u64,
    pub sealed: Vec<u8>,
}

/// The salon's next key, made by the device that removes another: its epoch and id, sealed
/// to every device that stays (the removed one gets none, and the relay can open none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    pub epoch: u32,
    pub key_id: [u8; 16],
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientMsg {
    /// First message on every connection.
    Hello {
        salon: SalonId,
        credential: Credential,
        /// Where the device has read up to, when it has read anything: the relay says in
        /// `Welcome` whether it still holds exactly that.
        at: Option<Position>,
        /// The newest receipt for a change this device pushed: checked the same way.
        pushed: Option<Receipt>,
    },
    /// Store these changes; answered by [`ServerMsg::Ack`] with the same `batch`.
    Push { batch: u64, changes: Vec<WireChange> },
    /// Send changes with a sequence number above `since`; answered by [`ServerMsg::Page`].
    Pull { since: u64, limit: u32 },
    /// Store a sealed blob under its name (keyed by the salon key, see
    /// [`crate::crypto::SalonKey::blob_name`]); answered by [`ServerMsg::BlobStored`]. Storing
    /// it again is harmless.
    PutBlob { hash: [u8; 32], bytes: Vec<u8> },
    /// Send the salon's blob with this name; answered by [`ServerMsg::Blob`].
    GetBlob { hash: [u8; 32] },
    /// The salon has no key yet (`Welcome` said so): this device's key is the salon's, unless
    /// another device claimed one first. Answered by [`ServerMsg::SalonKey`].
    ClaimKey { id: [u8; 16] },
    /// Record a single-use invite for a new device with this role and name, valid for ten
    /// minutes. Only the invite's SHA-256 travels; the invite itself goes from this device to
    /// the new one (a link or QR code). Answered by [`ServerMsg::Invited`]. Only a device
    /// that [`Role::manages`] the role may.
    Invite { hash: [u8; 32], role: Role, name: String },
    /// List the salon's devices; answered by [`ServerMsg::Devices`].
    ListDevices,
    /// Remove a device: its token is refused from now on and its open connection closed, and
    /// with `rotation` the salon moves to a new key the removed device never gets. Answered by
    /// [`ServerMsg::Devices`]. Only a device that manages its role may.
    Revoke { device: u64, rotation: Option<Rotation> },
    /// Erase one customer's document for good (PIPL art. 47): the relay drops the bytes of
    /// all its changes, deletes the blobs named (her photos, by their relay names), refuses to
    /// keep any it is sent again, and adds one empty change so every device learns of it and
    /// removes her too. Answered by [`ServerMsg::Erased`]. Only an owner's or manager's
    /// device may ([`Role::erases`]). Appended last, so earlier messages keep their encoding.
    Erase { doc: DocId, blobs: Vec<[u8; 32]> },
    /// Open a meeting point for a new device that is typed this device's pairing code
    /// ([`crate::pairing`]): `rendezvous` is the code's first four characters, `msg` this
    /// device's SPAKE2 message. The relay keeps it in memory for ten minutes or until this
    /// socket closes, and forwards one answer only. Answered by [`ServerMsg::PairOpened`], or
    /// [`ServerMsg::PairTaken`] when another device holds that meeting point. Only a device
    /// that manages some role may.
    PairOffer { rendezvous: String, msg: Vec<u8> },
    /// The invite link sealed with the pairing key, for the new device that answered at
    /// `rendezvous` ([`ServerMsg::PairAnswer`]); the relay hands it over and closes the
    /// meeting point. Not answered.
    PairSeal { rendezvous: String, sealed: Vec<u8> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerMsg {
    /// The device is authenticated; `head` is the salon's newest sequence number and `key`
    /// the id of the salon's key (`None` until a device claims one).
    /// `lost` is true when the device's `at` is not what the relay holds (the relay was
    /// restored from an older backup, or lost its database): the device must read everything
    /// again and upload everything it has.
    /// `device` and `role` are this device's, as paired. `grant` is the salon's current key
    /// sealed to this device, when a device rotated the key (after removing another).
    Welcome { head: u64, key: Option<[u8; 16]>, lost: bool, device: u64, role: Role, grant: Option<Vec<u8>> },
    /// The salon's key id after a `ClaimKey`: the claimed one, or the one claimed before it.
    SalonKey { id: [u8; 16] },
    /// Every change of the batch is stored; `seqs[i]` is the sequence number of change `i`
    /// (the earlier one when the change was already stored).
    Ack { batch: u64, seqs: Vec<u64> },
    /// Changes in sequence order. More remain when the last `seq` is below `head`.
    Page { changes: Vec<SeqChange>, head: u64 },
    /// Something new arrived for this salon.
    Announce { head: u64 },
    /// The relay refused the last message; the connection closes after an error.
    Error { code: ErrorCode },
    /// The blob of a `PutBlob` is stored.
    BlobStored { hash: [u8; 32] },
    /// The answer to `GetBlob`: the bytes, or `None` when the salon has no such blob (yet).
    Blob { hash: [u8; 32], bytes: Option<Vec<u8>> },
    /// The invite with this hash is recorded and valid until `expires_at_ms`.
    Invited { hash: [u8; 32], expires_at_ms: u64 },
    /// The salon's devices, removed ones left out.
    Devices { devices: Vec<DeviceInfo> },
    /// The document of an [`ClientMsg::Erase`] is erased at the relay.
    Erased { doc: DocId },
    /// The meeting point of a [`ClientMsg::PairOffer`] is open until `expires_at_ms`.
    PairOpened { rendezvous: String, expires_at_ms: u64 },
    /// Another device holds this meeting point: make another code.
    PairTaken { rendezvous: String },
    /// A new device typed the code of `rendezvous`: its SPAKE2 message. Answer with
    /// [`ClientMsg::PairSeal`] (the meeting point takes no other answer).
    PairAnswer { rendezvous: String, msg: Vec<u8> },
}

/// What `POST /pair/{rendezvous}` answers a new device that sent its SPAKE2 message: the
/// offering device's message and the invite link sealed with the key both now share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairReply {
    pub offer: Vec<u8>,
    pub sealed: Vec<u8>,
}

impl PairReply {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, FrameProblem> {
        let reply: PairReply = decode(bytes)?;
        if reply.offer.len() > limits::MAX_PAIR_MSG_BYTES || reply.sealed.len() > limits::MAX_PAIR_SEALED_BYTES {
            return Err(FrameProblem::TooLarge);
        }
        Ok(reply)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    /// The frame could not be decoded, or broke a protocol rule.
    Malformed,
    /// The frame's version byte is not [`PROTOCOL_VERSION`].
    UnsupportedVersion,
    /// The frame, a change or a batch is over the limits.
    TooLarge,
    /// Unknown salon or wrong token.
    Unauthorized,
    /// The invite is unknown, used by another device, or past its ten minutes (or the setup
    /// secret, once the salon has a device).
    InviteInvalid,
    /// This device was removed from the salon.
    Revoked,
    /// This device's role may not do that (invite or remove a device of that role).
    Forbidden,
    /// The relay has as many connections of this salon as it takes: try again later.
    Busy,
    /// A message other than `Hello` before authentication.
    NotAuthenticated,
    /// The relay could not store or read; nothing was changed.
    Internal,
    /// A change's bytes do not hash to the hash it was sent under.
    HashMismatch,
    /// A change or blob in plaintext: devices seal everything before it leaves them.
    NotSealed,
    /// The salon's storage at the relay is full (the operator's per-salon quota): nothing of
    /// this push or blob was stored. Appended last, so earlier codes keep their encoding.
    QuotaExceeded,
}

/// What a device does once the relay refused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterRefusal {
    /// Reconnect with the usual backoff, as after a lost link: the refusal is about this
    /// moment (a busy relay, a failure at the relay, a request this device's role may not
    /// make), not about the device.
    Reconnect,
    /// Show the refusal and try again now and then (every minute): it may clear with nobody
    /// here doing anything (the operator raises a full salon's quota, a customer is erased).
    RetryLater,
    /// Show the refusal and wait for someone to act (a new invite, an app update): trying
    /// again would be refused the same way.
    Stop,
}

impl ErrorCode {
    pub fn after_refusal(self) -> AfterRefusal {
        match self {
            ErrorCode::Busy | ErrorCode::Forbidden | ErrorCode::Internal => AfterRefusal::Reconnect,
            ErrorCode::QuotaExceeded => AfterRefusal::RetryLater,
            ErrorCode::Malformed
            | ErrorCode::UnsupportedVersion
            | ErrorCode::TooLarge
            | ErrorCode::Unauthorized
            | ErrorCode::InviteInvalid
            | ErrorCode::Revoked
            | ErrorCode::NotAuthenticated
            | ErrorCode::HashMismatch
            | ErrorCode::NotSealed => AfterRefusal::Stop,
        }
    }
}

/// Why a frame was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameProblem {
    Empty,
    TooLarge,
    UnsupportedVersion,
    Malformed,
    HashMismatch,
    NotSealed,
}

impl FrameProblem {
    pub fn code(self) -> ErrorCode {
        match self {
            FrameProblem::Empty | FrameProblem::Malformed => ErrorCode::Malformed,
            FrameProblem::TooLarge => ErrorCode::TooLarge,
            FrameProblem::UnsupportedVersion => ErrorCode::UnsupportedVersion,
            FrameProblem::HashMismatch => ErrorCode::HashMismatch,
            FrameProblem::NotSealed => ErrorCode::NotSealed,
        }
    }
}

fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    let mut out = vec![PROTOCOL_VERSION];
    // Serialising these plain data types into a Vec cannot fail.
    out.extend(postcard::to_allocvec(msg).unwrap_or_default());
    out
}

fn decode<'a, T: Deserialize<'a>>(frame: &'a [u8]) -> Result<T, FrameProblem> {
    let (&version, body) = frame.split_first().ok_or(FrameProblem::Empty)?;
    if frame.len() > limits::MAX_FRAME_BYTES {
        return Err(FrameProblem::TooLarge);
    }
    if version != PROTOCOL_VERSION {
        return Err(FrameProblem::UnsupportedVersion);
    }
    match postcard::take_from_bytes::<T>(body) {
        Ok((msg, [])) => Ok(msg),
        _ => Err(FrameProblem::Malformed),
    }
}

impl ClientMsg {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// Whether the relay answers this message. A device that hears nothing within its limit
    /// after a message that is answered calls the connection lost; one that is not answered
    /// ([`ClientMsg::PairSeal`]) must not start that clock.
    pub fn expects_answer(&self) -> bool {
        !matches!(self, ClientMsg::PairSeal { .. })
    }

    /// Decodes a frame and checks the protocol's limits.
    pub fn decode(frame: &[u8]) -> Result<Self, FrameProblem> {
        let msg: ClientMsg = decode(frame)?;
        match &msg {
            ClientMsg::Hello { credential, .. } if credential.too_long() => Err(FrameProblem::TooLarge),
            ClientMsg::Invite { name, .. } if name.len() > limits::MAX_DEVICE_NAME_BYTES => Err(FrameProblem::TooLarge),
            ClientMsg::Revoke { rotation: Some(rotation), .. }
                if rotation.grants.len() > limits::MAX_GRANTS
                    || rotation.grants.iter().any(|g| g.sealed.len() > limits::MAX_GRANT_BYTES) =>
            {
                Err(FrameProblem::TooLarge)
            }
            ClientMsg::Push { changes, .. }
                if changes.len() > limits::MAX_PUSH_CHANGES
                    || changes.iter().any(|c| c.bytes.len() > limits::MAX_CHANGE_BYTES) =>
            {
                Err(FrameProblem::TooLarge)
            }
            ClientMsg::Push { changes, .. } if changes.iter().any(|c| c.bytes.is_empty()) => {
                Err(FrameProblem::Malformed)
            }
            ClientMsg::Push { changes, .. } if changes.iter().any(|c| !crypto::is_sealed(&c.bytes)) => {
                Err(FrameProblem::NotSealed)
            }
            ClientMsg::Push { changes, .. }
                if changes.iter().any(|c| !BlobHash::from_bytes(c.hash).matches(&c.bytes)) =>
            {
                Err(FrameProblem::HashMismatch)
            }
            ClientMsg::Erase { blobs, .. } if blobs.len() > limits::MAX_ERASE_BLOBS => Err(FrameProblem::TooLarge),
            ClientMsg::PairOffer { msg, .. } if msg.len() > limits::MAX_PAIR_MSG_BYTES => Err(FrameProblem::TooLarge),
            ClientMsg::PairSeal { sealed, .. } if sealed.len() > limits::MAX_PAIR_SEALED_BYTES => {
                Err(FrameProblem::TooLarge)
            }
            ClientMsg::PairOffer { rendezvous, msg }
                if !PairingCode::valid_rendezvous(rendezvous) || msg.is_empty() =>
            {
                Err(FrameProblem::Malformed)
            }
            ClientMsg::PairSeal { rendezvous, .. } if !PairingCode::valid_rendezvous(rendezvous) => {
                Err(FrameProblem::Malformed)
            }
            ClientMsg::PutBlob { bytes, .. } if bytes.is_empty() => Err(FrameProblem::Malformed),
            ClientMsg::PutBlob { bytes, .. } if bytes.len() > limits::MAX_BLOB_BYTES => Err(FrameProblem::TooLarge),
            ClientMsg::PutBlob { bytes, .. } if !crypto::is_sealed(bytes) => Err(FrameProblem::NotSealed),
            _ => Ok(msg),
        }
    }
}

impl ServerMsg {
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    pub fn decode(frame: &[u8]) -> Result<Self, DomainError> {
        decode(frame).map_err(|problem| DomainError::Frame(format!("{problem:?}")))
    }
}
