//! Typed application state, provided once as context: the store handle, the customer list,
//! the sync status and the channel that nudges the sync loop.

use std::rc::Rc;
use std::sync::Arc;

use domain::DomainError;
use domain::care::rules::{CarePolicy, SalonTasks, salon_tasks};
use domain::classify::Policy;
use domain::classify::abc::ValueClass;
use domain::classify::overrides::{Dimension, Override};
use domain::classify::run::{self, Classification};
use domain::classify::snapshot::{Month, Snapshot};
use domain::customer::{CustomerDoc, CustomerSummary, LocalChange};
use domain::ids::{CustomerId, DeviceId};
use domain::join::{JoinCode, JoinEffect, JoinProblem};
use domain::pairing::{PairFailure, PairingCode, PairingProblem};
use domain::salon::SalonDocKind;
use domain::sync::PairingEvent;
use domain::wire::DeviceInfo;
use futures::channel::mpsc::UnboundedSender;
use leptos::prelude::*;

use crate::error::AppError;
use crate::io::relay::{SyncEvent, SyncReport};
use crate::io::store::{RelayConfig, Store};

/// How the connection to the salon's relay stands: the sync loop's, shown here.
pub use crate::io::relay::Connection;

/// What became of a join code (a link opened, or a code pasted in Settings), shown in the
/// join bar until dismissed. A code never silently replaces a connection that works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinOutcome {
    Bad(JoinProblem),
    /// A pairing code was typed: the device showing it is being asked for the invite.
    Pairing,
    /// What was typed is meant as a pairing code but is not one (a character too many, a
    /// character no code has).
    BadPairCode(PairingProblem),
    /// The pairing code brought no invite: why, and so what to do.
    PairFailed(PairFailure),
    Joined(String),
    /// The device already uses this very code.
    AlreadyJoined(String),
    /// A new token for this salon, or another salon on a device holding no customers yet:
    /// asks before switching. `current` is the salon in use.
    Ask {
        code: JoinCode,
        current: String,
    },
    /// Another salon, on a device holding anything of the current salon (a customer, a salon
    /// document, a change not yet uploaded): taking it as it is would send that to the other
    /// salon, so it is refused. When everything here is at the current salon's relay
    /// (`unsent` is 0) the device may be wiped and switched, after a confirmation.
    Refused {
        current: String,
        offered: String,
        code: JoinCode,
        unsent: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub connection: Connection,
    /// Local changes the relay has not acknowledged yet.
    pub pending: u32,
    /// When this device last had everything the relay had and the relay everything it had.
    pub last_synced: Option<i64>,
    /// Connected but still reading what the relay has (the device is not up to date yet).
    pub receiving: bool,
    /// Changes from the relay kept aside because they did not open here.
    pub unreadable: u32,
}

/// This device and the salon's devices, as the relay told them this session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Devices {
    /// This device's id and the role it was paired with.
    pub me: Option<(u64, domain::staff::Role)>,
    /// The salon's devices, as last listed (`None` until asked).
    pub list: Option<Vec<DeviceInfo>>,
    /// Invites the relay recorded this session: hash and when it expires (ms).
    pub invites: Vec<([u8; 32], u64)>,
    /// The relay's latest news of a pairing code this device shows (for the invite block).
    pub pairing: Option<PairingEvent>,
}

/// The salon classified on today's date, with how long that took on this device.
#[derive(Clone, Default)]
pub struct Classes {
    pub all: Arc<Classification>,
    pub millis: f64,
}

impl PartialEq for Classes {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.all, &other.all)
    }
}

