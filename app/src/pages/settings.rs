//! `/settings`: language, the salon this device syncs with (and its name, which messages to
//! customers are signed with), inviting another device, who uses this device (a beautician picks her own name, so her
//! home is her worklist), and this device's code.

use domain::customer::beauticians;
use domain::salon::SalonName;
use leptos::prelude::*;

use crate::components::device_list::DeviceList;
use crate::components::invite_device::InviteDevice;
use crate::components::storage_use::StorageUse;
use crate::i18n::{Locale, Ui, use_i18n};
use crate::io::browser::{self, Role};
use crate::state::use_app;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let salon = LocalResource::new(move || {
        state.sync.with(|s| s.connection);
        state.join.track();
        let store = state.store();
        async move { store.relay_config().await.ok().flatten().map(|c| c.salon.to_string()) }
    });
    let code = RwSignal::new(String::new());
    let join = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let raw = code.get_untracked();
        leptos::task::spawn_local(async move { state.offer_join(&raw).await });
    };
    let choose = move |locale: Locale| {
        i18n.locale.set(locale);
        browser::save_locale(locale);
    };

    let name = RwSignal::new(state.salon_name.get_untracked().unwrap_or_default());
    let name_problem = RwSignal::new(None::<domain::FieldProblem>);
    let name_saved = RwSignal::new(false);
    let save_name = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match SalonName::parse(&name.get_untracked()) {
            Ok(parsed) => {
                name_problem.set(None);
                leptos::task::spawn_local(async move {
                    name_saved.set(state.save_salon_name(parsed).await);
                });
            }
            Err(problem) => name_problem.set(Some(problem)),
        }
    };

    let role = RwSignal::new(browser::saved_role());
    let me = RwSignal::new(browser::saved_beautician());
    let names = move || state.customers.with(|all| beauticians(all));

    view! {
        <section class="settings-page">
            <h1>{move || i18n.t().settings_title}</h1>
            // Why the relay refuses this device, in full (the badge has room for a word).
            {move || match state.sync.with(|s| s.connection) {
                crate::state::Connection::Refused(code) => Some(view! {
                    <p class="problem-bar" role="alert" data-test="sync-refused">{i18n.t().refusal(code)}</p>
                }),
                _ => None,
            }}

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
                <form class="join-form" on:submit=join>
                    <label for="join-code">{move || i18n.t().settings_join_code}</label>
                    <div class="join-row">
                        <input id="join-code" type="text" autocomplete="off" data-test="join-code"
                            prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
                        <button type="submit" class="button button-primary" data-test="join">{move || i18n.t().settings_join_button}</button>
                    </div>
                    <p class="field-hint">{move || i18n.t().settings_join_help}</p>
                </form>
            </div>

            // Inviting and removing devices go by the role the device was paired with.
            <InviteDevice/>
            <Show when=move || state.devices.with(|d| d.me.is_some_and(|(_, role)| role.is_management()))>
                <DeviceList/>
            </Show>
            <StorageUse/>

            <div class="settings-block">
                <h2>{move || i18n.t().ui(Ui::SalonNameTitle)}</h2>
                <form class="join-form" on:submit=save_name>
                    <div class="join-row">
                        <input id="salon-display-name" type="text" autocomplete="off" maxlength="30" data-test="salon-display-name"
                            aria-label=move || i18n.t().ui(Ui::SalonNameTitle)
                            prop:value=move || name.get() on:input=move |ev| { name.set(event_target_value(&ev)); name_saved.set(false); }/>
                        <button type="submit" class="button button-primary" data-test="save-salon-name">{move || i18n.t().ui(Ui::Save)}</button>
                    </div>
                    <p class="field-hint">{move || i18n.t().ui(Ui::SalonNameHelp)}</p>
                    <p class="field-error" role="status">{move || name_problem.get().map(|p| i18n.t().problem(&p))}</p>
                    <p class="field-ok" role="status" data-test="salon-name-saved">{move || name_saved.get().then(|| i18n.t().ui(Ui::Saved))}</p>
                </form>
            </div>

            <div class="settings-block">
                <h2>{move || i18n.t().ui(Ui::Role)}</h2>
                <select class="class-filter" data-test="role" on:change=move |ev| {
                    let chosen = Role::parse(&event_target_value(&ev));
                    browser::save_role(chosen);
                    role.set(chosen);
                }>
                    {Role::ALL.into_iter().map(|r| view! {
                        <option value=r.key() selected=move || role.get() == r>{move || i18n.t().role(r)}</option>
                    }).collect_view()}
                </select>
                <p class="field-hint">{move || i18n.t().ui(Ui::RoleHelp)}</p>
                <Show when=move || role.get() == Role::Beautician>
                    <div class="form-field">
                        <label for="device-beautician">{move || i18n.t().ui(Ui::WhichBeautician)}</label>
                        <input id="device-beautician" type="text" list="device-beautician-names" autocomplete="off" data-test="device-beautician"
                            prop:value=move || me.get()
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                browser::save_beautician(value.trim());
                                me.set(value);
                            }/>
                        <datalist id="device-beautician-names">
                            {move || names().into_iter().map(|n| view! { <option value=n/> }).collect_view()}
                        </datalist>
                        <p class="field-hint">{move || i18n.t().ui(Ui::WhichBeauticianHelp)}</p>
                    </div>
                </Show>
            </div>

            <div class="settings-block">
                <h2>{move || i18n.t().settings_device}</h2>
                <p class="device-tag" data-test="device-tag">{state.device_tag.get_value()}</p>
                <p class="field-hint">{move || i18n.t().settings_device_help}</p>
            </div>
        </section>
    }
}
