//! A labelled field of the visit, card and money forms, with its error message.

use domain::FieldErrors;
use domain::customer::EntryField;
use leptos::prelude::*;

use crate::i18n::use_i18n;

pub fn entry_input_id(field: EntryField) -> String {
    format!("entry-{}", format!("{field:?}").to_lowercase())
}

#[component]
pub fn EntryFieldView(
    field: EntryField,
    errors: RwSignal<FieldErrors<EntryField>>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = entry_input_id(field);
    let error = move || errors.with(|e| e.get(field).map(|p| i18n.t().field_problem(i18n.t().entry_field(field), p)));
    view! {
        <div class=move || if error().is_some() { "form-field has-error" } else { "form-field" }>
            <label for=id.clone()>{move || i18n.t().entry_field(field)}</label>
            {children()}
            <p class="field-error" data-test=format!("{id}-error") aria-live="polite">{error}</p>
        </div>
    }
}
