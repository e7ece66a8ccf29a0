//! A labelled form field with its hint and its error message, wired for screen readers.

use domain::customer::Field;
use leptos::prelude::*;

use crate::i18n::use_i18n;

/// The DOM id of a field's input, shared by the label, the input and the error message.
pub fn input_id(field: Field) -> String {
    format!("field-{}", field.key().replace('_', "-"))
}

#[component]
pub fn FormField(
    field: Field,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] wide: bool,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = input_id(field);
    let class = move || {
        let mut class = String::from("form-field");
        if wide {
            class.push_str(" form-field-wide");
        }
        if error.with(Option::is_some) {
            class.push_str(" has-error");
        }
        class
    };
    view! {
        <div class=class>
            <label for=id.clone()>{move || i18n.t().field_label(field)}</label>
            {children()}
            {move || i18n.t().field_hint(field).map(|hint| view! { <p class="field-hint">{hint}</p> })}
            <p class="field-error" id=format!("{id}-error") data-test=format!("{id}-error") aria-live="polite">
                {move || error.get()}
            </p>
        </div>
    }
}