#[derive(Clone, Copy)]
pub struct AppState {
    store: StoredValue<Rc<Store>, LocalStorage>,
    events: StoredValue<UnboundedSender<SyncEvent>, LocalStorage>,
    /// The customer list (derived entries, unsorted).
    pub customers: RwSignal<Vec<CustomerSummary>>,
    /// Bumped whenever any customer document changes, locally or from the relay, so open
    /// files re-read themselves.
    pub revision: RwSignal<u64>,
    pub sync: RwSignal<SyncStatus>,
    pub devices: RwSignal<Devices>,
    /// The last storage failure, shown until dismissed.
    pub problem: RwSignal<Option<AppError>>,
    /// The last join code's outcome, shown until dismissed.
    pub join: RwSignal<Option<JoinOutcome>>,
    pub device_tag: StoredValue<String>,
    /// Bumped when photo blobs arrive, so waiting photos show themselves.
    pub blob_revision: RwSignal<u64>,
    /// The customer just deleted on this device (id, name), offered for undo on the list.
    pub just_deleted: RwSignal<Option<(String, String)>>,
    /// A short confirmation shown on the list (an import finished ...).
    pub notice: RwSignal<Option<String>>,
    /// The salon's classification policy (the defaults until one is saved).
    pub policy: RwSignal<Policy>,
    /// The salon's care plan (the defaults until one is saved).
    pub care: RwSignal<CarePolicy>,
    /// The salon's name as customers know it, once someone set it (messages are signed with it).
    pub salon_name: RwSignal<Option<String>>,
    /// The saved policy or care plan is a newer app's, unreadable here: the defaults apply
    /// meanwhile, and their pages say so.
    pub policy_unreadable: RwSignal<bool>,
    pub care_unreadable: RwSignal<bool>,
    /// Every month's class snapshot this device has, any order.
    pub snapshots: RwSignal<Vec<Snapshot>>,
    /// Every customer not in the bin, classified under `policy` today; recomputed when the
    /// list or the policy changes.
    pub classes: Memo<Classes>,
    /// The policy and snapshots have been read from the store.
    pub salon_loaded: RwSignal<bool>,
    /// Every open follow-up task of the salon with its customer's value class, and every
    /// snoozed one, from the list entries, the classes and the care policy.
    pub tasks: Memo<Tasks>,
}

/// The salon's follow-ups (shared, compared by identity), with how long deriving them took on
/// this device (read by the benchmark, not shown).
#[derive(Clone, Default)]
pub struct Tasks(pub Arc<SalonTasks>, pub f64);

impl PartialEq for Tasks {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Tasks {
    /// The open tasks with their customers' value classes.
    pub fn open(&self) -> &[(domain::care::rules::Task, ValueClass)] {
        &self.0.open
    }
}

impl AppState {
    pub fn new(
        store: Rc<Store>,
        customers: Vec<CustomerSummary>,
        events: UnboundedSender<SyncEvent>,
        last_synced: Option<i64>,
    ) -> Self {
        let device_tag = store.device_tag().as_str().to_owned();
        let customers = RwSignal::new(customers);
        let policy = RwSignal::new(Policy::default());
        let classes = Memo::new(move |_| {
            let started = crate::io::browser::elapsed_ms();
            let today = crate::io::browser::today();
            let all = policy.with(|policy| {
                customers.with(|list| {
                    let input: Vec<_> = list
                        .iter()
                        .filter(|s| s.deleted_at.is_none())
                        .map(|s| (s.facts(policy, today), s.overrides.clone()))
                        .collect();
                    run::classify(&input, policy, today)
                })
            });
            Classes { all: Arc::new(all), millis: crate::io::browser::elapsed_ms() - started }
        });
        let care = RwSignal::new(CarePolicy::default());
        let tasks = Memo::new(move |_| {
            let started = crate::io::browser::elapsed_ms();
            let today = crate::io::browser::today();
            let care = care.get();
            let classes = classes.get();
            let tasks =
                policy.with(|policy| customers.with(|list| salon_tasks(list, &classes.all, &care, policy, today)));
            Tasks(Arc::new(tasks), crate::io::browser::elapsed_ms() - started)
        });
        AppState {
            store: StoredValue::new_local(store),
            events: StoredValue::new_local(events),
            customers,
            revision: RwSignal::new(0),
            sync: RwSignal::new(SyncStatus {
                connection: Connection::NotConfigured,
                pending: 0,
                last_synced,
                receiving: false,
                unreadable: 0,
            }),
            devices: RwSignal::new(Devices::default()),
            problem: RwSignal::new(None),
            join: RwSignal::new(None),
            device_tag: StoredValue::new(device_tag),
            blob_revision: RwSignal::new(0),
            just_deleted: RwSignal::new(None),
            notice: RwSignal::new(None),
            policy,
            care,
            salon_name: RwSignal::new(None),
            policy_unreadable: RwSignal::new(false),
            care_unreadable: RwSignal::new(false),
            snapshots: RwSignal::new(Vec::new()),
            classes,
            salon_loaded: RwSignal::new(false),
            tasks,
        }
    }

