//! Settings' "invite a device": the owner's or a manager's device makes a single-use invite
//! (valid ten minutes) for a role and a device name. The relay records only the invite's hash;
//! the link and its QR code carry the salon, the invite and the salon key to the new device, so
//! the key never passes through the relay. Beside them, a short pairing code to type
//! (`pair_code.rs`) hands over the same invite. A device without the key is told what to do.

use domain::blob::BlobHash;
use domain::join::{JoinCode, secret_text};
use domain::staff::Role;
use domain::wire::{ClientMsg, limits};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::components::pair_code::PairCode;
use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::{Connection, use_app};

/// The QR code of `text` as an SVG (dark modules as one path, with the standard quiet zone).
fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let mut path = String::new();
    for (i, color) in code.to_colors().into_iter().enumerate() {
        if color == qrcode::Color::Dark {
            path.push_str(&format!("M{} {}h1v1h-1z", i % width + 4, i / width + 4));
        }
    }
    let size = width + 8;
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges" role="img"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

#[component]
pub fn InviteDevice() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let config = LocalResource::new(move || {
        state.sync.with(|s| s.connection);
        state.join.track();
        let store = state.store();
        async move { store.relay_config().await.ok().flatten() }
    });
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Beautician);
    // The invite made here: its text and hash, until the relay has recorded it.
    let made = RwSignal::new(None::<(String, [u8; 32])>);
    let copied = RwSignal::new(false);
    let connection = move || state.sync.with(|s| s.connection);
    let my_role = move || state.devices.with(|d| d.me.map(|(_, role)| role));
    let roles = move || my_role().map(Role::invites).unwrap_or_default();
    let has_key = move || config.get().flatten().is_some_and(|c| c.key().is_some());
    let make = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(bytes) = browser::secret_bytes::<32>() else { return };
        let invite = secret_text(bytes);
        let hash = *BlobHash::of(invite.as_bytes()).as_bytes();
        let mut device_name = name.get_untracked().trim().to_owned();
        while device_name.len() > limits::MAX_DEVICE_NAME_BYTES {
            device_name.pop();
        }
        state.manage(ClientMsg::Invite { hash, role: role.get_untracked(), name: device_name });
        copied.set(false);
        made.set(Some((invite, hash)));
    };
    // The link once the relay has recorded the invite, with when it expires (a memo: news
    // of other devices leaves it, and the pairing code carrying it, as they are).
    let ready = Memo::new(move |_| {
        let (invite, hash) = made.get()?;
        let expires = state.devices.with(|d| d.invites.iter().find(|(h, _)| *h == hash).map(|(_, at)| *at))?;
        let config = config.get().flatten()?;
        let code = JoinCode { salon: config.salon.clone(), token: invite, key: Some(config.key()?) };
        Some((format!("{}/#join={}", browser::origin()?, code.to_text()), expires))
    });
    view! {
        <div class="settings-block" data-test="invite">
            <h2>{move || i18n.t().ui(Ui::InviteTitle)}</h2>
            {move || match connection() {
                Connection::NeedsInvite => Some(view! {
                    <p class="field-error" role="status" data-test="needs-invite">{i18n.t().ui(Ui::NeedsInviteHelp)}</p>
                }.into_any()),
                Connection::WrongKey => Some(view! {
                    <p class="field-error" role="status" data-test="wrong-key">{i18n.t().ui(Ui::WrongKeyHelp)}</p>
                }.into_any()),
                // Refused (an invite used up, this device removed): the page says why at its top.
                _ => None,
            }}
            {move || {
                let keyless = matches!(connection(), Connection::NeedsInvite | Connection::WrongKey);
                if keyless {
                    ().into_any()
                } else if !has_key() {
                    view! { <p class="field-hint">{move || i18n.t().ui(Ui::InviteNone)}</p> }.into_any()
                } else if roles().is_empty() {
                    view! { <p class="field-hint" data-test="invite-not-allowed">{move || i18n.t().ui(Ui::InviteNotAllowed)}</p> }.into_any()
                } else if connection() != Connection::Online {
                    view! { <p class="field-hint" data-test="invite-offline">{move || i18n.t().ui(Ui::InviteOffline)}</p> }.into_any()
                } else {
                    view! {
                        <form class="invite-form" on:submit=make>
                            <div class="form-field">
                                <label for="invite-name">{move || i18n.t().ui(Ui::InviteName)}</label>
                                <input id="invite-name" type="text" autocomplete="off" maxlength="30" data-test="invite-name"
                                    placeholder=move || i18n.t().ui(Ui::InviteNamePlaceholder)
                                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                            </div>
                            <div class="form-field">
                                <label for="invite-role">{move || i18n.t().ui(Ui::InviteRole)}</label>
                                <select id="invite-role" class="class-filter" data-test="invite-role"
                                    on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)))>
                                    {move || roles().into_iter().map(|r| view! {
                                        <option value=r.key() selected=move || role.get() == r>{move || i18n.t().role(r)}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <button type="submit" class="button button-primary" data-test="invite-make">
                                {move || i18n.t().ui(Ui::InviteMake)}
                            </button>
                        </form>
                    }.into_any()
                }
            }}
            {move || match (made.get(), ready.get()) {
                (_, Some((link, expires))) => {
                    let qr = qr_svg(&link).unwrap_or_default();
                    let until = browser::local_time_label(i64::try_from(expires).unwrap_or(i64::MAX));
                    view! {
                        <div class="invite">
                            <div class="invite-qr" data-test="invite-qr" inner_html=qr></div>
                            <div class="invite-text">
                                <p class="field-hint">{move || i18n.t().ui(Ui::InviteScan)}</p>
                                <input type="text" readonly class="invite-link" data-test="invite-link"
                                    aria-label=move || i18n.t().ui(Ui::InviteTitle) prop:value=link.clone()/>
                                <button type="button" class="button" data-test="invite-copy"
                                    on:click=move |_| { browser::copy_text(&link); copied.set(true); }>
                                    {move || if copied.get() { i18n.t().ui(Ui::InviteCopied) } else { i18n.t().ui(Ui::InviteCopy) }}
                                </button>
                                <p class="field-ok" data-test="invite-expiry">
                                    {move || format!("{} {until}", i18n.t().ui(Ui::InviteValidUntil))}
                                </p>
                                <p class="field-hint">{move || i18n.t().ui(Ui::InviteHelp)}</p>
                                <p class="field-hint">{move || i18n.t().ui(Ui::EncryptedNote)}</p>
                            </div>
                        </div>
                    }.into_any()
                }
                (Some(_), None) => view! {
                    <p class="field-hint" role="status" data-test="invite-waiting">{move || i18n.t().ui(Ui::InviteWaiting)}</p>
                }.into_any(),
                (None, None) => ().into_any(),
            }}
            <PairCode invite=ready.into()/>
        </div>
    }
}
