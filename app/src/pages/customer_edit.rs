//! `/customers/:id/edit`: edit a customer file. Saves only what was changed in the form,
//! merged with whatever arrived from other devices meanwhile.

use domain::customer::{ConsentEvent, CustomerForm, EntryId, Profile, Purpose, Version};
use domain::ids::CustomerId;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::components::customer_form::{CustomerFormView, Filled};
use crate::i18n::use_i18n;
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn CustomerEditPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).and_then(|raw| CustomerId::parse(&raw).ok());
    // Read once when the page opens (not on every sync): the form is a snapshot the user
    // edits, and its version lets the save keep edits that arrive meanwhile.
    let loaded = LocalResource::new(move || {
        let id = id();
        let store = state.store();
        async move {
            let id = id?;
            let doc = store.customer_doc(&id).await.ok().flatten()?;
            let customer = doc.customer().ok()?;
            let consented = doc.consents().allows(Purpose::Health);
            Some((id, doc.version(), customer.profile, consented))
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || loaded.get().map(|found| match found {
                Some((id, version, profile, consented)) => view! { <EditForm id version profile consented/> }.into_any(),
                None => view! { <p class="empty-state">{move || i18n.t().detail_not_found}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(id: CustomerId, version: Version, profile: Profile, consented: bool) -> impl IntoView {
    let state = use_app();
    let navigate = use_navigate();
    let href = format!("/customers/{id}");
    let editing = id.as_str().to_owned();
    let save = Action::new_local({
        let href = href.clone();
        move |filled: &Filled| {
            let (id, version, filled, href, navigate) =
                (id.clone(), version.clone(), filled.clone(), href.clone(), navigate.clone());
            async move {
                let now = browser::now();
                let consent = match &filled.health_consent_by {
                    Some(by) => match ConsentEvent::new(
                        EntryId::from_random(browser::random_16()),
                        Purpose::Health,
                        true,
                        by,
                        now,
                    ) {
                        Ok(event) => Some(event),
                        Err(_) => return,
                    },
                    None => None,
                };
                if let Some(event) = &consent {
                    browser::save_consent_by(&event.by);
                }
                let edit = |doc: &mut domain::customer::CustomerDoc, device| {
                    let mut changes = match &consent {
                        Some(event) => doc.record_consent(device, event, now)?,
                        None => Vec::new(),
                    };
                    changes.extend(doc.update_profile(device, &version, &filled.profile, now)?);
                    Ok(changes)
                };
                if state.edit_customer(&id, edit).await {
                    navigate(&href, Default::default());
                }
            }
        }
    });
    view! {
        <CustomerFormView
            initial=CustomerForm::from_profile(&profile, &|id| state.number_of(id.as_str()))
            title=|t| t.form_edit_title
            saving=save.pending()
            on_valid=move |profile| { save.dispatch(profile); }
            cancel_href=href
            editing=editing
            before=profile.clone()
            consented
        />
    }
}
