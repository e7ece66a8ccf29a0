//! Settings' "invite a device": the link that carries the salon, a token and the salon key to a
//! new device (the key never goes through the relay), and what a device without the key must do.

use domain::join::JoinCode;
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::{Connection, use_app};

#[component]
pub fn InviteDevice() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let invite = LocalResource::new(move || {
        state.sync.with(|s| s.connection);
        state.join.track();
        let store = state.store();
        async move {
            let config = store.relay_config().await.ok().flatten()?;
            let key = config.key()?;
            let code = JoinCode { salon: config.salon, token: config.token, key: Some(key) };
            Some(format!("{}/#join={}", browser::origin()?, code.to_text()))
        }
    });
    let copied = RwSignal::new(false);
    let connection = move || state.sync.with(|s| s.connection);
    view! {
        <div class="settings-block" data-test="invite">
            <h2>{move || i18n.t().ui(Ui::InviteTitle)}</h2>
            {move || match connection() {
                Connection::NeedsInvite => Some(view! {
                    <p class="field-error" role="status" data-test="needs-invite">{i18n.t().ui(Ui::NeedsInviteHelp)}</p>
                }),
                Connection::WrongKey => Some(view! {
                    <p class="field-error" role="status" data-test="wrong-key">{i18n.t().ui(Ui::WrongKeyHelp)}</p>
                }),
                _ => None,
            }}
            {move || match invite.get().flatten() {
                Some(link) => view! {
                    <div class="invite">
                        <input type="text" readonly class="invite-link" data-test="invite-link"
                            aria-label=move || i18n.t().ui(Ui::InviteTitle) prop:value=link.clone()/>
                        <button type="button" class="button" data-test="invite-copy"
                            on:click=move |_| { browser::copy_text(&link); copied.set(true); }>
                            {move || if copied.get() { i18n.t().ui(Ui::InviteCopied) } else { i18n.t().ui(Ui::InviteCopy) }}
                        </button>
                        <p class="field-hint">{move || i18n.t().ui(Ui::InviteHelp)}</p>
                        <p class="field-hint">{move || i18n.t().ui(Ui::EncryptedNote)}</p>
                    </div>
                }.into_any(),
                // A device that needs an invite was told so above.
                None if matches!(connection(), Connection::NeedsInvite | Connection::WrongKey) => ().into_any(),
                None => view! { <p class="field-hint">{move || i18n.t().ui(Ui::InviteNone)}</p> }.into_any(),
            }}
        </div>
    }
}
