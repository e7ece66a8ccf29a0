//! What every request and socket shares: the store, the salons, the per-salon announcement
//! channels and the shutdown signal.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use domain::ids::SalonId;
use tokio::sync::{broadcast, watch};

use crate::AppError;
use crate::auth::Salons;
use crate::config::Config;
use crate::pairing::Meetings;
use crate::sqlite::SqliteStore;
use crate::store::ChangeStore;

/// What a salon's open sockets are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SalonEvent {
    /// The salon's head is now this.
    Head(u64),
    /// This device was removed: its socket closes.
    Revoked(u64),
    /// The salon moved to a new key (by this device): every other socket closes, so its
    /// device reconnects and is handed the key sealed to it.
    Rekeyed(u64),
}

/// Announcements a slow socket may fall behind by before it only learns the latest head.
const ANNOUNCEMENT_BACKLOG: usize = 16;

/// Time limits; the defaults are what production uses, tests shorten them.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// How long a new socket has to send `Hello`.
    pub hello: Duration,
    /// How long an HTTP request may take until its response starts. A WebSocket is past
    /// this limit as soon as the upgrade is answered.
    pub http_request: Duration,
    /// How long `serve` waits for open sockets to finish after shutdown begins.
    pub socket_drain: Duration,
    /// How long one message to a device may take to go out before the socket counts as dead.
    pub send: Duration,
    /// How often the relay pings an open socket.
    pub ping: Duration,
    /// How long a socket may stay silent (not even answering pings) before it is dropped.
    pub silence: Duration,
    /// How long a new device's pairing request waits for the device showing the code to seal
    /// the invite (below `http_request`, so the answer says why).
    pub pair_wait: Duration,
}

/// Caps that keep one address, one salon or a password guesser from taking the relay.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Open sync sockets from one IP address (a salon's devices behind one router share one).
    pub connections_per_address: usize,
    /// Open sync sockets of one salon.
    pub connections_per_salon: usize,
    /// Refused logins (wrong token, used invite) one address may make per window before its
    /// new sockets are turned away until the window passes.
    pub failed_logins_per_address: u32,
    pub failed_login_window: Duration,
    /// Bytes one salon's changes and photos may take at the relay (sealed). A push or photo
    /// that would go over is refused with `QuotaExceeded` and stays on its device.
    pub bytes_per_salon: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connections_per_address: 64,
            connections_per_salon: 64,
            failed_logins_per_address: 20,
            failed_login_window: Duration::from_secs(60),
            // A busy salon's years: ~200 MB of changes and some 30,000 photos of 300 KB.
            bytes_per_salon: 10 << 30,
        }
    }
}

/// Who holds how many sockets, and who failed to log in lately.
#[derive(Default)]
struct Counters {
    per_address: HashMap<IpAddr, usize>,
    per_salon: HashMap<SalonId, usize>,
    failures: HashMap<IpAddr, (u32, Instant)>,
    /// Bytes each salon takes at the relay, read from the store once and kept up to date.
    usage: HashMap<SalonId, u64>,
}

/// Failure records kept before old ones are swept.
const MAX_FAILURE_RECORDS: usize = 10_000;

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            hello: Duration::from_secs(10),
            http_request: Duration::from_secs(10),
            socket_drain: Duration::from_secs(5),
            send: Duration::from_secs(30),
            ping: Duration::from_secs(20),
            silence: Duration::from_secs(60),
            pair_wait: Duration::from_secs(8),
        }
    }
}

/// The relay's shared state. Cheap to clone: everything is behind an `Arc`.
#[derive(Clone)]
pub struct AppState {
    store: Arc<dyn ChangeStore>,
    salons: Arc<std::sync::RwLock<Arc<Salons>>>,
    /// Where the salons came from, read again (at most once a second) when a device names a
    /// salon not known yet, so a salon added while the relay runs works at once.
    salons_file: Option<Arc<Path>>,
    salons_read: Arc<Mutex<Option<Instant>>>,
    dist_dir: Arc<Path>,
    /// One channel of new heads per salon, created when its first device connects. Entries
    /// are never removed: there is one per configured salon at most.
    announcements: Arc<Mutex<HashMap<SalonId, broadcast::Sender<SalonEvent>>>>,
    shutdown: Arc<watch::Sender<bool>>,
    open_sockets: Arc<watch::Sender<usize>>,
    timeouts: Timeouts,
    limits: Limits,
    counters: Arc<Mutex<Counters>>,
    meetings: Arc<Meetings>,
    connections: Arc<AtomicU64>,
}

