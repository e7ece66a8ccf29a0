//! Any unknown route.

use leptos::prelude::*;

use crate::i18n::use_i18n;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="empty-state">{move || i18n.t().not_found}</p> }
}