    /// Shows what the sync loop reported (it only does IO; the app state is the one place
    /// that holds what the screens show).
    pub fn apply(&self, report: SyncReport) {
        match report {
            SyncReport::Connection(connection) => self.set_connection(connection),
            SyncReport::Pending(pending) => self.set_pending(pending),
            SyncReport::Unreadable(count) => self.set_unreadable(count),
            SyncReport::Receiving(receiving) => self.set_receiving(receiving),
            SyncReport::LastSynced(ms) => self.set_last_synced(ms),
            SyncReport::CustomersChanged(updated) => self.customers_changed(updated),
            SyncReport::CustomersErased(erased) => self.customers_erased(&erased),
            SyncReport::SalonChanged => self.reload_salon(),
            SyncReport::BlobsArrived => self.blobs_arrived(),
            SyncReport::Paired { device, role } => self.set_paired(device, role),
            SyncReport::Devices(devices) => self.set_devices(devices),
            SyncReport::InviteRecorded { hash, expires_at_ms } => self.invite_recorded(hash, expires_at_ms),
            SyncReport::Pairing(news) => self.pairing_news(news),
            SyncReport::Problem(error) => self.report(error),
        }
    }

    pub fn store(&self) -> Rc<Store> {
        self.store.get_value()
    }

    /// Puts fresh list entries in place (replacing entries with the same id).
    pub fn customers_changed(&self, updated: Vec<CustomerSummary>) {
        if updated.is_empty() {
            return;
        }
        self.customers.update(|list| {
            for summary in updated {
                match list.iter_mut().find(|s| s.id == summary.id) {
                    Some(slot) => *slot = summary,
                    None => list.push(summary),
                }
            }
        });
        self.revision.update(|r| *r += 1);
    }

    /// Customers erased (here or on another device) leave the list and every page at once.
    pub fn customers_erased(&self, erased: &[String]) {
        if erased.is_empty() {
            return;
        }
        self.customers.update(|list| list.retain(|s| !erased.contains(&s.id)));
        self.revision.update(|r| *r += 1);
    }

    /// Whether this device may erase a customer: its role at the relay once paired (the relay
    /// refuses others), the role chosen here until then.
    pub fn may_erase(&self) -> bool {
        self.devices.with(|d| d.me.map(|(_, role)| role)).unwrap_or_else(crate::io::browser::saved_role).erases()
    }

    /// Erases a customer for good on this device and queues the erasure for the relay (which
    /// drops her from every device). Only the owner's and managers' devices offer it.
    pub async fn erase_customer(&self, id: &CustomerId) -> bool {
        match self.store().erase_customer(id).await {
            Ok(()) => {
                self.customers_erased(&[id.as_str().to_owned()]);
                self.nudge(SyncEvent::ErasuresChanged);
                self.nudge(SyncEvent::OutboxChanged);
                true
            }
            Err(error) => {
                self.report(error);
                false
            }
        }
    }

    /// A change made on this device was saved (and queued in the outbox): show it and let the
    /// sync loop push it. Every local write path ends here.
    pub fn saved_locally(&self, summary: CustomerSummary) {
        self.customers_changed(vec![summary]);
        self.nudge(SyncEvent::OutboxChanged);
    }

    /// Tells the sync loop something happened (new outbox entries, new salon code).
    pub fn nudge(&self, event: SyncEvent) {
        let _ = self.events.with_value(|sender| sender.unbounded_send(event));
    }

    pub fn pending(&self) -> u32 {
        self.sync.with_untracked(|s| s.pending)
    }

    pub fn set_pending(&self, pending: u32) {
        self.sync.update(|s| s.pending = pending);
        // A move to another salon refused while uploads wait: count again as they go, so the
        // wipe is offered once nothing is left (without opening the link again).
        let waiting = |j: &Option<JoinOutcome>| matches!(j, Some(JoinOutcome::Refused { unsent, .. }) if *unsent > 0);
        if self.join.with_untracked(waiting) {
            let state = *self;
            leptos::task::spawn_local(async move {
                let Ok(left) = state.store().unsent().await else { return };
                state.join.update(|j| {
                    if let Some(JoinOutcome::Refused { unsent, .. }) = j {
                        *unsent = left;
                    }
                });
            });
        }
    }

    pub fn set_unreadable(&self, count: u32) {
        if self.sync.with_untracked(|s| s.unreadable) != count {
            self.sync.update(|s| s.unreadable = count);
        }
    }

