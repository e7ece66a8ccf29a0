//! Sync status at a glance: connected or not, changes waiting to upload, still receiving, or
//! the last time it was up to date.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::io::browser;
use crate::state::{Connection, use_app};

#[component]
pub fn SyncBadge() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let status = state.sync;
    let class = move || {
        let kind = match status.with(|s| s.connection) {
            Connection::Online => "online",
            Connection::Connecting => "connecting",
            Connection::Offline => "offline",
            Connection::NotConfigured => "local",
            Connection::Refused(_) | Connection::NeedsInvite | Connection::WrongKey => "refused",
        };
        format!("sync-badge sync-{kind}")
    };
    let label = move || {
        let t = i18n.t();
        match status.with(|s| s.connection) {
            Connection::Online => t.sync_online,
            Connection::Connecting => t.sync_connecting,
            Connection::Offline => t.sync_offline,
            Connection::NotConfigured => t.sync_not_configured,
            Connection::Refused(code) => t.refusal_short(code),
            Connection::NeedsInvite => t.sync_needs_invite,
            Connection::WrongKey => t.sync_wrong_key,
        }
    };
    let detail = move || {
        let t = i18n.t();
        let (pending, last, receiving, unreadable) =
            status.with(|s| (s.pending, s.last_synced, s.receiving, s.unreadable));
        if unreadable > 0 {
            (t.sync_unreadable)(unreadable)
        } else if pending > 0 {
            (t.sync_pending)(pending)
        } else if receiving {
            // "Last synced" would claim the device is up to date while it is still reading.
            t.sync_receiving.to_owned()
        } else {
            match last {
                Some(ms) => (t.sync_last)(&browser::local_time_label(ms)),
                None => t.sync_never.to_owned(),
            }
        }
    };
    // What needs someone's attention (changes not uploaded yet, changes that can't be read)
    // stays visible on a phone, where the rest of the detail is hidden for room.
    let detail_class = move || {
        if status.with(|s| s.unreadable > 0 || s.pending > 0) { "sync-detail sync-detail-warn" } else { "sync-detail" }
    };
    view! {
        <a href="/settings" class=class data-test="sync-badge" aria-live="polite"
            title=move || match status.with(|s| s.connection) {
                Connection::Refused(code) => Some(i18n.t().refusal(code)),
                _ => None,
            }>
            <span class="sync-dot" aria-hidden="true"></span>
            <span class="sync-label" data-test="sync-state">{label}</span>
            <span class=detail_class data-test="sync-detail">{detail}</span>
        </a>
    }
}
