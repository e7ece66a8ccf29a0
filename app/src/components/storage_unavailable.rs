//! Shown instead of the app when IndexedDB cannot be opened at all.

use leptos::prelude::*;

use crate::i18n::Locale;

#[component]
pub fn StorageUnavailable(locale: Locale) -> impl IntoView {
    view! {
        <main class="page">
            <p class="problem" role="alert">{locale.texts().storage_unavailable}</p>
        </main>
    }
}
