//! `/customers/new`: open a new customer file.

use domain::customer::{ConsentEvent, CustomerForm, EntryId, Purpose};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::customer_form::{CustomerFormView, Filled};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn CustomerNewPage() -> impl IntoView {
    let state = use_app();
    let navigate = use_navigate();
    let save = Action::new_local(move |filled: &Filled| {
        let filled = filled.clone();
        let navigate = navigate.clone();
        async move {
            let now = browser::now();
            let consents: Vec<ConsentEvent> = filled
                .health_consent_by
                .iter()
                .filter_map(|by| {
                    ConsentEvent::new(EntryId::from_random(browser::random_16()), Purpose::Health, true, by, now).ok()
                })
                .collect();
            if let Some(event) = consents.first() {
                browser::save_consent_by(&event.by);
            }
            let created = state
                .store()
                .create_customer(browser::new_customer_id(), filled.profile, consents, now, browser::today())
                .await;
            match created {
                Ok(summary) => {
                    let href = format!("/customers/{}", summary.id);
                    state.saved_locally(summary);
                    navigate(&href, Default::default());
                }
                Err(error) => state.report(error),
            }
        }
    });
    view! {
        <CustomerFormView
            initial=CustomerForm::default()
            title=|t| t.form_new_title
            saving=save.pending()
            on_valid=move |profile| { save.dispatch(profile); }
            cancel_href="/customers"
        />
    }
}
