//! The device side of the relay protocol as a pure state machine: the app feeds it socket
//! events and its own progress, and sends what it returns. No sockets, no timers, no storage.
//! The bookkeeping of a session lives here too (the push in flight with the outbox keys and
//! key announcements it carries, photos the relay lacked, when to retry quarantined changes)
//! and so does [`Backoff`], when to connect again: the app's sync loop only does the IO.

use crate::blob::BlobHash;
use crate::crypto::{DocKeyId, KeyId};
use crate::ids::{DocId, SalonId};
use crate::staff::Role;
use crate::wire::{
    AfterRefusal, ClientMsg, Credential, DeviceInfo, ErrorCode, Position, Receipt, SeqChange, ServerMsg, WireChange,
    limits,
};

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Closed,
    /// `Hello` sent, waiting for `Welcome`.
    Authenticating,
    /// The salon had no key: this device's claim is waiting for the relay's answer.
    Claiming,
    /// The salon moved to a new key, sealed to this device: the app is opening it.
    Rekeying,
    Ready,
}

/// What the relay said about a pairing code this device shows ([`ClientMsg::PairOffer`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairingEvent {
    /// The code's meeting point is open until `expires_at_ms`: show the code.
    Opened { rendezvous: String, expires_at_ms: u64 },
    /// Another device holds the meeting point: make another code.
    Taken { rendezvous: String },
    /// A device typed the code: finish the exchange with `msg` and seal the invite
    /// ([`ClientMsg::PairSeal`]).
    Answer { rendezvous: String, msg: Vec<u8> },
}

/// What the app must do after a relay message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this message to the relay.
    Send(ClientMsg),
    /// Store these changes with `cursor_after` in one transaction, then call
    /// [`SyncClient::page_applied`]. (A page that brings nothing and leaves the cursor where it
    /// is, the idle check's answer, is not handed over: there is nothing to store.)
    Apply { changes: Vec<SeqChange>, cursor_after: u64 },
    /// The relay stored the push in flight: keep `receipt` (the newest change of the batch)
    /// for the next `Hello`, mark the customers' keys in `announced` as at the relay, drop the
    /// outbox entries with keys `outbox` (first and last, inclusive; none when the push held
    /// only key records), then offer the next push.
    Acknowledged { receipt: Option<Receipt>, outbox: Option<(u64, u64)>, announced: Vec<(DocId, DocKeyId)> },
    /// The relay knows this device as `device` with `role`. After pairing with an invite the
    /// app keeps its own token as its credential from now on (the invite is used up).
    Paired { device: u64, role: Role },
    /// The invite with this hash is recorded at the relay, valid until `expires_at_ms`.
    InviteRecorded { hash: [u8; 32], expires_at_ms: u64 },
    /// The salon's devices (after a list or a removal).
    Devices(Vec<DeviceInfo>),
    /// Offer local changes with [`SyncClient::push`] if the outbox has any.
    PushIfPending,
    /// Try the changes kept in quarantine again, and store those that open now: on every
    /// connection (a newer app's change may open after an update, a damaged device's never)
    /// and after a page that brought a customer's key (her changes that came first open now).
    RetryQuarantined,
    /// Send the erasures made on this device that the relay has not confirmed yet
    /// ([`ClientMsg::Erase`], through [`SyncClient::request`]).
    ErasuresIfPending,
    /// The relay erased `doc`: this device's erasure of it is done.
    Erased { doc: DocId },
    /// News of a pairing code this device offered (for the invite screen).
    Pairing(PairingEvent),
    /// The relay refused us; close and report `code`.
    Refused(ErrorCode),
    /// The relay stored the blob `hash`: drop it from the blob outbox.
    BlobStored { hash: BlobHash },
    /// The blob asked for: its bytes (checked against its name), or `None` when the relay
    /// does not have it yet or sent bytes that are not it.
    BlobArrived { hash: BlobHash, bytes: Option<Vec<u8>> },
    /// Offer the next blob transfer with [`SyncClient::put_blob`] / [`SyncClient::get_blob`]:
    /// uploads first, then the photo [`SyncClient::next_fetch`] picks from those wanted.
    BlobsIfPending,
    /// The salon has no key and neither has this device: make one (random), keep it, and
    /// claim it with [`SyncClient::claim`].
    CreateKey,
    /// The salon moved to a new key (a device was removed) and sealed it to this device: open
    /// `grant` with the device key, add the key to the keyring, then call
    /// [`SyncClient::rekeyed`].
    Rekey { grant: Vec<u8> },
    /// The salon has a key and this device has none: it must be invited by a device of the
    /// salon (the key never comes through the relay). Nothing is sent or received.
    KeyNeeded,
    /// This device's key is not the salon's (another device claimed first, or the device
    /// belongs to another salon's key). Nothing is sent or received.
    KeyMismatch,
    /// The relay does not hold what this device last read (restored from an older backup, or
    /// its database lost): set the stored cursor to 0 and put every change of every document
    /// this device has back into the outbox. Reading starts again from the beginning.
    RelayForgot,
}

/// One record to push: a local change from the outbox (`outbox` is its key there), or her
/// key's record, which goes just before the first change sealed under it (`announces` names
/// her document and key, to be marked as at the relay once acknowledged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub change: WireChange,
    pub outbox: Option<u64>,
    pub announces: Option<(DocId, DocKeyId)>,
}

/// What the app reports once it stored a page ([`Effect::Apply`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageStored {
    /// The cursor stored with the page: the `cursor_after` of the `Apply`.
    pub cursor: u64,
    /// A customer's key came with the page: her changes kept aside for want of it may open.
    pub keys_arrived: bool,
}

