//! The device side of the relay protocol as a pure state machine: the app feeds it socket
//! events and its own progress, and sends what it returns. No sockets, no timers, no storage.

use crate::blob::BlobHash;
use crate::crypto::KeyId;
use crate::ids::{DocId, SalonId};
use crate::staff::Role;
use crate::wire::{
    ClientMsg, Credential, DeviceInfo, ErrorCode, Position, Receipt, SeqChange, ServerMsg, WireChange, limits,
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
    /// Store these changes, then call [`SyncClient::page_applied`].
    Apply { changes: Vec<SeqChange>, cursor_after: u64 },
    /// The relay stored push `batch`: drop its changes from the outbox, keep `receipt` (the
    /// newest change of the batch) for the next `Hello`, then offer the next push.
    Acknowledged { batch: u64, receipt: Option<Receipt> },
    /// The relay knows this device as `device` with `role`. After pairing with an invite the
    /// app keeps its own token as its credential from now on (the invite is used up).
    Paired { device: u64, role: Role },
    /// The invite with this hash is recorded at the relay, valid until `expires_at_ms`.
    InviteRecorded { hash: [u8; 32], expires_at_ms: u64 },
    /// The salon's devices (after a list or a removal).
    Devices(Vec<DeviceInfo>),
    /// Offer local changes with [`SyncClient::push`] if the outbox has any.
    PushIfPending,
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
    /// Offer the next blob transfer with [`SyncClient::put_blob`] / [`SyncClient::get_blob`].
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
    /// The push waiting for its acknowledgement, with its changes' hashes.
    pushing: Option<(u64, Vec<[u8; 32]>)>,
    next_batch: u64,
    /// The one blob transfer in flight (photos are large: one at a time keeps frames small
    /// and lets changes pass between them).
    blob: Option<BlobHash>,
    /// The blob in flight is being fetched (its answer is a photo, not a receipt).
    fetching_blob: bool,
    /// The id of this device's salon key, if it has one.
    key: Option<KeyId>,
    /// Where the device has read up to (its `seq` is the cursor), when known: sent in `Hello`
    /// so the relay can say whether it still holds exactly that.
    at: Option<Position>,
    /// The newest receipt for a change of this device's: sent in `Hello` too.
    pushed: Option<Receipt>,
    /// The salon's key id as the relay last said.
    salon_key: Option<KeyId>,
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
            key,
            at,
            pushed,
            salon_key: None,
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
        let mut effects: Vec<Effect> = self.pull_if_behind().into_iter().map(Effect::Send).collect();
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
        liveness::limit_ms(unanswered_bytes + expected)
    }

    /// The socket opened: authenticate.
    pub fn on_open(&mut self) -> ClientMsg {
        self.phase = Phase::Authenticating;
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
                vec![Effect::Apply { changes, cursor_after }]
            }
            ServerMsg::Ack { batch, seqs } if self.pushing.as_ref().is_some_and(|(b, _)| *b == batch) => {
                let hashes = self.pushing.take().map(|(_, hashes)| hashes).unwrap_or_default();
                let receipt = seqs
                    .iter()
                    .zip(&hashes)
                    .max_by_key(|(seq, _)| **seq)
                    .map(|(&seq, &hash)| Receipt { seq, hash })
                    .filter(|newest| self.pushed.is_none_or(|kept| newest.seq > kept.seq));
                if receipt.is_some() {
                    self.pushed = receipt;
                }
                vec![Effect::Acknowledged { batch, receipt }]
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
        Some(ClientMsg::PutBlob { hash: *hash.as_bytes(), bytes })
    }

    /// Asks for a blob, when connected and no other blob transfer is waiting.
    pub fn get_blob(&mut self, hash: BlobHash) -> Option<ClientMsg> {
        if self.phase != Phase::Ready || self.blob.is_some() {
            return None;
        }
        self.blob = Some(hash);
        self.fetching_blob = true;
        Some(ClientMsg::GetBlob { hash: *hash.as_bytes() })
    }

    /// True while a blob transfer waits for its answer.
    pub fn blob_in_flight(&self) -> bool {
        self.blob.is_some()
    }

    /// The app stored a page's changes up to `cursor`.
    pub fn page_applied(&mut self, cursor: u64) -> Option<ClientMsg> {
        self.pulling = false;
        self.cursor = self.cursor.max(cursor);
        self.pull_if_behind()
    }

    /// Offers outbox changes (oldest first). Returns the push to send and its batch number, or
    /// `None` when not connected, a push is already waiting, or there is nothing to send.
    /// Takes as many changes as fit the protocol limits; the caller removes exactly those
    /// (the returned count) from its outbox once acknowledged.
    pub fn push(&mut self, pending: &[WireChange]) -> Option<(ClientMsg, u64, usize)> {
        if self.phase != Phase::Ready || self.pushing.is_some() || pending.is_empty() {
            return None;
        }
        let mut bytes = 0;
        let mut count = 0;
        for change in pending.iter().take(limits::MAX_PUSH_CHANGES) {
            bytes += change.bytes.len() + 64;
            if count > 0 && bytes > limits::MAX_PUSH_BYTES {
                break;
            }
            count += 1;
        }
        let batch = self.next_batch;
        self.next_batch += 1;
        self.pushing = Some((batch, pending[..count].iter().map(|c| c.hash).collect()));
        Some((ClientMsg::Push { batch, changes: pending[..count].to_vec() }, batch, count))
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
        assert_eq!(effects, [Effect::PushIfPending, Effect::ErasuresIfPending, Effect::BlobsIfPending]);
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
        client.on_message(ServerMsg::Page { changes: Vec::new(), head: 0 });
        client.page_applied(0);
        // A small push (one new customer, a month's snapshot) is not a reason to wait a minute.
        let change =
            WireChange { doc: crate::ids::DocId::parse("c-1").expect("doc"), hash: [1; 32], bytes: vec![1; 900] };
        client.push(&[change]).expect("push");
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