    /// The relay knows this device as `device`, paired with `role`.
    pub fn set_paired(&self, device: u64, role: domain::staff::Role) {
        if self.devices.with_untracked(|d| d.me) != Some((device, role)) {
            self.devices.update(|d| d.me = Some((device, role)));
        }
    }

    pub fn set_devices(&self, list: Vec<DeviceInfo>) {
        self.devices.update(|d| d.list = Some(list));
    }

    pub fn invite_recorded(&self, hash: [u8; 32], expires_at_ms: u64) {
        self.devices.update(|d| d.invites.push((hash, expires_at_ms)));
    }

    /// The relay's news of a pairing code this device shows.
    pub fn pairing_news(&self, news: PairingEvent) {
        self.devices.update(|d| d.pairing = Some(news));
    }

    /// Sends a device-management request (invite, list, remove) if connected.
    pub fn manage(&self, msg: domain::wire::ClientMsg) {
        self.nudge(SyncEvent::Manage(Box::new(msg)));
    }

    /// Whether the device is still catching up with the relay (only changes notify).
    pub fn set_receiving(&self, receiving: bool) {
        if self.sync.with_untracked(|s| s.receiving) != receiving {
            self.sync.update(|s| s.receiving = receiving);
        }
    }

    pub fn last_synced(&self) -> Option<i64> {
        self.sync.with_untracked(|s| s.last_synced)
    }

    pub fn set_last_synced(&self, ms: i64) {
        self.sync.update(|s| s.last_synced = Some(ms));
        self.snapshot_if_due();
    }

    /// Reads the salon's policy and snapshots from the store (at start, and when another
    /// device changed them).
    pub fn reload_salon(&self) {
        let state = *self;
        leptos::task::spawn_local(async move {
            match state.store().salon_state().await {
                Ok(salon) => {
                    if state.policy.get_untracked() != salon.policy {
                        state.policy.set(salon.policy);
                    }
                    if state.care.get_untracked() != salon.care {
                        state.care.set(salon.care);
                    }
                    if state.salon_name.get_untracked() != salon.name {
                        state.salon_name.set(salon.name);
                    }
                    state.snapshots.set(salon.snapshots);
                    state.policy_unreadable.set(salon.policy_unreadable);
                    state.care_unreadable.set(salon.care_unreadable);
                    if !state.salon_loaded.get_untracked() {
                        state.salon_loaded.set(true);
                        state.snapshot_if_due();
                    }
                }
                Err(error) => state.report(error),
            }
        });
    }

    /// Saves a new classification policy for the whole salon.
    pub async fn save_policy(&self, policy: Policy) -> bool {
        let now = crate::io::browser::now();
        let saved = policy.clone();
        let result = self
            .store()
            .edit_salon_doc(SalonDocKind::Settings, |doc, device| doc.set_policy(device, &saved, now))
            .await;
        match result {
            Ok(()) => {
                self.policy.set(policy);
                self.nudge(SyncEvent::OutboxChanged);
                true
            }
            Err(error) => {
                self.report(error);
                false
            }
        }
    }

    /// Saves a new care plan for the whole salon.
    pub async fn save_care_plan(&self, plan: CarePolicy) -> bool {
        let now = crate::io::browser::now();
        let saved = plan.clone();
        let result = self
            .store()
            .edit_salon_doc(SalonDocKind::Settings, |doc, device| doc.set_care_plan(device, &saved, now))
            .await;
        match result {
            Ok(()) => {
                self.care.set(plan);
                self.nudge(SyncEvent::OutboxChanged);
                true
            }
            Err(error) => {
                self.report(error);
                false
            }
        }
    }

    /// Names the salon for every device (the name messages to customers are signed with).
    pub async fn save_salon_name(&self, name: domain::salon::SalonName) -> bool {
        let now = crate::io::browser::now();
        let saved = name.clone();
        let result =
            self.store().edit_salon_doc(SalonDocKind::Settings, |doc, device| doc.set_name(device, &saved, now)).await;
        match result {
            Ok(()) => {
                self.salon_name.set(Some(name.as_str().to_owned()));
                self.nudge(SyncEvent::OutboxChanged);
                true
            }
            Err(error) => {
                self.report(error);
                false
            }
        }
    }

    /// Puts a customer in a class by hand, or gives the class back to the rules.
    pub async fn set_override(&self, id: &CustomerId, dimension: Dimension, set: Option<Override>) -> bool {
        let now = crate::io::browser::now();
        self.edit_customer(id, move |doc, device| doc.set_override(device, dimension, set.as_ref(), now)).await
    }