impl AppState {
    pub fn new(store: Arc<dyn ChangeStore>, salons: Salons, dist_dir: impl Into<PathBuf>) -> Self {
        AppState {
            store,
            salons: Arc::new(std::sync::RwLock::new(Arc::new(salons))),
            salons_file: None,
            salons_read: Arc::default(),
            dist_dir: Arc::from(dist_dir.into()),
            announcements: Arc::default(),
            shutdown: Arc::new(watch::Sender::new(false)),
            open_sockets: Arc::new(watch::Sender::new(0)),
            timeouts: Timeouts::default(),
            limits: Limits::default(),
            counters: Arc::default(),
            meetings: Arc::default(),
            connections: Arc::default(),
        }
    }

    /// Creates the data directory if needed and opens the SQLite store in it.
    pub fn open(config: &Config) -> Result<Self, AppError> {
        if config.salons.is_empty() {
            return Err(AppError::Config("no salon is configured".to_owned()));
        }
        std::fs::create_dir_all(&config.data_dir)?;
        let store = SqliteStore::open(&config.database_path())?;
        let salons = Salons::new(config.salons.iter().cloned());
        let state = AppState::new(Arc::new(store), salons, config.dist_dir.clone());
        Ok(AppState { salons_file: config.salons_file.as_deref().map(Arc::from), ..state })
    }

    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        // Every change to the counters is a single step: valid after any panic.
        self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a socket from `address` until the slot is dropped; `None` when the address has
    /// its fill of sockets, or failed to log in too often lately.
    pub(crate) fn address_slot(&self, address: IpAddr) -> Option<Slot> {
        if !self.may_try(address) {
            return None;
        }
        let mut counters = self.counters();
        let open = counters.per_address.entry(address).or_insert(0);
        if *open >= self.limits.connections_per_address {
            return None;
        }
        *open += 1;
        Some(Slot { counters: Arc::clone(&self.counters), key: SlotKey::Address(address) })
    }

    /// Counts an authenticated socket of `salon`; `None` when the salon has its fill.
    pub(crate) fn salon_slot(&self, salon: &SalonId) -> Option<Slot> {
        let mut counters = self.counters();
        let open = counters.per_salon.entry(salon.clone()).or_insert(0);
        if *open >= self.limits.connections_per_salon {
            return None;
        }
        *open += 1;
        Some(Slot { counters: Arc::clone(&self.counters), key: SlotKey::Salon(salon.clone()) })
    }

    /// Whether `address` may try to log in or pair now (it has not failed too often lately).
    pub(crate) fn may_try(&self, address: IpAddr) -> bool {
        let counters = self.counters();
        counters.failures.get(&address).is_none_or(|(failed, since)| {
            *failed < self.limits.failed_logins_per_address || since.elapsed() >= self.limits.failed_login_window
        })
    }

    /// The open pairing meeting points.
    pub(crate) fn meetings(&self) -> &Meetings {
        &self.meetings
    }

