//! The device side of the relay protocol as a pure state machine: the app feeds it socket
//! events and its own progress, and sends what it returns. No sockets, no timers, no storage.

use crate::blob::BlobHash;
use crate::ids::SalonId;
use crate::wire::{ClientMsg, ErrorCode, SeqChange, ServerMsg, WireChange, limits};

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Closed,
    /// `Hello` sent, waiting for `Welcome`.
    Authenticating,
    Ready,
}

/// What the app must do after a relay message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Send this message to the relay.
    Send(ClientMsg),
    /// Store these changes, then call [`SyncClient::page_applied`].
    Apply { changes: Vec<SeqChange>, cursor_after: u64 },
    /// The relay stored push `batch`: drop its changes from the outbox, then offer the next.
    Acknowledged { batch: u64 },
    /// Offer local changes with [`SyncClient::push`] if the outbox has any.
    PushIfPending,
    /// The relay refused us; close and report `code`.
    Refused(ErrorCode),
    /// The relay stored the blob `hash`: drop it from the blob outbox.
    BlobStored { hash: BlobHash },
    /// The blob asked for: its bytes (checked against its name), or `None` when the relay
    /// does not have it yet or sent bytes that are not it.
    BlobArrived { hash: BlobHash, bytes: Option<Vec<u8>> },
    /// Offer the next blob transfer with [`SyncClient::put_blob`] / [`SyncClient::get_blob`].
    BlobsIfPending,
}

/// Per-connection protocol state of one device.
#[derive(Debug, Clone)]
pub struct SyncClient {
    salon: SalonId,
    token: String,
    phase: Phase,
    /// Highest sequence number whose change is stored on this device.
    cursor: u64,
    /// Highest sequence number the relay has told us about.
    head: u64,
    pulling: bool,
    pushing: Option<u64>,
    next_batch: u64,
    /// The one blob transfer in flight (photos are large: one at a time keeps frames small
    /// and lets changes pass between them).
    blob: Option<BlobHash>,
    /// The blob in flight is being fetched (its answer is a photo, not a receipt).
    fetching_blob: bool,
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
    pub fn new(salon: SalonId, token: String, cursor: u64) -> Self {
        SyncClient {
            salon,
            token,
            phase: Phase::Closed,
            cursor,
            head: cursor,
            pulling: false,
            pushing: None,
            next_batch: 1,
            blob: None,
            fetching_blob: false,
        }
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
        ClientMsg::Hello { salon: self.salon.clone(), token: self.token.clone() }
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
            ServerMsg::Welcome { head } => {
                self.phase = Phase::Ready;
                self.head = head;
                let mut effects: Vec<Effect> = self.pull_if_behind().into_iter().map(Effect::Send).collect();
                effects.push(Effect::PushIfPending);
                effects.push(Effect::BlobsIfPending);
                effects
            }
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
            ServerMsg::Ack { batch, .. } if self.pushing == Some(batch) => {
                self.pushing = None;
                vec![Effect::Acknowledged { batch }]
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
                let hash = BlobHash::from_bytes(hash);
                let bytes = bytes.filter(|b| hash.matches(b));
                vec![Effect::BlobArrived { hash, bytes }, Effect::BlobsIfPending]
            }
            // An answer to a transfer we no longer wait for (before a reconnect): ignored.
            ServerMsg::BlobStored { .. } | ServerMsg::Blob { .. } => Vec::new(),
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
        self.pushing = Some(batch);
        Some((ClientMsg::Push { batch, changes: pending[..count].to_vec() }, batch, count))
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

    fn ready() -> SyncClient {
        let mut client = SyncClient::new(SalonId::parse("demo").expect("salon"), "t".into(), 0);
        client.on_open();
        client.on_message(ServerMsg::Welcome { head: 0 });
        client
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
        let mut closed = SyncClient::new(SalonId::parse("demo").expect("salon"), "t".into(), 0);
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
    fn a_fetched_blob_is_handed_over_only_when_its_bytes_match_its_name() {
        let photo = b"the real photo".to_vec();
        let hash = BlobHash::of(&photo);
        let mut client = ready();
        client.get_blob(hash);
        let effects = client.on_message(ServerMsg::Blob { hash: *hash.as_bytes(), bytes: Some(b"tampered".to_vec()) });
        assert_eq!(effects[0], Effect::BlobArrived { hash, bytes: None });
        client.get_blob(hash);
        let effects = client.on_message(ServerMsg::Blob { hash: *hash.as_bytes(), bytes: Some(photo.clone()) });
        assert_eq!(effects[0], Effect::BlobArrived { hash, bytes: Some(photo) });
        let other = BlobHash::of(b"other");
        assert!(
            client.on_message(ServerMsg::Blob { hash: *other.as_bytes(), bytes: None }).is_empty(),
            "not asked for"
        );
    }

    #[test]
    fn a_put_blob_whose_bytes_do_not_match_its_name_is_refused_when_decoded() {
        use crate::wire::FrameProblem;
        let good = ClientMsg::PutBlob { hash: *BlobHash::of(b"a").as_bytes(), bytes: b"a".to_vec() };
        assert_eq!(ClientMsg::decode(&good.encode()), Ok(good));
        let bad = ClientMsg::PutBlob { hash: *BlobHash::of(b"a").as_bytes(), bytes: b"b".to_vec() };
        assert_eq!(ClientMsg::decode(&bad.encode()), Err(FrameProblem::BlobMismatch));
        let empty = ClientMsg::PutBlob { hash: *BlobHash::of(b"").as_bytes(), bytes: Vec::new() };
        assert_eq!(ClientMsg::decode(&empty.encode()), Err(FrameProblem::Malformed));
        let huge = vec![7u8; limits::MAX_BLOB_BYTES + 1];
        let huge = ClientMsg::PutBlob { hash: *BlobHash::of(&huge).as_bytes(), bytes: huge };
        assert_eq!(ClientMsg::decode(&huge.encode()), Err(FrameProblem::TooLarge));
    }
}
