//! The storage boundary: what the relay needs from a database (changes in order, blobs by
//! name, the salon's devices and invites). SQLite implements it today; a
//! PostgreSQL implementation is planned, so nothing here may assume SQLite.

use domain::ids::{DocId, SalonId};
use domain::staff::Role;
use domain::wire::{DeviceInfo, Position, Rotation, SeqChange, WireChange};
use futures::future::BoxFuture;

use crate::AppError;

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushOutcome {
    /// One sequence number per pushed change, in the order pushed; a change that was already
    /// stored keeps the sequence number it got the first time.
    pub seqs: Vec<u64>,
    /// How many changes were new, and their bytes.
    pub inserted: usize,
    pub inserted_bytes: u64,
    /// The salon's newest sequence number after the push.
    pub head: u64,
}

/// What a blob upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobPut {
    Stored,
    /// Stored before, or erased: nothing more is kept.
    Kept,
    /// Over the salon's quota: nothing stored.
    NoRoom,
}

/// How long an invite made on a device (or by the operator) can be used.
pub const INVITE_VALID_MS: u64 = 10 * 60 * 1000;

/// A device as the relay knows it, found by its token's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevice {
    pub info: DeviceInfo,
    pub revoked: bool,
}

/// What a removal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    /// Removed (and the key rotated, when a rotation came with it).
    Done,
    /// The salon has no such device, or it was removed before; nothing changed.
    NoSuchDevice,
    /// The rotation is not the salon's next key epoch (another device rotated first); nothing
    /// changed.
    StaleRotation,
}

/// What lets a new device pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// The operator's setup secret: good for the salon's first device only, as its owner.
    Setup,
    /// The SHA-256 of a single-use invite.
    Invite([u8; 32]),
}

/// An invite to record: only its hash, never the invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvite {
    pub hash: [u8; 32],
    pub role: Role,
    pub name: String,
    /// The device that made it; `None` for the operator's command line.
    pub made_by: Option<u64>,
    pub expires_at_ms: u64,
}

/// Stores opaque (sealed) changes per salon and hands them back in sequence order.
///
/// Sequence numbers increase over the whole store, so one salon's numbers have gaps; a salon
/// only ever sees its own rows. Implementations never look inside a change's bytes.
pub trait ChangeStore: Send + Sync {
    /// Stores `changes` atomically: either all are stored (or found already stored) or none.
    /// A change is identified by (salon, document, hash), so pushing it again is harmless.
    fn push(
        &self,
        salon: SalonId,
        changes: Vec<WireChange>,
        received_at_ms: u64,
    ) -> BoxFuture<'_, Result<PushOutcome, AppError>>;

    /// Like [`ChangeStore::push`], but when the new changes' bytes would take more than
    /// `room` (what is left of the salon's quota) nothing is stored and the answer is `None`.
    /// Changes already stored take no room.
    fn push_within(
        &self,
        salon: SalonId,
        changes: Vec<WireChange>,
        received_at_ms: u64,
        room: u64,
    ) -> BoxFuture<'_, Result<Option<PushOutcome>, AppError>>;

    /// The salon's changes with a sequence number above `since`, in order: at most `limit`,
    /// and no more than `max_bytes` of change bytes, except that one change is always
    /// returned when any exists so a large change cannot block a device. Also returns the
    /// salon's head.
    fn pull(
        &self,
        salon: SalonId,
        since: u64,
        limit: u32,
        max_bytes: usize,
    ) -> BoxFuture<'_, Result<(Vec<SeqChange>, u64), AppError>>;

    /// The salon's newest sequence number, 0 when it has no changes.
    fn head(&self, salon: SalonId) -> BoxFuture<'_, Result<u64, AppError>>;

    /// Where a device that read everything up to `seq` would stand: the hash of the salon's
    /// change there (`None` when it has none) and how many of its changes are up to it.
    fn position(&self, salon: SalonId, seq: u64) -> BoxFuture<'_, Result<Option<Position>, AppError>>;