    /// A number for a new connection, unique while the relay runs.
    pub(crate) fn next_connection(&self) -> u64 {
        self.connections.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Notes a refused login from `address`.
    pub(crate) fn login_failed(&self, address: IpAddr) {
        let window = self.limits.failed_login_window;
        let mut counters = self.counters();
        if counters.failures.len() >= MAX_FAILURE_RECORDS {
            counters.failures.retain(|_, (_, since)| since.elapsed() < window);
        }
        let record = counters.failures.entry(address).or_insert((0, Instant::now()));
        if record.1.elapsed() >= window {
            *record = (0, Instant::now());
        }
        record.0 += 1;
    }

    pub fn store(&self) -> &dyn ChangeStore {
        self.store.as_ref()
    }

    pub fn salons(&self) -> Arc<Salons> {
        Arc::clone(&self.salons.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Whether `salon` may use this relay: configured, or added to the salons file since it
    /// was last read (read again at most once a second, so unknown names cost nothing much).
    pub(crate) fn knows_salon(&self, salon: &SalonId) -> bool {
        if self.salons().contains(salon) {
            return true;
        }
        let Some(path) = &self.salons_file else { return false };
        {
            let mut read = self.salons_read.lock().unwrap_or_else(PoisonError::into_inner);
            if read.is_some_and(|at| at.elapsed() < Duration::from_secs(1)) {
                return false;
            }
            *read = Some(Instant::now());
        }
        match crate::config::load_or_create_salons_file(path) {
            Ok(entries) => {
                let salons = Arc::new(Salons::new(entries));
                let known = salons.contains(salon);
                *self.salons.write().unwrap_or_else(PoisonError::into_inner) = salons;
                known
            }
            Err(error) => {
                tracing::warn!(%error, "the salons file could not be read again");
                false
            }
        }
    }

    pub fn dist_dir(&self) -> &Path {
        &self.dist_dir
    }

    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// Tells every open socket to close. New sockets close as soon as they open.
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    pub(crate) fn shutdown_signal(&self) -> ShutdownSignal {
        ShutdownSignal(self.shutdown.subscribe())
    }

    pub(crate) fn subscribe(&self, salon: &SalonId) -> broadcast::Receiver<SalonEvent> {
        self.announcement_sender(salon).subscribe()
    }

    /// How many more bytes the salon's quota takes. Two sockets of one salon storing at the
    /// same moment can together go over by at most one push or photo each.
    pub(crate) async fn room(&self, salon: &SalonId) -> Result<u64, AppError> {
        let known = self.counters().usage.get(salon).copied();
        let used = match known {
            Some(used) => used,
            None => {
                let used = self.store.usage(salon.clone()).await?;
                *self.counters().usage.entry(salon.clone()).or_insert(used)
            }
        };
        Ok(self.limits.bytes_per_salon.saturating_sub(used))
    }

    /// The salon now keeps `bytes` more.
    pub(crate) fn stored(&self, salon: &SalonId, bytes: u64) {
        if let Some(used) = self.counters().usage.get_mut(salon) {
            *used = used.saturating_add(bytes);
        }
    }

    /// The salon's usage changed in a way only the store can count (an erasure): read again.
    pub(crate) fn recount(&self, salon: &SalonId) {
        self.counters().usage.remove(salon);
    }

    /// Tells the salon's open sockets that its head is now `head`.
    pub(crate) fn announce(&self, salon: &SalonId, head: u64) {
        // Sending fails only when no socket listens, which is fine.
        let _ = self.announcement_sender(salon).send(SalonEvent::Head(head));
    }

    /// Tells the salon's open sockets that `device` was removed (its own closes).
    pub(crate) fn revoked(&self, salon: &SalonId, device: u64) {
        let _ = self.announcement_sender(salon).send(SalonEvent::Revoked(device));
    }

    /// Tells the salon's open sockets that `by` rotated the salon key.
    pub(crate) fn rekeyed(&self, salon: &SalonId, by: u64) {
        let _ = self.announcement_sender(salon).send(SalonEvent::Rekeyed(by));
    }

    fn announcement_sender(&self, salon: &SalonId) -> broadcast::Sender<SalonEvent> {
        // The map is valid after any panic: every change to it is a single insert.
        let mut channels = self.announcements.lock().unwrap_or_else(PoisonError::into_inner);
        channels.entry(salon.clone()).or_insert_with(|| broadcast::channel(ANNOUNCEMENT_BACKLOG).0).clone()
    }

    /// Counts a socket as open until the returned guard is dropped.
    pub(crate) fn socket_opened(&self) -> OpenSocket {
        self.open_sockets.send_modify(|open| *open += 1);
        OpenSocket(Arc::clone(&self.open_sockets))
    }

    /// Waits until every socket has finished, or `limit` has passed. True when all finished.
    pub(crate) async fn sockets_closed(&self, limit: Duration) -> bool {
        let mut open = self.open_sockets.subscribe();
        tokio::time::timeout(limit, open.wait_for(|open| *open == 0)).await.is_ok_and(|waited| waited.is_ok())
    }
}

/// Resolves once the relay begins to shut down.
pub(crate) struct ShutdownSignal(watch::Receiver<bool>);

impl ShutdownSignal {
    pub(crate) async fn stopped(&mut self) {
        // An error means the state, and with it the sender, is gone: stop as well.
        let _ = self.0.wait_for(|stopping| *stopping).await;
    }
}

pub(crate) struct OpenSocket(Arc<watch::Sender<usize>>);

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.0.send_modify(|open| *open = open.saturating_sub(1));
    }
}

enum SlotKey {
    Address(IpAddr),
    Salon(SalonId),
}

/// One counted socket; dropping it gives the place back.
pub(crate) struct Slot {
    counters: Arc<Mutex<Counters>>,
    key: SlotKey,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        match &self.key {
            SlotKey::Address(address) => {
                if let Some(open) = counters.per_address.get_mut(address) {
                    *open = open.saturating_sub(1);
                    if *open == 0 {
                        counters.per_address.remove(address);
                    }
                }
            }
            SlotKey::Salon(salon) => {
                if let Some(open) = counters.per_salon.get_mut(salon) {
                    *open = open.saturating_sub(1);
                    if *open == 0 {
                        counters.per_salon.remove(salon);
                    }
                }
            }
        }
    }
}
