//! `/customers/new`: open a new customer file.

use domain::customer::{CustomerForm, Profile};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::customer_form::CustomerFormView;
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn CustomerNewPage() -> impl IntoView {
    let state = use_app();
    let navigate = use_navigate();
    let save = Action::new_local(move |profile: &Profile| {
        let profile = profile.clone();
        let navigate = navigate.clone();
        async move {
            let created = state
                .store()
                .create_customer(browser::new_customer_id(), profile, browser::now(), browser::today())
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