/// The push waiting for its acknowledgement: what to drop and mark once the relay has it.
#[derive(Debug, Clone)]
struct InFlight {
    batch: u64,
    /// The bytes of its changes: they travel whole before the receipt can come.
    bytes: usize,
    hashes: Vec<[u8; 32]>,
    outbox: Option<(u64, u64)>,
    announced: Vec<(DocId, DocKeyId)>,
}

/// Photos the relay lacked that are kept out of [`SyncClient::next_fetch`] at most; past this
/// many the list starts over (asking again is harmless, a list without end is not).
const MISSING_KEPT: usize = 1_000;

/// Per-connection protocol state of one device.
#[derive(Debug, Clone)]
pub struct SyncClient {
    salon: SalonId,
    credential: Credential,
    phase: Phase,
    /// Highest sequence number whose change is stored on this device.
    cursor: u64,
    /// Highest sequence number the relay has told us about.
    head: u64,
    pulling: bool,
    /// The push waiting for its acknowledgement.
    pushing: Option<InFlight>,
    next_batch: u64,
    /// The one blob transfer in flight (photos are large: one at a time keeps frames small
    /// and lets changes pass between them).
    blob: Option<BlobHash>,
    /// The blob in flight is being fetched (its answer is a photo, not a receipt).
    fetching_blob: bool,
    /// The bytes of the blob in flight when it is being uploaded.
    uploading_blob: usize,
    /// The id of this device's salon key, if it has one.
    key: Option<KeyId>,
    /// Where the device has read up to (its `seq` is the cursor), when known: sent in `Hello`
    /// so the relay can say whether it still holds exactly that.
    at: Option<Position>,
    /// The newest receipt for a change of this device's: sent in `Hello` too.
    pushed: Option<Receipt>,
    /// The salon's key id as the relay last said.
    salon_key: Option<KeyId>,
    /// This connection got as far as syncing (the relay is reachable and takes this device).
    was_ready: bool,
    /// Photos the relay did not have when asked (none yet, or bytes that were not them): not
    /// asked for again until something changes, a page stored or the next tick.
    missing: Vec<BlobHash>,
}

/// How long a device waits for the relay's answer before it calls the connection lost.
pub mod liveness {
    /// An answer that carries little (the idle check's, a receipt) comes within this, or the
    /// relay (or the network to it) is gone.
    pub const QUIET_MS: u32 = 10_000;
    /// Time is added for what still has to travel, at this poor-Wi-Fi rate.
    pub const SLOW_BYTES_PER_SECOND: u32 = 16 * 1024;
    /// Never longer than this, however much is travelling.
    pub const MAX_MS: u32 = 60_000;

    /// The limit for an answer when `bytes` (sent and expected back) have to travel first.
    pub fn limit_ms(bytes: usize) -> u32 {
        let travel = bytes as u64 * 1000 / u64::from(SLOW_BYTES_PER_SECOND);
        (u64::from(QUIET_MS) + travel).min(u64::from(MAX_MS)) as u32
    }
}

impl SyncClient {
    pub fn new(
        salon: SalonId,
        credential: Credential,
        cursor: u64,
        key: Option<KeyId>,
        at: Option<Position>,
        pushed: Option<Receipt>,
    ) -> Self {
        SyncClient {
            salon,
            credential,
            phase: Phase::Closed,
            cursor,
            head: cursor,
            pulling: false,
            pushing: None,
            next_batch: 1,
            blob: None,
            fetching_blob: false,
            uploading_blob: 0,
            key,
            at,
            pushed,
            salon_key: None,
            was_ready: false,
            missing: Vec::new(),
        }
    }

    /// The app opened the new key `Rekey` brought, and this is now the device's newest key.
    pub fn rekeyed(&mut self, key: KeyId) -> Vec<Effect> {
        if self.phase != Phase::Rekeying {
            return Vec::new();
        }
        self.key = Some(key);
        if self.salon_key == Some(key) {
            self.ready()
        } else {
            self.phase = Phase::Closed;
            vec![Effect::KeyMismatch]
        }
    }

    /// The key this device made on [`Effect::CreateKey`]: the claim to send.
    pub fn claim(&mut self, key: KeyId) -> Option<ClientMsg> {
        if self.phase != Phase::Claiming {
            return None;
        }
        self.key = Some(key);
        Some(ClientMsg::ClaimKey { id: key.0 })
    }

