//! `/customers/:id`: one customer's file, allergies first.

use domain::customer::{Birthday, Customer};
use domain::ids::CustomerId;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::components::health_alert::HealthAlert;
use crate::i18n::use_i18n;
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn CustomerDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let params = use_params_map();
    let customer = LocalResource::new(move || {
        state.revision.track();
        let id = params.with(|p| p.get("id")).and_then(|raw| CustomerId::parse(&raw).ok());
        let store = state.store();
        async move {
            let Some(id) = id else { return Ok(None) };
            let doc = store.customer_doc(&id).await?;
            Ok::<_, crate::error::AppError>(doc.and_then(|doc| doc.customer().ok()))
        }
    });
    view! {
        // Reading from this device takes milliseconds: no fallback spinner, and the previous
        // content stays while a sync refresh re-reads it.
        <Transition fallback=|| ()>
            {move || customer.get().map(|result| match result {
                Ok(Some(customer)) => view! { <CustomerFile customer/> }.into_any(),
                Ok(None) => view! { <p class="empty-state" data-test="not-found">{move || i18n.t().detail_not_found}</p> }.into_any(),
                Err(error) => {
                    state.report(error);
                    ().into_any()
                }
            })}
        </Transition>
    }
}

#[component]
fn CustomerFile(customer: Customer) -> impl IntoView {
    let i18n = use_i18n();
    let profile = customer.profile.clone();
    let edit_href = format!("/customers/{}/edit", customer.id);
    let alert = profile.has_health_alert().then(|| view! { <HealthAlert allergies=profile.allergies.clone()/> });
    let today = browser::today();
    let created = browser::local_date(customer.created_at).to_string();
    let (gender, source) = (profile.gender, profile.source);
    let phone = profile.phone.as_ref().map(|p| p.display());
    let birthday = profile.birthday;
    let beautician = profile.beautician.clone();
    let notes = profile.notes.clone();
    let or_none = move |value: Option<String>| {
        value.filter(|v| !v.is_empty()).unwrap_or_else(|| i18n.t().not_recorded.to_owned())
    };
    view! {
        <article class="customer-file" data-test="customer-file">
            <header class="file-header">
                <div>
                    <h1 data-test="file-name">{profile.name.as_str().to_owned()}</h1>
                    <p class="file-number">{customer.number.to_string()}</p>
                </div>
                <div class="file-actions">
                    <A href="/" attr:class="button button-secondary">{move || i18n.t().detail_back}</A>
                    <A href=edit_href attr:class="button button-primary" attr:data-test="edit">{move || i18n.t().detail_edit}</A>
                </div>
            </header>
            {alert}
            <dl class="file-facts">
                <div class="fact-phone"><dt>{move || i18n.t().field_phone}</dt><dd data-test="file-phone">{
                    let phone = phone.clone();
                    move || or_none(phone.clone())
                }</dd></div>
                <div><dt>{move || i18n.t().field_gender}</dt><dd>{move || i18n.t().gender(gender)}</dd></div>
                <div><dt>{move || i18n.t().field_birthday}</dt><dd>{move || match birthday {
                    Some(b) => format!("{} · {}", Birthday::to_iso(b), (i18n.t().age)(b.age_on(today))),
                    None => i18n.t().not_recorded.to_owned(),
                }}</dd></div>
                <div><dt>{move || i18n.t().field_source}</dt><dd>{move || i18n.t().source(source)}</dd></div>
                <div><dt>{move || i18n.t().field_beautician}</dt><dd>{
                    let beautician = beautician.clone();
                    move || or_none(Some(beautician.clone()))
                }</dd></div>
                <div><dt>{move || i18n.t().field_created}</dt><dd>{created}</dd></div>
                <div class="fact-wide"><dt>{move || i18n.t().field_allergies}</dt><dd>{
                    let allergies = profile.allergies.clone();
                    move || if allergies.is_empty() { i18n.t().no_known_allergy.to_owned() } else { allergies.clone() }
                }</dd></div>
            </dl>
            <section class="file-notes">
                <h2>{move || i18n.t().field_notes}</h2>
                <p class="notes-text" data-test="file-notes">{move || or_none(Some(notes.clone()))}</p>
            </section>
        </article>
    }
}
