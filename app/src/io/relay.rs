//! The device's connection to the relay: one WebSocket, reconnected with backoff, driving the
//! pure [`SyncClient`] state machine. Local changes wait in the outbox until acknowledged;
//! pulled pages are stored with their cursor in one transaction, so an interrupted sync
//! resumes where it stopped and nothing is lost or applied twice.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use domain::blob::BlobHash;
use domain::crypto::{DeviceKey, Keyring, SalonKey};
use domain::ids::SalonId;
use domain::sync::{Backoff, Effect, Ended, PageStored, Phase, Retry, SyncClient};
use domain::wire::{AfterRefusal, ClientMsg, Credential, ServerMsg, limits};
use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender};
use gloo::events::EventListener;
use gloo::timers::callback::Interval;
use gloo::timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, MessageEvent, WebSocket};

use crate::io::browser;
use crate::io::store::{RelayConfig, Store};

use domain::customer::CustomerSummary;
use domain::staff::Role;
use domain::sync::PairingEvent;
use domain::wire::{DeviceInfo, ErrorCode};

use crate::error::AppError;

/// How often the loop checks the connection, and asks an idle relay for news (its answer
/// proves the connection is alive).
const TICK_MS: u32 = 4_000;
// How long an answer may take before the connection counts as dead is the domain's rule
// (`SyncClient::answer_limit_ms`): a socket to a relay that vanished (the tablet carried out of
// range, the relay's machine hung) can linger for minutes without closing, and the status must
// say 离线 within seconds; a big transfer on poor Wi-Fi is given the time its bytes need.
// (Losing the network itself is told at once by the browser.)
// How long to wait before connecting again is the domain's rule too (`Backoff`).
/// How often an idle connection records "last synced" (shown to the minute).
const LAST_SYNCED_EVERY_MS: i64 = 30_000;

/// Where the connection to the salon's relay stands, as the sync loop reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// No salon code yet: everything stays on this device.
    NotConfigured,
    Connecting,
    Online,
    /// The relay cannot be reached; edits keep working and wait in the outbox.
    Offline,
    Refused(ErrorCode),
    /// The salon has a key and this device has not been invited with it: nothing is sent or
    /// read until an invite from a device of the salon is opened.
    NeedsInvite,
    /// This device holds another key than the salon's.
    WrongKey,
}

/// What the sync loop tells the app. The loop only does IO: it sends these, and the app state
/// shows them (`AppState::apply`).
#[derive(Debug)]
pub enum SyncReport {
    Connection(Connection),
    /// Local changes the relay has not acknowledged yet.
    Pending(u32),
    /// Changes kept aside because they did not open here.
    Unreadable(u32),
    /// Connected and still reading what the relay has.
    Receiving(bool),
    /// Everything here is at the relay and everything there is here, at this time (ms).
    LastSynced(i64),
    /// Customers' list entries that changed (from the relay, or kept-aside changes that opened).
    CustomersChanged(Vec<CustomerSummary>),
    /// Customers erased on another device.
    CustomersErased(Vec<String>),
    /// A salon document (settings, snapshots) changed.
    SalonChanged,
    /// Photos arrived: pages waiting for them show them.
    BlobsArrived,
    Paired {
        device: u64,
        role: Role,
    },
    Devices(Vec<DeviceInfo>),
    InviteRecorded {
        hash: [u8; 32],
        expires_at_ms: u64,
    },
    Pairing(PairingEvent),
    /// A storage failure, to show until dismissed.
    Problem(AppError),
}

/// The sync loop's side of the reports, with the few facts it reads back kept here (what it
/// last said of the connection, the outbox and the last sync, and the salon's devices).
pub struct Reporter {
    sender: UnboundedSender<SyncReport>,
    connection: Cell<Connection>,
    pending: Cell<u32>,
    last_synced: Cell<Option<i64>>,
    devices: RefCell<Option<Vec<DeviceInfo>>>,
}

impl Reporter {
    pub fn new(sender: UnboundedSender<SyncReport>, last_synced: Option<i64>) -> Self {
        Reporter {
            sender,
            connection: Cell::new(Connection::NotConfigured),
            pending: Cell::new(0),
            last_synced: Cell::new(last_synced),
            devices: RefCell::new(None),
        }
    }

    fn send(&self, report: SyncReport) {
        let _ = self.sender.unbounded_send(report);
    }

    fn report(&self, error: AppError) {
        self.send(SyncReport::Problem(error));
    }