    /// Records this month's classes of every customer (again, when asked on demand).
    pub async fn take_snapshot(&self) -> bool {
        let today = crate::io::browser::today();
        let snapshot = Snapshot::take(&self.classes.get_untracked().all, today);
        let now = crate::io::browser::now();
        let kind = SalonDocKind::Snapshot(snapshot.month);
        match self.store().edit_salon_doc(kind, |doc, device| doc.put_snapshot(device, &snapshot, now)).await {
            Ok(()) => {
                self.nudge(SyncEvent::OutboxChanged);
                self.reload_salon();
                true
            }
            Err(error) => {
                self.report(error);
                false
            }
        }
    }

    /// On the first use in a new month, records the month's snapshot: once this device has
    /// its salon's policy and customers and, when it belongs to a salon, has caught up with
    /// the relay at least once (a device that never synced would record an empty salon). The
    /// store is asked, not the signal, so a snapshot that just arrived from another device
    /// counts.
    pub fn snapshot_if_due(&self) {
        let state = *self;
        let month = Month::of(crate::io::browser::today());
        // Called after every sync: the snapshots in memory answer it at once in the usual case
        // (this month's is there), without touching the store.
        let taken = self.snapshots.with_untracked(|all| all.iter().any(|s| s.month == month));
        // Under a policy this build can't read, the classes would be the defaults': the month's
        // record (which every device keeps) is left to a device that reads the salon's rules.
        let ready = self.salon_loaded.get_untracked()
            && !self.policy_unreadable.get_untracked()
            && self.customers.with_untracked(|all| all.iter().any(|s| s.deleted_at.is_none()));
        if taken || !ready {
            return;
        }
        leptos::task::spawn_local(async move {
            let store = state.store();
            let never_synced =
                matches!(store.relay_config().await, Ok(Some(_))) && matches!(store.last_synced().await, Ok(None));
            if never_synced {
                return;
            }
            match store.salon_doc(SalonDocKind::Snapshot(month)).await {
                Ok(Some(doc)) if doc.snapshot().is_some() => {}
                Ok(_) => {
                    state.take_snapshot().await;
                }
                Err(error) => state.report(error),
            }
        });
    }

    /// Takes what was typed or pasted in Settings: a pairing code (which brings the invite
    /// link from the device showing it), or a link or join code ([`AppState::offer_link`]).
    pub async fn offer_join(&self, raw: &str) {
        match PairingCode::typed(raw) {
            None => self.offer_link(raw).await,
            Some(Err(problem)) => self.join.set(Some(JoinOutcome::BadPairCode(problem))),
            Some(Ok(code)) => {
                self.join.set(Some(JoinOutcome::Pairing));
                match crate::io::pair::invite_for(&code).await {
                    Ok(link) => self.offer_link(&link).await,
                    Err(failure) => self.join.set(Some(JoinOutcome::PairFailed(failure))),
                }
            }
        }
    }

    /// Takes a join code (a link's `#join=` part, or a link or `salon:token`): a first salon
    /// is joined at once; anything that would change a working connection asks first.
    pub async fn offer_link(&self, raw: &str) {
        let code = match JoinCode::parse(raw) {
            Ok(code) => code,
            Err(problem) => return self.join.set(Some(JoinOutcome::Bad(problem))),
        };
        let current = match self.store().relay_config().await {
            Ok(current) => current,
            Err(error) => return self.report(error),
        };
        let current_key = current.as_ref().and_then(|c| c.key());
        let effect = code.effect(current.as_ref().map(|c| (&c.salon, c.joined_with(), current_key.as_ref())));
        let holds_customers = match self.store().holds_salon_data().await {
            Ok(holds) => holds,
            Err(error) => return self.report(error),
        };
        // A code for this salon on a device the relay never paired (its code was refused, or
        // it never connected) replaces nothing that works: taken without asking.
        let unpaired_here = current.as_ref().is_some_and(|c| !c.paired && c.salon == code.salon);
        let outcome = match (effect, current) {
            (JoinEffect::First | JoinEffect::Invited, _) | (_, None) => return self.take_join(code).await,
            (JoinEffect::NewToken, Some(_)) if unpaired_here => return self.take_join(code).await,
            (JoinEffect::Same, Some(c)) => {
                self.clear_join_notice_later();
                JoinOutcome::AlreadyJoined(c.salon.to_string())
            }
            (JoinEffect::OtherSalon, Some(c)) if holds_customers => {
                let unsent = match self.store().unsent().await {
                    Ok(unsent) => unsent,
                    Err(error) => return self.report(error),
                };
                let offered = code.salon.to_string();
                JoinOutcome::Refused { current: c.salon.to_string(), offered, code, unsent }
            }
            (JoinEffect::NewToken | JoinEffect::OtherSalon, Some(c)) => {
                JoinOutcome::Ask { code, current: c.salon.to_string() }
            }
        };
        self.join.set(Some(outcome));
    }

