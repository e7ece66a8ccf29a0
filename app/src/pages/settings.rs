//! `/settings`: language, this device's code, and the salon this device syncs with.

use domain::join::JoinCode;
use leptos::prelude::*;

use crate::i18n::{Locale, Ui, use_i18n};
use crate::io::browser::{self, Role};
use crate::io::relay::SyncEvent;
use crate::io::store::RelayConfig;
use crate::state::use_app;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let salon = LocalResource::new(move || {
        state.sync.with(|s| s.connection);
        let store = state.store();
        async move { store.relay_config().await.ok().flatten().map(|c| c.salon.to_string()) }
    });
    let code = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Result<String, ()>>);
    let join = Action::new_local(move |raw: &String| {
        let raw = raw.clone();
        async move {
            let Some(code) = JoinCode::parse(&raw) else {
                message.set(Some(Err(())));
                return;
            };
            let salon = code.salon.to_string();
            let config = RelayConfig { salon: code.salon, token: code.token };
            match state.store().set_relay_config(&config).await {
                Ok(()) => {
                    message.set(Some(Ok(salon)));
                    state.nudge(SyncEvent::ConfigChanged);
                }
                Err(error) => state.report(error),
            }
        }
    });
    let choose = move |locale: Locale| {
        i18n.locale.set(locale);
        browser::save_locale(locale);
    };
    view! {
        <section class="settings-page">
            <h1>{move || i18n.t().settings_title}</h1>

            <div class="settings-block">
                <h2>{move || i18n.t().settings_language}</h2>
                <div class="segmented" role="group">
                    {Locale::ALL.into_iter().map(|locale| view! {
                        <button type="button" class="segment" data-test=format!("lang-{}", locale.code())
                            aria-pressed=move || (i18n.locale.get() == locale).to_string()
                            on:click=move |_| choose(locale)>
                            {locale.native_name()}
                        </button>
                    }).collect_view()}
                </div>
            </div>

            <div class="settings-block">
                <h2>{move || i18n.t().settings_salon}</h2>
                <p data-test="salon-name">{move || match salon.get().flatten() {
                    Some(salon) => salon,
                    None => i18n.t().settings_salon_none.to_owned(),
                }}</p>
                <form class="join-form" on:submit=move |ev| { ev.prevent_default(); join.dispatch(code.get_untracked()); }>
                    <label for="join-code">{move || i18n.t().settings_join_code}</label>
                    <div class="join-row">
                        <input id="join-code" type="text" autocomplete="off" data-test="join-code"
                            prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                        <button type="submit" class="button button-primary" data-test="join">{move || i18n.t().settings_join_button}</button>
                    </div>
                    <p class="field-hint">{move || i18n.t().settings_join_help}</p>
                    <p class="field-error" role="status">{move || match message.get() {
                        Some(Err(())) => Some(i18n.t().settings_join_bad.to_owned()),
                        _ => None,
                    }}</p>
                    <p class="field-ok" role="status">{move || match message.get() {
                        Some(Ok(salon)) => Some((i18n.t().settings_join_done)(&salon)),
                        _ => None,
                    }}</p>
                </form>
            </div>

            <div class="settings-block">
                <h2>{move || i18n.t().ui(Ui::Role)}</h2>
                <select class="class-filter" data-test="role" on:change=move |ev| {
                    let key = event_target_value(&ev);
                    if let Some(role) = Role::ALL.into_iter().find(|r| r.key() == key) {
                        browser::save_role(role);
                    }
                }>
                    {Role::ALL.into_iter().map(|role| view! {
                        <option value=role.key() selected=browser::saved_role() == role>{move || i18n.t().role(role)}</option>
                    }).collect_view()}
                </select>
                <p class="field-hint">{move || i18n.t().ui(Ui::RoleHelp)}</p>
            </div>

            <div class="settings-block">
                <h2>{move || i18n.t().settings_device}</h2>
                <p class="device-tag" data-test="device-tag">{state.device_tag.get_value()}</p>
                <p class="field-hint">{move || i18n.t().settings_device_help}</p>
            </div>
        </section>
    }
}
