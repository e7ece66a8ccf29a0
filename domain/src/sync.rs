//! The device side of the relay protocol as a pure state machine: the app feeds it socket
//! events and its own progress, and sends what it returns. No sockets, no timers, no storage.

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
}

impl SyncClient {
    pub fn new(salon: SalonId, token: String, cursor: u64) -> Self {
        SyncClient { salon, token, phase: Phase::Closed, cursor, head: cursor, pulling: false, pushing: None, next_batch: 1 }
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

    /// The socket opened: authenticate.
    pub fn on_open(&mut self) -> ClientMsg {
        self.phase = Phase::Authenticating;
        self.pulling = false;
        self.pushing = None;
        ClientMsg::Hello { salon: self.salon.clone(), token: self.token.clone() }
    }

    /// The socket closed. Anything in flight is retried on the next connection: pushes are
    /// idempotent at the relay and pulls restart from the stored cursor.
    pub fn on_close(&mut self) {
        self.phase = Phase::Closed;
        self.pulling = false;
        self.pushing = None;
    }

    pub fn on_message(&mut self, msg: ServerMsg) -> Vec<Effect> {
        match msg {
            ServerMsg::Welcome { head } => {
                self.phase = Phase::Ready;
                self.head = head;
                let mut effects: Vec<Effect> = self.pull_if_behind().into_iter().map(Effect::Send).collect();
                effects.push(Effect::PushIfPending);
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
        }
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