    /// A notice that all went well goes by itself after a few seconds; problems and
    /// questions stay until answered.
    fn clear_join_notice_later(&self) {
        let join = self.join;
        gloo::timers::callback::Timeout::new(6_000, move || {
            if join.with_untracked(|j| matches!(j, Some(JoinOutcome::Joined(_) | JoinOutcome::AlreadyJoined(_)))) {
                join.set(None);
            }
        })
        .forget();
    }

    /// The person agreed to the switch the join bar asked about.
    pub async fn accept_join(&self) {
        if let Some(JoinOutcome::Ask { code, .. }) = self.join.get_untracked() {
            self.take_join(code).await;
        }
    }

    /// The person confirmed wiping this device's files of its salon to join another one (the
    /// join bar offers it only when nothing here is unsent; the store checks again).
    pub async fn wipe_and_join(&self) {
        let Some(JoinOutcome::Refused { code, .. }) = self.join.get_untracked() else { return };
        let Some(config) = self.new_config(&code) else { return };
        match self.switch_salon(config, true).await {
            Ok(()) => {
                // Who uses this device was said for the old salon: the new one asks again.
                crate::io::browser::forget_salon_choices();
                self.customers.set(Vec::new());
                self.revision.update(|r| *r += 1);
                self.sync.update(|s| {
                    s.last_synced = None;
                    s.pending = 0;
                    s.unreadable = 0;
                });
                self.reload_salon();
                self.join.set(Some(JoinOutcome::Joined(code.salon.to_string())));
                self.nudge(SyncEvent::ConfigChanged);
            }
            Err(error) => self.report(error),
        }
    }

    /// Moves this device to another salon through the sync loop, which makes the move between
    /// sessions: nothing the old salon's session still had to handle lands after it.
    async fn switch_salon(&self, config: RelayConfig, wipe: bool) -> Result<(), AppError> {
        let (done, answer) = futures::channel::oneshot::channel();
        self.nudge(SyncEvent::Switch(Box::new(crate::io::relay::Switch { config, wipe, done })));
        answer.await.unwrap_or_else(|_| Err(AppError::Storage("the sync loop is not running".to_owned())))
    }

    /// A configuration for joining with `code` under a token and device key made here.
    fn new_config(&self, code: &JoinCode) -> Option<RelayConfig> {
        let random = crate::io::browser::secret_bytes::<32>;
        let (Some(token), Some(secret)) = (random(), random()) else {
            self.report(AppError::Storage(
                "this browser gives no secure random numbers (crypto.getRandomValues)".to_owned(),
            ));
            return None;
        };
        let device_key = domain::crypto::DeviceKey::new(secret).to_text();
        let key = code.key.as_ref().map(|ring| ring.to_text());
        Some(RelayConfig::joining(
            code.salon.clone(),
            code.token.clone(),
            domain::join::secret_text(token),
            key,
            device_key,
        ))
    }