    fn ready(&mut self) -> Vec<Effect> {
        self.phase = Phase::Ready;
        self.was_ready = true;
        let mut effects: Vec<Effect> = self.pull_if_behind().into_iter().map(Effect::Send).collect();
        effects.push(Effect::RetryQuarantined);
        effects.push(Effect::PushIfPending);
        effects.push(Effect::ErasuresIfPending);
        effects.push(Effect::BlobsIfPending);
        effects
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// True once this connection got as far as syncing; the next one then starts from the
    /// shortest wait ([`Ended::Lost`]).
    pub fn was_ready(&self) -> bool {
        self.was_ready
    }

    /// True when everything the relay has announced is stored here and no push is waiting
    /// for its acknowledgement.
    pub fn is_caught_up(&self) -> bool {
        self.phase == Phase::Ready && self.cursor >= self.head && !self.pulling && self.pushing.is_none()
    }

    /// How long to wait for the relay's next answer, given the bytes sent since it last said
    /// anything: a short limit for small exchanges (opening, the idle check, a small push), and
    /// time for the travel of a big upload or of a page or photo the relay is sending.
    pub fn answer_limit_ms(&self, unanswered_bytes: usize) -> u32 {
        if self.phase != Phase::Ready {
            return liveness::QUIET_MS;
        }
        let behind = self.pulling && self.cursor < self.head;
        let expected = if behind || (self.blob.is_some() && self.fetching_blob) { limits::MAX_PAGE_BYTES } else { 0 };
        // An upload travels whole before its receipt comes, whatever the relay said meanwhile
        // (an announcement in the middle of it starts the count of unanswered bytes again).
        let pushing = self.pushing.as_ref().map_or(0, |push| push.bytes);
        let uploading = if self.blob.is_some() { self.uploading_blob } else { 0 };
        liveness::limit_ms(unanswered_bytes.max(pushing + uploading) + expected)
    }

    /// True while the relay owes this device an answer: to its `Hello` or key claim, to a
    /// pull, to the push in flight, to the blob transfer. The app's clock for the relay's
    /// silence keeps running while this is so, also when the relay said something else
    /// meanwhile: an announcement shows the connection was alive a moment ago, not that the
    /// answer is coming. (Stopping the clock on any message left a device whose connection
    /// died just after an announcement waiting for its page forever, showing it was online.)
    pub fn awaiting_answer(&self) -> bool {
        matches!(self.phase, Phase::Authenticating | Phase::Claiming)
            || self.pulling
            || self.pushing.is_some()
            || self.blob.is_some()
    }

    /// The socket opened: authenticate.
    pub fn on_open(&mut self) -> ClientMsg {
        self.phase = Phase::Authenticating;
        self.was_ready = false;
        self.pulling = false;
        self.pushing = None;
        self.blob = None;
        let at = self.at.filter(|at| self.cursor > 0 && at.seq == self.cursor);
        ClientMsg::Hello { salon: self.salon.clone(), credential: self.credential.clone(), at, pushed: self.pushed }
    }

    /// The socket closed. Anything in flight is retried on the next connection: pushes are
    /// idempotent at the relay and pulls restart from the stored cursor.
    pub fn on_close(&mut self) {
        self.phase = Phase::Closed;
        self.pulling = false;
        self.pushing = None;
        self.blob = None;
    }

    pub fn on_message(&mut self, msg: ServerMsg) -> Vec<Effect> {
        match msg {
            ServerMsg::Welcome { head, key, lost, device, role, grant } => {
                self.head = head;
                self.salon_key = key.map(KeyId);
                // The invite is used up: this device's own token is its credential now.
                if let Credential::Invite { token, .. } = &self.credential {
                    self.credential = Credential::Device { token: token.clone() };
                }
                let mut effects = vec![Effect::Paired { device, role }];
                if lost {
                    // Read everything again, and upload everything: the relay keeps one copy
                    // of each change (the same change seals to the same bytes).
                    self.cursor = 0;
                    self.at = None;
                    self.pushed = None;
                    effects.push(Effect::RelayForgot);
                }
                effects.extend(match (key.map(KeyId), self.key) {
                    (Some(salon), Some(mine)) if salon == mine => self.ready(),
                    // The salon rotated its key after a removal; this device stays and has it.
                    (Some(_), Some(_)) if grant.is_some() => {
                        self.phase = Phase::Rekeying;
                        vec![Effect::Rekey { grant: grant.unwrap_or_default() }]
                    }
                    (Some(_), Some(_)) => {
                        self.phase = Phase::Closed;
                        vec![Effect::KeyMismatch]
                    }
                    (Some(_), None) => {
                        self.phase = Phase::Closed;
                        vec![Effect::KeyNeeded]
                    }
                    (None, Some(mine)) => {
                        self.phase = Phase::Claiming;
                        vec![Effect::Send(ClientMsg::ClaimKey { id: mine.0 })]
                    }
                    // Only a salon with nothing stored yet gets its key from a new device: one
                    // that holds changes has a key on its devices, which this relay lost (a
                    // restored backup); a device that has none must be invited.
                    (None, None) if head > 0 => {
                        self.phase = Phase::Closed;
                        vec![Effect::KeyNeeded]
                    }
                    (None, None) => {
                        self.phase = Phase::Claiming;
                        vec![Effect::CreateKey]
                    }
                });
                effects
            }
            ServerMsg::SalonKey { id } if self.phase == Phase::Claiming => {
                if Some(KeyId(id)) == self.key {
                    self.ready()
                } else {
                    self.phase = Phase::Closed;
                    vec![Effect::KeyMismatch]
                }
            }
            ServerMsg::SalonKey { .. } => Vec::new(),
            ServerMsg::Announce { head } => {
                self.head = self.head.max(head);
                self.pull_if_behind().into_iter().map(Effect::Send).collect()
            }
            ServerMsg::Page { changes, head } => {
                self.head = self.head.max(head);
                let last = changes.last().map(|c| c.seq);
                // An empty page means nothing above the cursor exists: we are at the head.
                let cursor_after = last.unwrap_or(self.head).max(self.cursor);
                if changes.is_empty() && cursor_after <= self.cursor {
                    // The idle check's answer, or a page at the head: nothing to store.
                    self.pulling = false;
                    return self.pull_if_behind().into_iter().map(Effect::Send).collect();
                }
                vec![Effect::Apply { changes, cursor_after }]
            }
            ServerMsg::Ack { batch, seqs } if self.pushing.as_ref().is_some_and(|f| f.batch == batch) => {
                let Some(done) = self.pushing.take() else { return Vec::new() };
                let receipt = seqs
                    .iter()
                    .zip(&done.hashes)
                    .max_by_key(|(seq, _)| **seq)
                    .map(|(&seq, &hash)| Receipt { seq, hash })
                    .filter(|newest| self.pushed.is_none_or(|kept| newest.seq > kept.seq));
                if receipt.is_some() {
                    self.pushed = receipt;
                }
                vec![Effect::Acknowledged { receipt, outbox: done.outbox, announced: done.announced }]
            }
            // An acknowledgement for a batch we no longer wait for (sent before a reconnect):
            // harmless, the outbox still holds those changes and re-pushing them is a no-op.
            ServerMsg::Ack { .. } => Vec::new(),
            ServerMsg::Error { code } => {
                self.phase = Phase::Closed;
                vec![Effect::Refused(code)]
            }
            ServerMsg::BlobStored { hash } if self.blob == Some(BlobHash::from_bytes(hash)) => {
                self.blob = None;
                vec![Effect::BlobStored { hash: BlobHash::from_bytes(hash) }, Effect::BlobsIfPending]
            }
            ServerMsg::Blob { hash, bytes } if self.blob == Some(BlobHash::from_bytes(hash)) => {
                self.blob = None;
                self.fetching_blob = false;
                // Sealed bytes: the app opens them, which checks they are the photo named.
                vec![Effect::BlobArrived { hash: BlobHash::from_bytes(hash), bytes }, Effect::BlobsIfPending]
            }
            // An answer to a transfer we no longer wait for (before a reconnect): ignored.
            ServerMsg::BlobStored { .. } | ServerMsg::Blob { .. } => Vec::new(),
            ServerMsg::Invited { hash, expires_at_ms } => vec![Effect::InviteRecorded { hash, expires_at_ms }],
            ServerMsg::Devices { devices } => vec![Effect::Devices(devices)],
            ServerMsg::Erased { doc } => vec![Effect::Erased { doc }],
            ServerMsg::PairOpened { rendezvous, expires_at_ms } => {
                vec![Effect::Pairing(PairingEvent::Opened { rendezvous, expires_at_ms })]
            }
            ServerMsg::PairTaken { rendezvous } => vec![Effect::Pairing(PairingEvent::Taken { rendezvous })],
            ServerMsg::PairAnswer { rendezvous, msg } => {
                vec![Effect::Pairing(PairingEvent::Answer { rendezvous, msg })]
            }
        }
    }

    /// Uploads a blob, when connected and no other blob transfer is waiting.
    pub fn put_blob(&mut self, hash: BlobHash, bytes: Vec<u8>) -> Option<ClientMsg> {
        if self.phase != Phase::Ready || self.blob.is_some() {
            return None;
        }
        self.blob = Some(hash);
        self.fetching_blob = false;
        self.uploading_blob = bytes.len();
        Some(ClientMsg::PutBlob { hash: *hash.as_bytes(), bytes })
    }

    /// Asks for a blob, when connected and no other blob transfer is waiting.
    pub fn get_blob(&mut self, hash: BlobHash) -> Option<ClientMsg> {
        if self.phase != Phase::Ready || self.blob.is_some() {
            return None;
        }
        self.blob = Some(hash);
        self.fetching_blob = true;
        self.uploading_blob = 0;
        Some(ClientMsg::GetBlob { hash: *hash.as_bytes() })
    }

    /// True while a push waits for its acknowledgement (the next waits for it).
    pub fn push_in_flight(&self) -> bool {
        self.pushing.is_some()
    }

    /// True while a blob transfer waits for its answer.
    pub fn blob_in_flight(&self) -> bool {
        self.blob.is_some()
    }

    /// The app stored a page (and its cursor). Then: the quarantine is tried again when a
    /// customer's key came with it, photos are looked for again (new documents may refer to
    /// some, and one the relay lacked may be there now), and the next page is asked for while
    /// the relay has more.
    pub fn page_applied(&mut self, stored: PageStored) -> Vec<Effect> {
        self.pulling = false;
        self.cursor = self.cursor.max(stored.cursor);
        self.missing.clear();
        let mut effects = Vec::new();
        if stored.keys_arrived {
            effects.push(Effect::RetryQuarantined);
        }
        effects.push(Effect::BlobsIfPending);
        effects.extend(self.pull_if_behind().map(Effect::Send));
        effects
    }

    /// Offers outbox records (oldest first). Returns the push to send, or `None` when not
    /// connected, a push is already waiting, or there is nothing to send. Takes as many
    /// records as fit the protocol limits and keeps their outbox keys and announcements, which
    /// [`Effect::Acknowledged`] hands back once the relay stored them.
    pub fn push(&mut self, pending: &[Outgoing]) -> Option<ClientMsg> {
        if self.phase != Phase::Ready || self.pushing.is_some() || pending.is_empty() {
            return None;
        }
        let mut bytes = 0;
        let mut count = 0;
        for record in pending.iter().take(limits::MAX_PUSH_CHANGES) {
            bytes += record.change.bytes.len() + 64;
            if count > 0 && bytes > limits::MAX_PUSH_BYTES {
                break;
            }
            count += 1;
        }
        let taken = &pending[..count];
        // A push takes a run of the oldest outbox entries, and newer entries always get larger
        // keys: the first and last key name exactly the entries pushed.
        let keys = || taken.iter().filter_map(|record| record.outbox);
        let batch = self.next_batch;
        self.next_batch += 1;
        self.pushing = Some(InFlight {
            batch,
            bytes: taken.iter().map(|record| record.change.bytes.len()).sum(),
            hashes: taken.iter().map(|record| record.change.hash).collect(),
            outbox: keys().next().zip(keys().next_back()),
            announced: taken.iter().filter_map(|record| record.announces.clone()).collect(),
        });
        Some(ClientMsg::Push { batch, changes: taken.iter().map(|record| record.change.clone()).collect() })
    }

    /// The photo to fetch next among those documents refer to and this device lacks (`wanted`,
    /// by the app's names): the first the relay did not lack when last asked. Asking for the
    /// same missing photo again and again would keep the others from ever being asked for.
    pub fn next_fetch(&self, wanted: &[BlobHash]) -> Option<BlobHash> {
        wanted.iter().find(|photo| !self.missing.contains(photo)).copied()
    }

    /// The relay did not have `photo` when asked (its device has not uploaded it yet), or sent
    /// bytes that are not it: not asked for again until something changes.
    pub fn blob_missing(&mut self, photo: BlobHash) {
        if self.missing.contains(&photo) {
            return;
        }
        if self.missing.len() >= MISSING_KEPT {
            self.missing.clear();
        }
        self.missing.push(photo);
    }

    /// The app's timer fired (every few seconds): a photo the relay lacked a moment ago may have
    /// been uploaded since (its device uploads without announcing), so all are asked for again
    /// at this slow pace.
    pub fn tick(&mut self) {
        self.missing.clear();
    }

    /// Sends a management request ([`ClientMsg::Invite`], [`ClientMsg::ListDevices`],
    /// [`ClientMsg::Revoke`], [`ClientMsg::Erase`], a pairing offer or seal) when connected;
    /// `None` (nothing sent) otherwise or for any other message.
    pub fn request(&mut self, msg: ClientMsg) -> Option<ClientMsg> {
        let management = matches!(
            msg,
            ClientMsg::Invite { .. }
                | ClientMsg::ListDevices
                | ClientMsg::Revoke { .. }
                | ClientMsg::Erase { .. }
                | ClientMsg::PairOffer { .. }
                | ClientMsg::PairSeal { .. }
        );
        (management && self.phase == Phase::Ready).then_some(msg)
    }

    /// Asks the relay for anything new even without an announcement. The app calls this on a
    /// timer: the reply proves the connection is alive, and it covers an announcement lost
    /// while a page was being stored.
    pub fn poll(&mut self) -> Option<ClientMsg> {
        if self.phase != Phase::Ready || self.pulling {
            return None;
        }
        self.pulling = true;
        Some(ClientMsg::Pull { since: self.cursor, limit: limits::MAX_PULL_LIMIT })
    }

    fn pull_if_behind(&mut self) -> Option<ClientMsg> {
        if self.phase != Phase::Ready || self.pulling || self.cursor >= self.head {
            return None;
        }
        self.pulling = true;
        Some(ClientMsg::Pull { since: self.cursor, limit: limits::MAX_PULL_LIMIT })
    }
}

/// How a session with the relay ended, as far as connecting again is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The connection failed or broke. `was_ready`: it got as far as syncing
    /// ([`SyncClient::was_ready`]), so the relay was there a moment ago.
    Lost { was_ready: bool },
    /// The relay refused this device; [`ErrorCode::after_refusal`] says what comes next.
    Refused(ErrorCode),
    /// Nothing can be sent or read until someone acts here: no salon key on this device, or
    /// another one than the salon's.
    Blocked,
    /// The connection was changed here (Settings, a move to another salon).
    Changed,
}

