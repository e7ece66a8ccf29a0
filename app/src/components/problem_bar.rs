//! A dismissible bar for storage failures: the user must know a change was not saved.

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::{Ui, use_i18n};
use crate::state::use_app;

#[component]
pub fn ProblemBar() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let message = move || {
        state.problem.with(|p| {
            p.as_ref().map(|error| match error {
                AppError::Storage(detail) => (i18n.t().storage_error)(detail),
                AppError::Full => i18n.t().ui(Ui::StorageFull).to_owned(),
                AppError::Unsent(n) => (i18n.t().wipe_unsent)(*n),
                AppError::Domain(domain::DomainError::NoConsent(purpose)) => i18n
                    .t()
                    .ui(match purpose {
                        domain::customer::Purpose::Health => Ui::NoConsentHealth,
                        domain::customer::Purpose::Photos => Ui::NoConsentPhotos,
                        domain::customer::Purpose::Marketing => Ui::NoConsentMarketing,
                    })
                    .to_owned(),
                AppError::Domain(error) => (i18n.t().storage_error)(&error.to_string()),
            })
        })
    };
    view! {
        <Show when=move || state.problem.with(Option::is_some)>
            <div class="problem-bar" role="alert" data-test="problem-bar">
                <span>{message}</span>
                <button type="button" class="icon-button" aria-label="×" on:click=move |_| state.problem.set(None)>
                    "×"
                </button>
            </div>
        </Show>
    }
}
