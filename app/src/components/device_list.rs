//! Settings' list of the salon's devices, for the owner's and managers' devices: each with its
//! name, role, when it was paired and last connected, and a two-step "remove" for the devices
//! this one's role manages. A removed device is cut off by the relay at once.

use domain::wire::ClientMsg;
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::{Connection, use_app};

#[component]
pub fn DeviceList() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let online = Memo::new(move |_| state.sync.with(|s| s.connection == Connection::Online));
    // Asked for on every connection: the list is the relay's, not this device's.
    Effect::new(move |_| {
        if online.get() {
            state.manage(ClientMsg::ListDevices);
        }
    });
    let confirming = RwSignal::new(None::<u64>);
    let me = move || state.devices.with(|d| d.me);
    let label = |ms: u64| browser::local_time_label(i64::try_from(ms).unwrap_or(i64::MAX));
    view! {
        <div class="settings-block" data-test="devices">
            <h2>{move || i18n.t().ui(Ui::DevicesTitle)}</h2>
            {move || match state.devices.with(|d| d.list.clone()) {
                None => view! { <p class="field-hint">{move || i18n.t().ui(Ui::DevicesNone)}</p> }.into_any(),
                Some(list) => view! {
                    <ul class="device-list">
                        {list.into_iter().map(|device| {
                            let id = device.id;
                            let this = me().is_some_and(|(mine, _)| mine == id);
                            let removable = !this && me().is_some_and(|(_, role)| role.manages(device.role));
                            let name = if device.name.is_empty() { None } else { Some(device.name.clone()) };
                            let paired = label(device.paired_at_ms);
                            let seen = label(device.last_seen_ms);
                            view! {
                                <li class="device-row" data-test="device-row">
                                    <div class="device-what">
                                        <strong data-test="device-name">{move || name.clone().unwrap_or_else(|| i18n.t().ui(Ui::DeviceUnnamed).to_owned())}</strong>
                                        " · "
                                        <span data-test="device-role">{move || i18n.t().role(device.role)}</span>
                                        {this.then(|| view! { <span class="device-this" data-test="device-this">{move || i18n.t().ui(Ui::DeviceThis)}</span> })}
                                        <div class="field-hint">
                                            {move || format!("{} {paired} · {} {seen}", i18n.t().ui(Ui::DevicePaired), i18n.t().ui(Ui::DeviceSeen))}
                                        </div>
                                    </div>
                                    {removable.then(|| view! {
                                        <div class="device-actions">
                                            {move || if confirming.get() == Some(id) {
                                                view! {
                                                    <button type="button" class="button button-danger" data-test="device-remove-confirm"
                                                        on:click=move |_| { confirming.set(None); state.manage(ClientMsg::Revoke { device: id, rotation: None }); }>
                                                        {move || i18n.t().ui(Ui::DeviceRemoveConfirm)}
                                                    </button>
                                                    <button type="button" class="button button-secondary" on:click=move |_| confirming.set(None)>
                                                        {move || i18n.t().ui(Ui::Cancel)}
                                                    </button>
                                                }.into_any()
                                            } else {
                                                view! {
                                                    <button type="button" class="button button-secondary" data-test="device-remove"
                                                        on:click=move |_| confirming.set(Some(id))>
                                                        {move || i18n.t().ui(Ui::DeviceRemove)}
                                                    </button>
                                                }.into_any()
                                            }}
                                        </div>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <p class="field-hint">{move || i18n.t().ui(Ui::DeviceRemoveHelp)}</p>
                }.into_any(),
            }}
        </div>
    }
}