    fn connection(&self) -> Connection {
        self.connection.get()
    }

    fn set_connection(&self, connection: Connection) {
        self.connection.set(connection);
        self.send(SyncReport::Connection(connection));
    }

    fn pending(&self) -> u32 {
        self.pending.get()
    }

    fn set_pending(&self, pending: u32) {
        self.pending.set(pending);
        self.send(SyncReport::Pending(pending));
    }

    fn set_unreadable(&self, count: u32) {
        self.send(SyncReport::Unreadable(count));
    }

    fn set_receiving(&self, receiving: bool) {
        self.send(SyncReport::Receiving(receiving));
    }

    fn last_synced(&self) -> Option<i64> {
        self.last_synced.get()
    }

    fn set_last_synced(&self, ms: i64) {
        self.last_synced.set(Some(ms));
        self.send(SyncReport::LastSynced(ms));
    }

    fn customers_changed(&self, updated: Vec<CustomerSummary>) {
        if !updated.is_empty() {
            self.send(SyncReport::CustomersChanged(updated));
        }
    }

    fn customers_erased(&self, erased: &[String]) {
        if !erased.is_empty() {
            self.send(SyncReport::CustomersErased(erased.to_vec()));
        }
    }

    fn reload_salon(&self) {
        self.send(SyncReport::SalonChanged);
    }

    fn blobs_arrived(&self) {
        self.send(SyncReport::BlobsArrived);
    }

    fn set_paired(&self, device: u64, role: Role) {
        self.send(SyncReport::Paired { device, role });
    }

    fn set_devices(&self, devices: Vec<DeviceInfo>) {
        *self.devices.borrow_mut() = Some(devices.clone());
        self.send(SyncReport::Devices(devices));
    }

    fn invite_recorded(&self, hash: [u8; 32], expires_at_ms: u64) {
        self.send(SyncReport::InviteRecorded { hash, expires_at_ms });
    }

    fn pairing_news(&self, news: PairingEvent) {
        self.send(SyncReport::Pairing(news));
    }

    /// The salon's devices as last listed this session.
    fn devices(&self) -> Option<Vec<DeviceInfo>> {
        self.devices.borrow().clone()
    }
}

/// Everything the sync loop reacts to, on one channel.
#[derive(Debug)]
pub enum SyncEvent {
    Socket {
        generation: u32,
        event: SocketEvent,
    },
    /// Something was added to the outbox.
    OutboxChanged,
    /// A photo blob was stored here and waits to be uploaded.
    BlobsChanged,
    /// A customer was erased here: the relay is to be told.
    ErasuresChanged,
    /// The salon connection was set or changed in Settings.
    ConfigChanged,
    /// The browser reports the network is back: retry now instead of waiting out the backoff.
    NetworkOnline,
    /// The browser reports the network is gone: the connection is dead, whatever the socket
    /// says.
    NetworkOffline,
    /// A device-management request from Settings (invite, list, remove): sent when connected,
    /// answered through the app state.
    Manage(Box<ClientMsg>),
    /// Connect this device to another salon (wiping the old salon's files first when asked):
    /// done by this loop between sessions, so nothing the old salon's session still had to
    /// handle is written after it.
    Switch(Box<Switch>),
    Tick,
}

/// A move to another salon, answered on `done`.
pub struct Switch {
    pub config: RelayConfig,
    pub wipe: bool,
    pub done: futures::channel::oneshot::Sender<Result<(), crate::error::AppError>>,
}

impl std::fmt::Debug for Switch {
    // The configuration holds the device's token and the salon key: only the salon is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Switch({}, wipe: {})", self.config.salon, self.wipe)
    }
}

impl Switch {
    async fn run(self, store: &Store) {
        let done =
            if self.wipe { store.wipe_and_switch(&self.config).await } else { store.switch_salon(&self.config).await };
        let _ = self.done.send(done);
    }
}

#[derive(Debug)]
pub enum SocketEvent {
    Open,
    Message(Vec<u8>),
    Closed,
}

enum SessionEnd {
    Lost {
        was_ready: bool,
    },
    /// The relay refused this device (some refusals are retried like a lost connection).
    Refused(domain::wire::ErrorCode),
    /// The salon key is not settled on this device (no invite yet, or another key): nothing
    /// can be sent or read until a new code comes.
    Keyless(Connection),
    Reconfigured,
    /// Another salon: the session stops before the move is made.
    Switch(Box<Switch>),
}