    /// The id of the salon's key, once a device has claimed one. The relay never has the key.
    fn salon_key(&self, salon: SalonId) -> BoxFuture<'_, Result<Option<[u8; 16]>, AppError>>;

    /// Records `id` as the salon's key id unless one is recorded already; returns the
    /// salon's key id after the claim (the earlier one when there was one).
    fn claim_key(&self, salon: SalonId, id: [u8; 16], claimed_at_ms: u64) -> BoxFuture<'_, Result<[u8; 16], AppError>>;

    /// Stores a sealed blob (a photo) under its name for one salon, unless it is larger than
    /// `room` (what is left of the salon's quota); storing the same blob again is harmless,
    /// and a blob of an erased customer is not stored again.
    fn put_blob(
        &self,
        salon: SalonId,
        hash: [u8; 32],
        bytes: Vec<u8>,
        received_at_ms: u64,
        room: u64,
    ) -> BoxFuture<'_, Result<BlobPut, AppError>>;

    /// The bytes the salon's changes and blobs take, for its quota.
    fn usage(&self, salon: SalonId) -> BoxFuture<'_, Result<u64, AppError>>;

    /// The salon's blob with this name. Another salon's blob with the same name is not
    /// returned: salons never see each other's data.
    fn get_blob(&self, salon: SalonId, hash: [u8; 32]) -> BoxFuture<'_, Result<Option<Vec<u8>>, AppError>>;

    /// The salon's device with this token hash, noting it was seen at `seen_at_ms` (unless
    /// removed). Tokens are never stored, only their SHA-256.
    fn device(
        &self,
        salon: SalonId,
        token_hash: [u8; 32],
        seen_at_ms: u64,
    ) -> BoxFuture<'_, Result<Option<KnownDevice>, AppError>>;

    /// Pairs a new device under `token_hash` with `pass`, atomically using the pass up:
    /// `None` when the pass is unknown, used, expired, or (setup) the salon has a device. A
    /// pass already used by this very token (the answer was lost) gives that device again.
    fn pair(
        &self,
        salon: SalonId,
        pass: Pass,
        token_hash: [u8; 32],
        public: [u8; 32],
        now_ms: u64,
    ) -> BoxFuture<'_, Result<Option<DeviceInfo>, AppError>>;

    fn create_invite(&self, salon: SalonId, invite: NewInvite) -> BoxFuture<'_, Result<(), AppError>>;

    /// The salon's devices that are not removed, oldest first.
    fn devices(&self, salon: SalonId) -> BoxFuture<'_, Result<Vec<DeviceInfo>, AppError>>;

    /// Removes a device from the salon: its token is refused from now on; with `rotation`, in
    /// the same transaction, the salon's key id moves to the rotation's and its grants are
    /// kept for the devices they are sealed to.
    fn revoke(
        &self,
        salon: SalonId,
        device: u64,
        rotation: Option<Rotation>,
        revoked_at_ms: u64,
    ) -> BoxFuture<'_, Result<Revoked, AppError>>;

    /// Erases one document for good: in one transaction the bytes of every change of `doc` are
    /// dropped (their numbers and hashes stay, so devices' read counts and receipts hold), the
    /// salon's blobs named in `blobs` are deleted, both are remembered as erased (a change of
    /// `doc` pushed later is kept without its bytes; a blob named is not stored again), and
    /// one empty change of `doc` is added so every device hears of it. Freed space is
    /// overwritten, not just unlinked. Returns the salon's head afterwards. Erasing again is
    /// harmless.
    fn erase(
        &self,
        salon: SalonId,
        doc: DocId,
        blobs: Vec<[u8; 32]>,
        erased_at_ms: u64,
    ) -> BoxFuture<'_, Result<u64, AppError>>;

    /// The salon's current key sealed to `device`, when the key was rotated since it paired.
    fn grant(&self, salon: SalonId, device: u64) -> BoxFuture<'_, Result<Option<Vec<u8>>, AppError>>;
}