    async fn take_join(&self, code: JoinCode) {
        let salon = code.salon.to_string();
        let current = self.store().relay_config().await.ok().flatten();
        let same_salon = matches!(&current, Some(c) if c.salon == code.salon);
        // A code without a key (the relay's own link) keeps the key this device has.
        // An invite's keys join those this device has of the same salon (every epoch is kept).
        let key = match (code.key, &current) {
            (Some(mut ring), Some(c)) if same_salon => {
                for old in c.key().iter().flat_map(|k| k.keys().to_vec()) {
                    ring.add(old);
                }
                Some(ring.to_text())
            }
            (Some(ring), _) => Some(ring.to_text()),
            (None, Some(c)) if same_salon => c.key.clone(),
            (None, _) => None,
        };
        // The same code again (it now brings the key): the device keeps its token and pairing.
        // A new code pairs anew, under a token made here for it.
        let config = match current {
            Some(c) if same_salon && c.joined_with() == code.token => RelayConfig { key, key_confirmed: true, ..c },
            _ => {
                let random = crate::io::browser::secret_bytes::<32>;
                let (Some(token), Some(secret)) = (random(), random()) else {
                    return self.report(AppError::Storage(
                        "this browser gives no secure random numbers (crypto.getRandomValues)".to_owned(),
                    ));
                };
                let device_key = domain::crypto::DeviceKey::new(secret).to_text();
                RelayConfig::joining(code.salon, code.token, domain::join::secret_text(token), key, device_key)
            }
        };
        // A new token for the same salon keeps the sync position; another salon starts over.
        let stored = if same_salon {
            self.store().set_relay_config(&config).await
        } else {
            self.switch_salon(config, false).await
        };
        match stored {
            Ok(()) => {
                if !same_salon {
                    self.sync.update(|s| s.last_synced = None);
                    crate::io::browser::forget_salon_choices();
                }
                self.join.set(Some(JoinOutcome::Joined(salon)));
                self.nudge(SyncEvent::ConfigChanged);
                // A device with no role yet keeps the notice: it offers to set one up.
                if crate::io::browser::saved_role() != domain::staff::Role::Unset {
                    self.clear_join_notice_later();
                }
            }
            Err(error) => self.report(error),
        }
    }

    pub fn connection(&self) -> Connection {
        self.sync.with_untracked(|s| s.connection)
    }

    pub fn set_connection(&self, connection: Connection) {
        self.sync.update(|s| s.connection = connection);
    }

    /// Changes one customer's document on this device (an entry, a profile edit, the bin)
    /// and records the save. Returns false, with the problem reported, when it failed.
    pub async fn edit_customer(
        &self,
        id: &CustomerId,
        edit: impl FnOnce(&mut CustomerDoc, DeviceId) -> Result<Vec<LocalChange>, DomainError>,
    ) -> bool {
        match self.store().edit_customer(id, crate::io::browser::today(), edit).await {
            Ok(summary) => {
                if let Some(summary) = summary {
                    self.saved_locally(summary);
                }
                true
            }
            Err(error) => {
                self.report(error);
                false
            }
        }
    }

    /// The same edit on several customers, all saved in one transaction or none. Returns
    /// false, with the problem reported, when it failed.
    pub async fn edit_customers(
        &self,
        ids: &[CustomerId],
        edit: impl FnMut(&mut CustomerDoc, DeviceId) -> Result<Vec<LocalChange>, DomainError>,
    ) -> bool {
        match self.store().edit_customers(ids, crate::io::browser::today(), edit).await {
            Ok(summaries) => {
                self.customers_changed(summaries);
                self.nudge(SyncEvent::OutboxChanged);
                true
            }
            Err(error) => {
                self.report(error);
                false
            }
        }
    }

    /// Saves a form page's edit in the background: the form is busy meanwhile, and `done`
    /// (going back to the file) runs only when the save worked.
    pub fn submit_edit(
        &self,
        id: CustomerId,
        saving: RwSignal<bool>,
        edit: impl FnOnce(&mut CustomerDoc, DeviceId) -> Result<Vec<LocalChange>, DomainError> + 'static,
        done: impl FnOnce() + 'static,
    ) {
        saving.set(true);
        let state = *self;
        leptos::task::spawn_local(async move {
            let saved = state.edit_customer(&id, edit).await;
            saving.set(false);
            if saved {
                done();
            }
        });
    }

    /// A photo blob arrived: photos waiting for it show themselves.
    pub fn blobs_arrived(&self) {
        self.blob_revision.update(|r| *r += 1);
    }

    /// A customer's number by id, from the list.
    pub fn number_of(&self, id: &str) -> Option<String> {
        self.customers.with_untracked(|all| all.iter().find(|s| s.id == id).map(|s| s.number.clone()))
    }

    /// A customer's name by id, from the list.
    pub fn name_of(&self, id: &str) -> Option<String> {
        self.customers.with_untracked(|all| all.iter().find(|s| s.id == id).map(|s| s.name.clone()))
    }

    pub fn report(&self, error: AppError) {
        web_sys::console::error_1(&error.to_string().into());
        self.problem.set(Some(error));
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