impl SessionEnd {
    /// The session's end as the backoff sees it.
    fn ended(&self) -> Ended {
        match self {
            SessionEnd::Lost { was_ready } => Ended::Lost { was_ready: *was_ready },
            SessionEnd::Refused(code) => Ended::Refused(*code),
            SessionEnd::Keyless(_) => Ended::Blocked,
            SessionEnd::Reconfigured | SessionEnd::Switch(_) => Ended::Changed,
        }
    }
}

/// The salon and its key, for sealing what leaves and opening what comes: photos travel under
/// a keyed name, remembered here to find the photo an answer is about.
struct Sealer {
    salon: SalonId,
    key: Keyring,
    photos: RefCell<HashMap<BlobHash, BlobHash>>,
}

impl Sealer {
    fn new(salon: SalonId, key: Keyring) -> Self {
        Sealer { salon, key, photos: RefCell::new(HashMap::new()) }
    }

    /// The relay's name for a photo.
    fn name_of(&self, photo: BlobHash) -> BlobHash {
        let name = self.key.blob_name(&photo);
        self.photos.borrow_mut().insert(name, photo);
        name
    }

    /// The photo a relay name stands for (one this session asked about).
    fn photo_of(&self, name: &BlobHash) -> Option<BlobHash> {
        self.photos.borrow().get(name).copied()
    }
}

/// One WebSocket and the JS callbacks feeding its events into the sync channel. Dropping it
/// detaches the callbacks and closes the socket.
struct Socket {
    ws: WebSocket,
    /// Since when (ms, monotonic) a message of ours has waited for any answer; `None` when
    /// the relay has answered everything sent. Opening counts as waiting.
    waiting_since: std::cell::Cell<Option<f64>>,
    /// Bytes sent since the relay last said anything (they may still be travelling).
    unanswered_bytes: std::cell::Cell<usize>,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut()>,
}