/// When to connect again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    Now,
    /// After this long, or sooner when something changes (the network comes back, the salon
    /// connection is changed).
    After {
        ms: u32,
    },
    /// Only when something changes.
    WhenChanged,
}

/// The wait between connections: doubling from [`Backoff::MIN_MS`] to [`Backoff::MAX_MS`]
/// while connections fail, so a relay that is down is not asked twice a second, and short
/// again after a connection that worked. Time is the caller's: this only says how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    next_ms: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    /// The first wait after a connection is lost.
    pub const MIN_MS: u32 = 500;
    /// The longest wait between tries (also how often a device without network looks again).
    pub const MAX_MS: u32 = 30_000;
    /// How often a device refused for its salon's full storage at the relay tries again.
    pub const QUOTA_RETRY_MS: u32 = 60_000;

    pub fn new() -> Self {
        Backoff { next_ms: Self::MIN_MS }
    }

    /// A session ended: when to connect again.
    pub fn after(&mut self, ended: Ended) -> Retry {
        match ended {
            Ended::Lost { was_ready } => {
                if was_ready {
                    self.next_ms = Self::MIN_MS;
                }
                let wait = self.next_ms;
                self.next_ms = self.next_ms.saturating_mul(2).min(Self::MAX_MS);
                Retry::After { ms: wait }
            }
            Ended::Refused(code) => match code.after_refusal() {
                // A busy relay, a failure at the relay, a request this device's role may not
                // make: tried again as after a failed connection, not as after one that
                // worked, so a relay refusing the same way every time is asked less and less.
                AfterRefusal::Reconnect => self.after(Ended::Lost { was_ready: false }),
                // A full salon may get room with nobody here doing anything (the operator
                // raises its quota, a customer is erased).
                AfterRefusal::RetryLater => {
                    self.next_ms = Self::MIN_MS;
                    Retry::After { ms: Self::QUOTA_RETRY_MS }
                }
                AfterRefusal::Stop => {
                    self.next_ms = Self::MIN_MS;
                    Retry::WhenChanged
                }
            },
            Ended::Blocked => {
                self.next_ms = Self::MIN_MS;
                Retry::WhenChanged
            }
            Ended::Changed => {
                self.next_ms = Self::MIN_MS;
                Retry::Now
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: KeyId = KeyId([7; 16]);

    fn token() -> Credential {
        Credential::Device { token: "t".into() }
    }

    fn welcome(head: u64, key: Option<[u8; 16]>, lost: bool) -> ServerMsg {
        ServerMsg::Welcome { head, key, lost, device: 1, role: Role::Owner, grant: None }
    }

    /// What the device does on `Welcome`, after noting who the relay knows it as.
    fn greet(client: &mut SyncClient, head: u64, key: Option<[u8; 16]>, lost: bool) -> Vec<Effect> {
        let mut effects = client.on_message(welcome(head, key, lost));
        assert_eq!(effects.remove(0), Effect::Paired { device: 1, role: Role::Owner });
        effects
    }

    fn ready() -> SyncClient {
        let mut client = SyncClient::new(SalonId::parse("demo").expect("salon"), token(), 0, Some(KEY), None, None);
        client.on_open();
        greet(&mut client, 0, Some(KEY.0), false);
        client
    }

    fn opened(key: Option<KeyId>, head: u64) -> SyncClient {
        let mut client = SyncClient::new(SalonId::parse("demo").expect("salon"), token(), 0, key, None, None);
        client.on_open();
        let _ = head;
        client
    }

    #[test]
    fn the_first_device_makes_the_salon_key_and_the_relay_keeps_the_first_claim() {
        let mut first = opened(None, 0);
        assert_eq!(greet(&mut first, 0, None, false), [Effect::CreateKey]);
        assert_eq!(first.poll(), None, "nothing is pulled before the key is settled");
        assert_eq!(first.claim(KEY), Some(ClientMsg::ClaimKey { id: KEY.0 }));
        let effects = first.on_message(ServerMsg::SalonKey { id: KEY.0 });
        assert_eq!(
            effects,
            [Effect::RetryQuarantined, Effect::PushIfPending, Effect::ErasuresIfPending, Effect::BlobsIfPending]
        );
        assert_eq!(first.phase(), Phase::Ready);
        // Another device claimed at the same moment and lost: it is told, and stops.
        let mut second = opened(None, 0);
        greet(&mut second, 0, None, false);
        second.claim(KeyId([8; 16]));
        assert_eq!(second.on_message(ServerMsg::SalonKey { id: KEY.0 }), [Effect::KeyMismatch]);
        assert_eq!(second.push(&[]), None);
        assert_ne!(second.phase(), Phase::Ready);
        // A device with a key on a relay that lost its database claims the key again.
        let mut restored = opened(Some(KEY), 0);
        let effects = greet(&mut restored, 0, None, false);
        assert_eq!(effects, [Effect::Send(ClientMsg::ClaimKey { id: KEY.0 })]);
    }

    #[test]
    fn a_relay_that_lost_what_a_device_read_makes_it_read_and_upload_everything_again() {
        let salon = SalonId::parse("demo").expect("salon");
        // A device that has read up to seq 40 says so, with the hash stored there.
        let at = Position { seq: 40, hash: [6; 32], read: 12 };
        let mut device = SyncClient::new(salon.clone(), token(), 40, Some(KEY), Some(at), None);
        assert_eq!(
            device.on_open(),
            ClientMsg::Hello { salon: salon.clone(), credential: token(), at: Some(at), pushed: None }
        );
        let effects = greet(&mut device, 25, Some(KEY.0), true);
        assert_eq!(effects[0], Effect::RelayForgot);
        assert_eq!(
            effects[1],
            Effect::Send(ClientMsg::Pull { since: 0, limit: limits::MAX_PULL_LIMIT }),
            "from the start"
        );
        assert!(effects.contains(&Effect::PushIfPending));
        assert_eq!(device.cursor(), 0);
        // The next connection says nothing about a position it no longer has.
        assert!(matches!(device.on_open(), ClientMsg::Hello { at: None, .. }));
        // A device that has read nothing has nothing to check.
        let mut fresh = SyncClient::new(salon, token(), 0, Some(KEY), Some(at), None);
        assert!(matches!(fresh.on_open(), ClientMsg::Hello { at: None, .. }));
        let effects = greet(&mut fresh, 25, Some(KEY.0), false);
        assert!(!effects.contains(&Effect::RelayForgot));
    }

    #[test]
    fn an_erasure_is_sent_only_when_connected_and_its_confirmation_is_reported() {
        let doc = DocId::parse("c-0123456789abcdef").expect("doc");
        let erase = ClientMsg::Erase { doc: doc.clone(), blobs: vec![[3; 32]] };
        let mut offline = opened(Some(KEY), 0);
        assert_eq!(offline.request(erase.clone()), None, "not before the relay welcomed us");
        let mut client = ready();
        assert_eq!(client.request(erase.clone()), Some(erase));
        assert_eq!(client.on_message(ServerMsg::Erased { doc: doc.clone() }), [Effect::Erased { doc: doc.clone() }]);
        // Her erased changes come back without bytes: applied like any page, cursor and all.
        let blank = SeqChange { seq: 9, doc, hash: [1; 32], bytes: Vec::new() };
        assert!(blank.is_erased());
        let effects = client.on_message(ServerMsg::Page { changes: vec![blank.clone()], head: 9 });
        assert_eq!(effects, [Effect::Apply { changes: vec![blank], cursor_after: 9 }]);
    }

    #[test]
    fn a_device_without_the_salon_key_or_with_another_sends_and_reads_nothing() {
        let mut uninvited = opened(None, 0);
        assert_eq!(greet(&mut uninvited, 40, Some(KEY.0), false), [Effect::KeyNeeded]);
        assert_eq!(uninvited.poll(), None);
        assert_eq!(uninvited.claim(KeyId([1; 16])), None, "no claim over an existing key");
        let mut stranger = opened(Some(KeyId([9; 16])), 0);
        assert_eq!(greet(&mut stranger, 40, Some(KEY.0), false), [Effect::KeyMismatch]);
        assert_eq!(stranger.poll(), None);
        let mut member = opened(Some(KEY), 0);
        let effects = greet(&mut member, 40, Some(KEY.0), false);
        assert_eq!(effects[0], Effect::Send(ClientMsg::Pull { since: 0, limit: limits::MAX_PULL_LIMIT }));
    }

    #[test]
    fn a_silent_relay_is_given_seconds_for_small_answers_and_time_for_big_transfers() {
        let mut client = ready();
        // Opening and the idle check of a caught-up device: the short limit.
        assert_eq!(client.answer_limit_ms(0), liveness::QUIET_MS);
        assert!(client.poll().is_some());
        assert_eq!(client.answer_limit_ms(40), liveness::QUIET_MS + 2);
        assert!(client.on_message(ServerMsg::Page { changes: Vec::new(), head: 0 }).is_empty(), "nothing to store");
        // A small push (one new customer, a month's snapshot) is not a reason to wait a minute.
        let change =
            WireChange { doc: crate::ids::DocId::parse("c-1").expect("doc"), hash: [1; 32], bytes: vec![1; 900] };
        client.push(&[Outgoing { change, outbox: Some(1), announces: None }]).expect("push");
        assert!(client.answer_limit_ms(2_000) < liveness::QUIET_MS + 200);
        // A full upload on poor Wi-Fi gets the time its bytes need, never more than the cap.
        assert_eq!(client.answer_limit_ms(160 * 1024), liveness::QUIET_MS + 10_000);
        assert_eq!(client.answer_limit_ms(limits::MAX_FRAME_BYTES * 4), liveness::MAX_MS);
        // Behind the relay: the answer is a page of up to its byte limit.
        client.on_message(ServerMsg::Announce { head: 900 });
        assert!(client.answer_limit_ms(40) > liveness::QUIET_MS + 40_000);
        // A photo on its way in, likewise; a photo's receipt is small again.
        let mut client = ready();
        client.get_blob(BlobHash::of(b"photo")).expect("get");
        assert!(client.answer_limit_ms(40) > liveness::QUIET_MS + 40_000);
        let hash = BlobHash::of(b"photo");
        client.on_message(ServerMsg::Blob { hash: *hash.as_bytes(), bytes: Some(b"photo".to_vec()) });
        client.put_blob(BlobHash::of(b"mine"), b"mine".to_vec()).expect("put");
        assert_eq!(client.answer_limit_ms(0), liveness::QUIET_MS);
        // Not connected: the opening's short limit.
        client.on_close();
        assert_eq!(client.answer_limit_ms(1 << 20), liveness::QUIET_MS);
    }

    #[test]
    fn the_relay_owes_an_answer_until_it_comes_whatever_else_it_says_meanwhile() {
        let opening = opened(Some(KEY), 0);
        assert!(opening.awaiting_answer(), "the welcome");
        let mut client = ready();
        assert!(!client.awaiting_answer(), "caught up and idle: the clock stops");
        assert_eq!(client.on_message(ServerMsg::Announce { head: 3 }).len(), 1, "a pull");
        assert!(client.awaiting_answer());
        // Another device pushed meanwhile: its announcement is no answer to the pull.
        assert!(client.on_message(ServerMsg::Announce { head: 4 }).is_empty());
        assert!(client.awaiting_answer());
        let doc = crate::ids::DocId::parse("c-1").expect("doc");
        let page: Vec<SeqChange> =
            (1..=4).map(|seq| SeqChange { seq, doc: doc.clone(), hash: [seq as u8; 32], bytes: vec![1] }).collect();
        client.on_message(ServerMsg::Page { changes: page, head: 4 });
        client.page_applied(PageStored { cursor: 4, keys_arrived: false });
        assert!(!client.awaiting_answer());
        // A big upload on poor Wi-Fi: an announcement in the middle of it starts the count of
        // unanswered bytes again, but the upload keeps the time its bytes need.
        let change = WireChange { doc, hash: [9; 32], bytes: vec![1; 480 << 10] };
        client.push(&[Outgoing { change, outbox: Some(1), announces: None }]).expect("push");
        assert!(client.awaiting_answer());
        assert_eq!(client.answer_limit_ms(0), liveness::QUIET_MS + 30_000);
        client.on_message(ServerMsg::Ack { batch: 1, seqs: vec![5] });
        assert!(!client.awaiting_answer());
        assert_eq!(client.answer_limit_ms(0), liveness::QUIET_MS);
        // The same for a photo on its way up.
        client.put_blob(BlobHash::of(b"photo"), vec![1; 320 << 10]).expect("put");
        assert!(client.awaiting_answer());
        assert_eq!(client.answer_limit_ms(0), liveness::QUIET_MS + 20_000);
    }

    #[test]
    fn one_blob_transfer_at_a_time_and_only_when_connected() {
        let photo = b"jpeg bytes".to_vec();
        let hash = BlobHash::of(&photo);
        let mut closed = SyncClient::new(SalonId::parse("demo").expect("salon"), token(), 0, Some(KEY), None, None);
        assert_eq!(closed.put_blob(hash, photo.clone()), None);
        let mut client = ready();
        assert_eq!(
            client.put_blob(hash, photo.clone()),
            Some(ClientMsg::PutBlob { hash: *hash.as_bytes(), bytes: photo.clone() })
        );
        assert_eq!(client.get_blob(hash), None, "one at a time");
        let effects = client.on_message(ServerMsg::BlobStored { hash: *hash.as_bytes() });
        assert_eq!(effects, [Effect::BlobStored { hash }, Effect::BlobsIfPending]);
        assert!(client.get_blob(hash).is_some());
        client.on_close();
        assert!(!client.blob_in_flight(), "a reconnect forgets the transfer; the app retries it");
    }

    #[test]
    fn a_fetched_blob_is_handed_over_only_when_asked_for() {
        let sealed = b"sealed photo bytes".to_vec();
        let name = BlobHash::of(b"its keyed name");
        let mut client = ready();
        client.get_blob(name);
        let effects = client.on_message(ServerMsg::Blob { hash: *name.as_bytes(), bytes: Some(sealed.clone()) });
        assert_eq!(effects[0], Effect::BlobArrived { hash: name, bytes: Some(sealed) });
        let other = BlobHash::of(b"other");
        assert!(
            client.on_message(ServerMsg::Blob { hash: *other.as_bytes(), bytes: None }).is_empty(),
            "not asked for"
        );
    }

    #[test]
    fn the_relay_refuses_plaintext_and_changes_under_a_hash_that_is_not_theirs() {
        use crate::crypto::SalonKey;
        use crate::ids::DocId;
        use crate::wire::FrameProblem;
        let (key, salon, doc) =
            (SalonKey::new([3; 32]), SalonId::parse("demo").expect("salon"), DocId::parse("c-1").expect("doc"));
        let sealed = key.seal_change(&salon, &doc, None, b"a change");
        let honest = WireChange { doc: doc.clone(), hash: *BlobHash::of(&sealed).as_bytes(), bytes: sealed.clone() };
        let push = |changes: Vec<WireChange>| ClientMsg::Push { batch: 1, changes };
        assert_eq!(ClientMsg::decode(&push(vec![honest.clone()]).encode()), Ok(push(vec![honest.clone()])));
        // Another change's hash claimed for these bytes (poisoning its slot): refused.
        let liar = WireChange { hash: [9; 32], ..honest.clone() };
        assert_eq!(ClientMsg::decode(&push(vec![honest.clone(), liar]).encode()), Err(FrameProblem::HashMismatch));
        // Plaintext, with an honest hash: refused too.
        let plain = WireChange {
            doc,
            hash: *BlobHash::of(b"plaintext change").as_bytes(),
            bytes: b"plaintext change".to_vec(),
        };
        assert_eq!(ClientMsg::decode(&push(vec![plain]).encode()), Err(FrameProblem::NotSealed));
        let photo = key.seal_blob(&salon, &BlobHash::of(b"jpeg"), None, b"jpeg");
        let good = ClientMsg::PutBlob { hash: [4; 32], bytes: photo };
        assert_eq!(ClientMsg::decode(&good.encode()), Ok(good));
        let bare = ClientMsg::PutBlob {
            hash: [4; 32],
            bytes: b"\xFF\xD8\xFF a bare jpeg of fifty bytes or so, unsealed".to_vec(),
        };
        assert_eq!(ClientMsg::decode(&bare.encode()), Err(FrameProblem::NotSealed));
        let empty = ClientMsg::PutBlob { hash: *BlobHash::of(b"").as_bytes(), bytes: Vec::new() };
        assert_eq!(ClientMsg::decode(&empty.encode()), Err(FrameProblem::Malformed));
        let huge = vec![7u8; limits::MAX_BLOB_BYTES + 1];
        let huge = ClientMsg::PutBlob { hash: *BlobHash::of(&huge).as_bytes(), bytes: huge };
        assert_eq!(ClientMsg::decode(&huge.encode()), Err(FrameProblem::TooLarge));
    }
    #[test]
    fn a_relay_that_lost_its_key_but_holds_changes_never_takes_a_new_devices_key() {
        // Restored from before the key was claimed, or its key row lost: a device without the
        // key must be invited; it never makes a key the salon's other devices do not have.
        let mut newcomer = opened(None, 0);
        assert_eq!(greet(&mut newcomer, 40, None, false), [Effect::KeyNeeded]);
        assert_eq!(newcomer.claim(KeyId([2; 16])), None);
        // A device of the salon claims its key again; an empty salon's first device makes one.
        let mut member = opened(Some(KEY), 0);
        assert_eq!(greet(&mut member, 40, None, false), [Effect::Send(ClientMsg::ClaimKey { id: KEY.0 })]);
        let mut first = opened(None, 0);
        assert_eq!(greet(&mut first, 0, None, false), [Effect::CreateKey]);
    }

    #[test]
    fn a_paired_device_uses_its_own_token_after_the_invite_and_manages_devices_only_when_ready() {
        let salon = SalonId::parse("demo").expect("salon");
        let invite = Credential::Invite { invite: "once".into(), token: "mine".into(), public: [1; 32] };
        let mut device = SyncClient::new(salon, invite.clone(), 0, Some(KEY), None, None);
        assert!(matches!(device.on_open(), ClientMsg::Hello { credential, .. } if credential == invite));
        assert_eq!(device.request(ClientMsg::ListDevices), None, "not connected yet");
        greet(&mut device, 0, Some(KEY.0), false);
        assert_eq!(device.request(ClientMsg::ListDevices), Some(ClientMsg::ListDevices));
        assert_eq!(device.request(ClientMsg::Pull { since: 0, limit: 1 }), None, "only management requests");
        let offer = ClientMsg::PairOffer { rendezvous: "K7QX".into(), msg: vec![1; 33] };
        assert_eq!(device.request(offer.clone()), Some(offer));
        let answer = ServerMsg::PairAnswer { rendezvous: "K7QX".into(), msg: vec![2; 33] };
        assert_eq!(
            device.on_message(answer),
            [Effect::Pairing(PairingEvent::Answer { rendezvous: "K7QX".into(), msg: vec![2; 33] })]
        );
        device.on_close();
        let mine = Credential::Device { token: "mine".into() };
        assert!(matches!(device.on_open(), ClientMsg::Hello { credential, .. } if credential == mine));
    }

    #[test]
    fn a_device_that_stays_after_a_removal_opens_the_new_key_and_carries_on() {
        let salon = SalonId::parse("demo").expect("salon");
        let new = KeyId([9; 16]);
        let mut device = SyncClient::new(salon.clone(), token(), 0, Some(KEY), None, None);
        device.on_open();
        let welcome = ServerMsg::Welcome {
            head: 3,
            key: Some(new.0),
            lost: false,
            device: 1,
            role: Role::Owner,
            grant: Some(vec![4; 84]),
        };
        let effects = device.on_message(welcome.clone());
        assert_eq!(effects[1..], [Effect::Rekey { grant: vec![4; 84] }]);
        assert_eq!(device.poll(), None, "nothing moves until the key is opened");
        assert_eq!(device.rekeyed(new)[0], Effect::Send(ClientMsg::Pull { since: 0, limit: limits::MAX_PULL_LIMIT }));
        assert_eq!(device.phase(), Phase::Ready);
        // A grant that opened to some other key: the device stops, as with a wrong key.
        let mut fooled = SyncClient::new(salon, token(), 0, Some(KEY), None, None);
        fooled.on_open();
        fooled.on_message(welcome);
        assert_eq!(fooled.rekeyed(KeyId([1; 16])), [Effect::KeyMismatch]);
    }
}
