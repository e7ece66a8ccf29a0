//! The owner's form to put a customer in a class by hand: the class, a reason (required) and
//! an optional last day. The computed class stays visible on the file beside it.

use domain::classify::overrides::{Dimension, OverrideField, OverrideForm};
use domain::ids::CustomerId;
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn OverrideEditor(id: CustomerId, dimension: Dimension, #[prop(into)] on_done: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let first = dimension.classes()[0].key().to_owned();
    let form = RwSignal::new(OverrideForm { class: first, ..OverrideForm::default() });
    let errors = RwSignal::new(None);
    let saving = RwSignal::new(false);
    let error_of = move |field: OverrideField| {
        errors.with(|e: &Option<domain::FieldErrors<OverrideField>>| {
            e.as_ref().and_then(|e| e.get(field)).map(|p| i18n.t().problem(p))
        })
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match form.get_untracked().validate(dimension, browser::today()) {
            Ok(set) => {
                errors.set(None);
                saving.set(true);
                let id = id.clone();
                leptos::task::spawn_local(async move {
                    let saved = state.set_override(&id, dimension, Some(set)).await;
                    saving.set(false);
                    if saved {
                        on_done.run(());
                    }
                });
            }
            Err(problems) => errors.set(Some(problems)),
        }
    };
    let key = dimension.key();
    view! {
        <form class="override-editor" data-test=format!("override-form-{key}") on:submit=save novalidate=true>
            <label class="form-field">
                <span>{move || i18n.t().ui(Ui::OverrideClass)}</span>
                <select data-test="override-class" on:change=move |ev| form.update(|f| f.class = event_target_value(&ev))>
                    {dimension.classes().into_iter().map(|class| view! {
                        <option value=class.key()>{move || i18n.t().class(class)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class=move || if error_of(OverrideField::Reason).is_some() { "form-field has-error" } else { "form-field" }>
                <span>{move || i18n.t().ui(Ui::OverrideReason)}</span>
                <input type="text" data-test="override-reason" maxlength="200"
                    prop:value=move || form.with(|f| f.reason.clone())
                    on:input=move |ev| form.update(|f| f.reason = event_target_value(&ev))/>
                <span class="field-error" data-test="override-reason-error">{move || error_of(OverrideField::Reason)}</span>
            </label>
            <label class=move || if error_of(OverrideField::Until).is_some() { "form-field has-error" } else { "form-field" }>
                <span>{move || i18n.t().ui(Ui::OverrideUntil)}</span>
                <input type="date" data-test="override-until"
                    prop:value=move || form.with(|f| f.until.clone())
                    on:input=move |ev| form.update(|f| f.until = event_target_value(&ev))/>
                <span class="field-error">{move || error_of(OverrideField::Until)}</span>
            </label>
            <div class="form-actions">
                <button type="button" class="button button-secondary" on:click=move |_| on_done.run(())>{move || i18n.t().ui(Ui::Cancel)}</button>
                <button type="submit" class="button button-primary" data-test="override-save" disabled=move || saving.get()>{move || i18n.t().ui(Ui::Save)}</button>
            </div>
        </form>
    }
}