impl Socket {
    fn open(url: &str, generation: u32, sender: &UnboundedSender<SyncEvent>) -> Option<Socket> {
        let ws = WebSocket::new(url).ok()?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let emit = move |sender: &UnboundedSender<SyncEvent>, event| {
            let _ = sender.unbounded_send(SyncEvent::Socket { generation, event });
        };
        let on_open = Closure::<dyn FnMut()>::new({
            let sender = sender.clone();
            move || emit(&sender, SocketEvent::Open)
        });
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
            let sender = sender.clone();
            move |event: MessageEvent| {
                if let Ok(buffer) = event.data().dyn_into::<js_sys::ArrayBuffer>() {
                    emit(&sender, SocketEvent::Message(js_sys::Uint8Array::new(&buffer).to_vec()));
                }
            }
        });
        // An error event is always followed by a close event; close alone is enough.
        let on_close = Closure::<dyn FnMut()>::new({
            let sender = sender.clone();
            move || emit(&sender, SocketEvent::Closed)
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        let waiting_since = std::cell::Cell::new(Some(browser::elapsed_ms()));
        let unanswered_bytes = std::cell::Cell::new(0);
        Some(Socket {
            ws,
            waiting_since,
            unanswered_bytes,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    fn send(&self, msg: &ClientMsg) {
        // A failed send means the socket is closing; its close event ends the session.
        let frame = msg.encode();
        let _ = self.ws.send_with_u8_array(&frame);
        self.unanswered_bytes.set(self.unanswered_bytes.get() + frame.len());
        if msg.expects_answer() && self.waiting_since.get().is_none() {
            self.waiting_since.set(Some(browser::elapsed_ms()));
        }
    }

    /// The relay sent something: the connection is alive.
    fn answered(&self) {
        self.waiting_since.set(None);
        self.unanswered_bytes.set(0);
    }

    /// The relay still owes an answer (`SyncClient::awaiting_answer`) after what it just
    /// said: its silence is timed from now.
    fn still_waiting(&self) {
        if self.waiting_since.get().is_none() {
            self.waiting_since.set(Some(browser::elapsed_ms()));
        }
    }

    /// Bytes sent since the relay last said anything.
    fn unanswered_bytes(&self) -> usize {
        self.unanswered_bytes.get()
    }

    /// How long the oldest unanswered message has waited, in ms (0 when none waits).
    fn unanswered_for(&self) -> f64 {
        self.waiting_since.get().map(|since| browser::elapsed_ms() - since).unwrap_or(0.0)
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

/// Runs for the life of the app.
pub async fn run(
    state: Reporter,
    store: std::rc::Rc<Store>,
    mut events: UnboundedReceiver<SyncEvent>,
    sender: UnboundedSender<SyncEvent>,
) {
    let _online = web_sys::window().map(|window| {
        let sender = sender.clone();
        EventListener::new(&window, "online", move |_| {
            let _ = sender.unbounded_send(SyncEvent::NetworkOnline);
        })
    });
    let _offline = web_sys::window().map(|window| {
        let sender = sender.clone();
        EventListener::new(&window, "offline", move |_| {
            let _ = sender.unbounded_send(SyncEvent::NetworkOffline);
        })
    });
    let _ticker = {
        let sender = sender.clone();
        Interval::new(TICK_MS, move || {
            let _ = sender.unbounded_send(SyncEvent::Tick);
        })
    };
    refresh_pending(&state, &store).await;

    let mut generation = 0;
    let mut backoff = Backoff::new();
    loop {
        let (Ok(Some(config)), Some(url)) = (store.relay_config().await, browser::relay_url()) else {
            state.set_connection(Connection::NotConfigured);
            wait(&state, &store, &mut events, None).await;
            continue;
        };
        if !browser::online() {
            // No network at all: say so at once and wait for it to come back.
            state.set_connection(Connection::Offline);
            wait(&state, &store, &mut events, Some(Backoff::MAX_MS)).await;
            continue;
        }
        generation += 1;
        // After a lost connection the status stays 离线 while reconnecting: "connecting" is for
        // the first connection, not for every retry of one that is gone.
        if state.connection() != Connection::Offline {
            state.set_connection(Connection::Connecting);
        }
        let ended = session(&state, &store, &config, &url, generation, &sender, &mut events).await;
        state.set_receiving(false);
        let retry = backoff.after(ended.ended());
        match ended {
            // A busy relay, a failure at the relay, a request this device's role may not make:
            // shown and retried as a lost link.
            SessionEnd::Refused(code) if code.after_refusal() == AfterRefusal::Reconnect => {
                state.set_connection(Connection::Offline);
            }
            SessionEnd::Refused(code) => state.set_connection(Connection::Refused(code)),
            SessionEnd::Keyless(connection) => state.set_connection(connection),
            SessionEnd::Reconfigured => {}
            SessionEnd::Switch(switch) => (*switch).run(&store).await,
            SessionEnd::Lost { .. } => state.set_connection(Connection::Offline),
        }
        match retry {
            Retry::Now => {}
            Retry::After { ms } => wait(&state, &store, &mut events, Some(ms)).await,
            Retry::WhenChanged => wait(&state, &store, &mut events, None).await,
        }
    }
}

/// Waits for `timeout_ms` (or forever), returning early when the network comes back or the
/// salon connection changes. Outbox changes meanwhile only update the pending count.
async fn wait(state: &Reporter, store: &Store, events: &mut UnboundedReceiver<SyncEvent>, timeout_ms: Option<u32>) {
    let mut timeout = timeout_ms.map(TimeoutFuture::new);
    loop {
        let next = events.next();
        let event = match timeout.as_mut() {
            Some(timer) => match futures::future::select(next, timer).await {
                futures::future::Either::Left((event, _)) => event,
                futures::future::Either::Right(_) => return,
            },
            None => next.await,
        };
        match event {
            None | Some(SyncEvent::NetworkOnline | SyncEvent::ConfigChanged) => return,
            Some(SyncEvent::Switch(switch)) => return (*switch).run(store).await,
            Some(SyncEvent::OutboxChanged) => refresh_pending(state, store).await,
            Some(
                SyncEvent::Socket { .. }
                | SyncEvent::Tick
                | SyncEvent::BlobsChanged
                | SyncEvent::ErasuresChanged
                | SyncEvent::NetworkOffline
                | SyncEvent::Manage(_),
            ) => {}
        }
    }
}

async fn session(
    state: &Reporter,
    store: &Store,
    config: &RelayConfig,
    url: &str,
    generation: u32,
    sender: &UnboundedSender<SyncEvent>,
    events: &mut UnboundedReceiver<SyncEvent>,
) -> SessionEnd {
    let Some(socket) = Socket::open(url, generation, sender) else {
        return SessionEnd::Lost { was_ready: false };
    };
    let (cursor, at_hash, pushed) = store.position().await.unwrap_or((0, None, None));
    let mut config = config.clone();
    let credential = match config.credential() {
        Some(credential) => credential,
        None => {
            // Set up before devices were paired (or before they had key pairs): its shared code
            // becomes its invite, under a token and a key pair of its own.
            let (Some(token), Some(secret)) = (browser::secret_bytes::<32>(), browser::secret_bytes::<32>()) else {
                return SessionEnd::Keyless(Connection::NeedsInvite);
            };
            config = config.upgraded(domain::join::secret_text(token), DeviceKey::new(secret).to_text());
            if let Err(error) = store.set_relay_config(&config).await {
                state.report(error);
                return SessionEnd::Lost { was_ready: false };
            }
            config.credential().unwrap_or(Credential::Device { token: config.token.clone() })
        }
    };
    let mut sealer = config.key().map(|key| Sealer::new(config.salon.clone(), key));
    let newest = sealer.as_ref().map(|s| s.key.newest().id());
    let mut client = SyncClient::new(config.salon.clone(), credential, cursor, newest, at_hash, pushed);
    // This device's id at the relay (from `Welcome`): what grants are sealed for.
    let mut me: Option<u64> = None;
    // The key this device moved the salon to by removing a device, until the relay confirms.
    let mut rotating: Option<(u64, SalonKey)> = None;
    // The key this session made (the salon's first device): dropped again if another device's
    // claim came first.
    let mut made_key = false;
    // The only message waiting for an answer is the idle check.
    let mut only_polling = false;

    while let Some(event) = events.next().await {
        match event {
            SyncEvent::Socket { generation: other, .. } if other != generation => {}
            SyncEvent::Socket { event: SocketEvent::Open, .. } => socket.send(&client.on_open()),
            SyncEvent::Socket { event: SocketEvent::Closed, .. } => {
                client.on_close();
                return SessionEnd::Lost { was_ready: client.was_ready() };
            }
            SyncEvent::Socket { event: SocketEvent::Message(frame), .. } => {
                socket.answered();
                // The answer to the idle check, or real news?
                let only_polling_answer = std::mem::take(&mut only_polling);
                let Ok(msg) = ServerMsg::decode(&frame) else {
                    return SessionEnd::Lost { was_ready: client.was_ready() };
                };
                let mut effects: std::collections::VecDeque<Effect> = client.on_message(msg).into();
                while let Some(effect) = effects.pop_front() {
                    match effect {
                        Effect::Send(msg) => socket.send(&msg),
                        Effect::Apply { changes, cursor_after } => {
                            let Some(sealer) = sealer.as_ref() else { continue };
                            match store.apply_remote(&changes, cursor_after, &sealer.salon, &sealer.key).await {
                                Ok(applied) => {
                                    state.customers_erased(&applied.erased);
                                    state.customers_changed(applied.customers);
                                    if applied.salon_changed {
                                        state.reload_salon();
                                    }
                                    refresh_unreadable(state, store).await;
                                    let stored =
                                        PageStored { cursor: cursor_after, keys_arrived: applied.keys_arrived };
                                    effects.extend(client.page_applied(stored));
                                }
                                Err(error) => {
                                    state.report(error);
                                    return SessionEnd::Lost { was_ready: client.was_ready() };
                                }
                            }
                        }
                        Effect::Acknowledged { receipt, outbox, announced } => {
                            if let Some(receipt) = receipt
                                && let Err(error) = store.set_pushed(receipt).await
                            {
                                state.report(error);
                            }
                            let mut stored = store.keys_announced(&announced).await;
                            if let (Ok(()), Some((first, last))) = (&stored, outbox) {
                                stored = store.outbox_remove(first, last).await;
                            }
                            if let Err(error) = stored {
                                state.report(error);
                            }
                            push_next(store, &mut client, &socket, sealer.as_ref()).await;
                            refresh_pending(state, store).await;
                        }
                        Effect::RetryQuarantined => {
                            if let Some(sealer) = sealer.as_ref() {
                                retry_quarantined(state, store, sealer).await;
                                refresh_unreadable(state, store).await;
                            }
                        }
                        Effect::PushIfPending => {
                            state.set_connection(Connection::Online);
                            if !config.key_confirmed {
                                config.key_confirmed = true;
                                if let Err(error) = store.set_relay_config(&config).await {
                                    state.report(error);
                                }
                            }
                            push_next(store, &mut client, &socket, sealer.as_ref()).await;
                        }
                        Effect::Refused(code) => return SessionEnd::Refused(code),
                        Effect::BlobStored { hash } => {
                            let photo = sealer.as_ref().and_then(|s| s.photo_of(&hash));
                            if let Some(photo) = photo
                                && let Err(error) = store.blob_uploaded(&photo.to_hex()).await
                            {
                                state.report(error);
                            }
                        }
                        Effect::BlobArrived { hash, bytes } => {
                            let Some(sealer) = sealer.as_ref() else { continue };
                            let Some(photo) = sealer.photo_of(&hash) else { continue };
                            // Bytes that do not open as this photo count as not there yet.
                            let opened = match bytes {
                                Some(sealed) => store.blob_arrived(&photo, &sealed, &sealer.salon, &sealer.key).await,
                                None => Ok(false),
                            };
                            match opened {
                                Ok(true) => state.blobs_arrived(),
                                // Not on the relay yet (its device has not uploaded it): asked
                                // for again once something changes.
                                Ok(false) => client.blob_missing(photo),
                                Err(error) => state.report(error),
                            }
                        }
                        Effect::ErasuresIfPending => {
                            erasures_next(state, store, &mut client, &socket, sealer.as_ref()).await
                        }
                        Effect::Erased { doc } => {
                            if let Err(error) = store.erasure_confirmed(&doc).await {
                                state.report(error);
                            }
                        }
                        Effect::BlobsIfPending => {
                            if let Some(sealer) = sealer.as_ref() {
                                blob_next(store, &mut client, &socket, sealer).await;
                            }
                        }
                        Effect::CreateKey => {
                            let Some(bytes) = browser::secret_bytes::<32>() else {
                                state.report(crate::error::AppError::Storage(
                                    "this browser gives no secure random numbers (crypto.getRandomValues)".to_owned(),
                                ));
                                return SessionEnd::Keyless(Connection::NeedsInvite);
                            };
                            let key = SalonKey::new(bytes);
                            config.key = Some(Keyring::new(key.clone()).to_text());
                            config.key_confirmed = false;
                            if let Err(error) = store.set_relay_config(&config).await {
                                state.report(error);
                                return SessionEnd::Lost { was_ready: client.was_ready() };
                            }
                            made_key = true;
                            if let Some(msg) = client.claim(key.id()) {
                                socket.send(&msg);
                            }
                            sealer = Some(Sealer::new(config.salon.clone(), Keyring::new(key)));
                        }
                        Effect::RelayForgot => {
                            // Read everything again and upload everything this device has: the
                            // relay keeps one copy of what it still had.
                            if let Err(error) = store.forget_relay().await {
                                state.report(error);
                                return SessionEnd::Lost { was_ready: client.was_ready() };
                            }
                            refresh_pending(state, store).await;
                        }
                        Effect::Paired { device, role } => {
                            me = Some(device);
                            if !config.paired {
                                // The invite is used up: from now on this device's token alone.
                                config.paired = true;
                                if let Err(error) = store.set_relay_config(&config).await {
                                    state.report(error);
                                }
                                // The role it was invited as, unless someone chose one here.
                                if browser::saved_role() == domain::staff::Role::Unset {
                                    browser::save_role(role);
                                }
                            }
                            state.set_paired(device, role);
                        }
                        Effect::InviteRecorded { hash, expires_at_ms } => state.invite_recorded(hash, expires_at_ms),
                        Effect::Pairing(news) => state.pairing_news(news),
                        Effect::Devices(devices) => {
                            // The removal this device asked for went through: seal with the new
                            // key from now on (the relay has it sealed to this device too).
                            let removed = |(gone, _): &mut (u64, SalonKey)| devices.iter().all(|d| d.id != *gone);
                            if let Some((_, key)) = rotating.take_if(removed)
                                && let Some(current) = sealer.as_ref()
                            {
                                let mut ring = current.key.clone();
                                ring.add(key);
                                config.key = Some(ring.to_text());
                                if let Err(error) = store.set_relay_config(&config).await {
                                    state.report(error);
                                }
                                sealer = Some(Sealer::new(config.salon.clone(), ring));
                            }
                            state.set_devices(devices);
                        }
                        Effect::Rekey { grant } => {
                            // The salon moved to a new key after a removal, sealed to this device.
                            let opened = match (config.device_key(), me, sealer.as_ref()) {
                                (Some(device_key), Some(id), Some(current)) => {
                                    device_key.open_grant(&config.salon, id, &grant).ok().map(|key| {
                                        let mut ring = current.key.clone();
                                        ring.add(key);
                                        ring
                                    })
                                }
                                _ => None,
                            };
                            let Some(ring) = opened else {
                                return SessionEnd::Keyless(Connection::WrongKey);
                            };
                            config.key = Some(ring.to_text());
                            if let Err(error) = store.set_relay_config(&config).await {
                                state.report(error);
                                return SessionEnd::Lost { was_ready: client.was_ready() };
                            }
                            let newest = ring.newest().id();
                            sealer = Some(Sealer::new(config.salon.clone(), ring));
                            effects.extend(client.rekeyed(newest));
                        }
                        Effect::KeyNeeded => return SessionEnd::Keyless(Connection::NeedsInvite),
                        Effect::KeyMismatch if made_key || !config.key_confirmed => {
                            // Another device made the salon's key a moment before: this one's
                            // key is no one's, and nothing was sealed with it yet.
                            let keyless = RelayConfig { key: None, key_confirmed: true, ..config.clone() };
                            if let Err(error) = store.set_relay_config(&keyless).await {
                                state.report(error);
                            }
                            return SessionEnd::Keyless(Connection::NeedsInvite);
                        }
                        Effect::KeyMismatch => return SessionEnd::Keyless(Connection::WrongKey),
                    }
                }
                // An announcement is no answer to a pull, nor a page to a push: what the relay
                // still owes is timed from now, or a connection that died just after it would
                // go unnoticed (a device showing 在线 while it receives nothing).
                if client.awaiting_answer() {
                    socket.still_waiting();
                }
                state.set_receiving(client.was_ready() && !client.is_caught_up());
                // "Last synced" shows minutes: the idle check every few seconds need not
                // rewrite it (and its IndexedDB record) each time it hears back.
                if client.is_caught_up() && state.pending() == 0 {
                    let now = browser::now().as_millisecond();
                    let stale = state.last_synced().is_none_or(|last| now - last >= LAST_SYNCED_EVERY_MS);
                    if stale || !only_polling_answer {
                        state.set_last_synced(now);
                        let _ = store.set_last_synced(now).await;
                    }
                }
            }
            SyncEvent::OutboxChanged => {
                refresh_pending(state, store).await;
                push_next(store, &mut client, &socket, sealer.as_ref()).await;
            }
            SyncEvent::ErasuresChanged => erasures_next(state, store, &mut client, &socket, sealer.as_ref()).await,
            SyncEvent::BlobsChanged => {
                if let Some(sealer) = sealer.as_ref() {
                    blob_next(store, &mut client, &socket, sealer).await;
                }
            }
            SyncEvent::ConfigChanged => return SessionEnd::Reconfigured,
            SyncEvent::Switch(switch) => return SessionEnd::Switch(switch),
            SyncEvent::Manage(msg) => {
                let msg = match *msg {
                    // Removing a device moves the salon to a new key, sealed to every device
                    // that stays: what is written after the removal is unreadable to it.
                    ClientMsg::Revoke { device, rotation: None } => {
                        let rotation = sealer.as_ref().and_then(|current| {
                            let (next, rotation) = rotation_for(state, &config.salon, &current.key, device)?;
                            rotating = Some((device, next));
                            Some(rotation)
                        });
                        ClientMsg::Revoke { device, rotation }
                    }
                    other => other,
                };
                if let Some(msg) = client.request(msg) {
                    socket.send(&msg);
                }
            }
            SyncEvent::NetworkOnline => {}
            SyncEvent::NetworkOffline => {
                client.on_close();
                return SessionEnd::Lost { was_ready: client.was_ready() };
            }
            SyncEvent::Tick => {
                if socket.unanswered_for() > f64::from(client.answer_limit_ms(socket.unanswered_bytes())) {
                    client.on_close();
                    return SessionEnd::Lost { was_ready: client.was_ready() };
                }
                if socket.unanswered_for() == 0.0
                    && let Some(msg) = client.poll()
                {
                    socket.send(&msg);
                    only_polling = true;
                }
                client.tick();
                if let Some(sealer) = sealer.as_ref() {
                    blob_next(store, &mut client, &socket, sealer).await;
                }
            }
        }
    }
    SessionEnd::Lost { was_ready: client.was_ready() }
}

/// The salon's next key and the rotation that hands it to every device that stays when
/// `removed` is removed (from the device list as last heard), or `None` without a list.
fn rotation_for(
    state: &Reporter,
    salon: &SalonId,
    ring: &Keyring,
    removed: u64,
) -> Option<(SalonKey, domain::wire::Rotation)> {
    let devices = state.devices()?;
    let next = ring.newest().next(browser::secret_bytes::<32>()?);
    let mut grants = Vec::new();
    // A device paired before devices had key pairs lists none: it is invited again instead.
    for device in devices.iter().filter(|d| d.id != removed && d.public != [0; 32]) {
        let sealed = domain::crypto::grant(salon, device.id, &device.public, &next, browser::secret_bytes::<32>()?);
        grants.push(domain::wire::Grant { device: device.id, sealed });
    }
    let rotation = domain::wire::Rotation { epoch: next.epoch(), key_id: next.id().0, grants };
    Some((next, rotation))
}

async fn push_next(store: &Store, client: &mut SyncClient, socket: &Socket, sealer: Option<&Sealer>) {
    let Some(sealer) = sealer else { return };
    // Sealing saves the outbox sealed: only under a key the relay has confirmed as the salon's
    // (a key that loses the claim, or another salon's, would leave changes nobody can open).
    if client.push_in_flight() || client.phase() != Phase::Ready {
        return;
    }
    let Ok(pending) = store.outbox_peek_sealed(limits::MAX_PUSH_CHANGES as u32, &sealer.salon, &sealer.key).await
    else {
        return;
    };
    if let Some(msg) = client.push(&pending) {
        socket.send(&msg);
    }
}

/// Sends every erasure the relay has not confirmed, her photos under their relay names. A
/// repeated one (its confirmation lost with the connection) is harmless.
async fn erasures_next(
    state: &Reporter,
    store: &Store,
    client: &mut SyncClient,
    socket: &Socket,
    sealer: Option<&Sealer>,
) {
    let Some(sealer) = sealer else { return };
    let pending = match store.erasures_pending().await {
        Ok(pending) => pending,
        Err(error) => return state.report(error),
    };
    for erasure in pending {
        let blobs = erasure.photos.iter().map(|photo| *sealer.key.blob_name(photo).as_bytes()).collect();
        if let Some(msg) = client.request(ClientMsg::Erase { doc: erasure.doc, blobs }) {
            socket.send(&msg);
        }
    }
}

/// Starts the next blob transfer, if none is in flight: uploads first (a photo taken here is
/// only on this device until the relay has it), then fetches of photos documents refer to,
/// passing over those the relay lacked when last asked.
async fn blob_next(store: &Store, client: &mut SyncClient, socket: &Socket, sealer: &Sealer) {
    if client.blob_in_flight() {
        return;
    }
    if let Ok(Some((photo, sealed))) = store.blob_to_upload(&sealer.salon, &sealer.key).await {
        if let Some(msg) = client.put_blob(sealer.name_of(photo), sealed) {
            socket.send(&msg);
        }
        return;
    }
    if let Ok(wanted) = store.blobs_wanted().await
        && let Some(photo) = client.next_fetch(&wanted)
        && let Some(msg) = client.get_blob(sealer.name_of(photo))
    {
        socket.send(&msg);
    }
}

/// Tries the changes kept aside again, and shows what opened.
async fn retry_quarantined(state: &Reporter, store: &Store, sealer: &Sealer) {
    match store.retry_quarantined(&sealer.salon, &sealer.key).await {
        Ok(Some(applied)) => {
            state.customers_erased(&applied.erased);
            state.customers_changed(applied.customers);
            if applied.salon_changed {
                state.reload_salon();
            }
        }
        Ok(None) => {}
        Err(error) => state.report(error),
    }
}

async fn refresh_unreadable(state: &Reporter, store: &Store) {
    if let Ok(count) = store.quarantined().await {
        state.set_unreadable(count);
    }
}

async fn refresh_pending(state: &Reporter, store: &Store) {
    if let Ok(pending) = store.outbox_len().await {
        state.set_pending(pending);
    }
}

/// Starts the sync loop for the life of the app.
pub fn start(
    reports: Reporter,
    store: std::rc::Rc<Store>,
    events: UnboundedReceiver<SyncEvent>,
    sender: UnboundedSender<SyncEvent>,
) {
    wasm_bindgen_futures::spawn_local(run(reports, store, events, sender));
}
