//! Typed application state, provided once as context: the store handle, the customer list,
//! the sync status and the channel that nudges the sync loop.

use std::rc::Rc;

use domain::DomainError;
use domain::customer::{CustomerDoc, CustomerSummary, LocalChange};
use domain::ids::{CustomerId, DeviceId};
use domain::wire::ErrorCode;
use futures::channel::mpsc::UnboundedSender;
use leptos::prelude::*;

use crate::error::AppError;
use crate::io::relay::SyncEvent;
use crate::io::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// No salon code yet: everything stays on this device.
    NotConfigured,
    Connecting,
    Online,
    /// The relay cannot be reached; edits keep working and wait in the outbox.
    Offline,
    Refused(ErrorCode),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    pub connection: Connection,
    /// Local changes the relay has not acknowledged yet.
    pub pending: u32,
    /// When this device last had everything the relay had and the relay everything it had.
    pub last_synced: Option<i64>,
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
    /// The last storage failure, shown until dismissed.
    pub problem: RwSignal<Option<AppError>>,
    pub device_tag: StoredValue<String>,
    /// Bumped when photo blobs arrive, so waiting photos show themselves.
    pub blob_revision: RwSignal<u64>,
    /// The customer just deleted on this device (id, name), offered for undo on the list.
    pub just_deleted: RwSignal<Option<(String, String)>>,
    /// A short confirmation shown on the list (an import finished ...).
    pub notice: RwSignal<Option<String>>,
}

impl AppState {
    pub fn new(store: Rc<Store>, customers: Vec<CustomerSummary>, events: UnboundedSender<SyncEvent>, last_synced: Option<i64>) -> Self {
        let device_tag = store.device_tag().as_str().to_owned();
        AppState {
            store: StoredValue::new_local(store),
            events: StoredValue::new_local(events),
            customers: RwSignal::new(customers),
            revision: RwSignal::new(0),
            sync: RwSignal::new(SyncStatus { connection: Connection::NotConfigured, pending: 0, last_synced }),
            problem: RwSignal::new(None),
            device_tag: StoredValue::new(device_tag),
            blob_revision: RwSignal::new(0),
            just_deleted: RwSignal::new(None),
            notice: RwSignal::new(None),
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
    }

    pub fn set_last_synced(&self, ms: i64) {
        self.sync.update(|s| s.last_synced = Some(ms));
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
