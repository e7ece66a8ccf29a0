//! `/customers/:id/complaint`: records a complaint or suggestion in the opinion book, with a
//! category, a severity and who handles it.

use domain::FieldErrors;
use domain::care::complaints::{Category, ComplaintField, ComplaintForm, Severity};
use domain::customer::CustomerFile;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::with_file::WithFile;
use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn ComplaintNewPage() -> impl IntoView {
    view! { <WithFile view=|file| view! { <ComplaintFormView file/> }.into_any()/> }
}

/// Built once per customer (see `WithFile`): a sync meanwhile never clears what was typed.
#[component]
fn ComplaintFormView(file: Signal<CustomerFile>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let navigate = use_navigate();
    let id = file.with_untracked(|f| f.customer.id.clone());
    let back = format!("/customers/{id}");
    let form = RwSignal::new(ComplaintForm {
        category: Category::Service.key().to_owned(),
        severity: Severity::Medium.key().to_owned(),
        ..ComplaintForm::default()
    });
    let errors = RwSignal::new(FieldErrors::<ComplaintField>::default());
    let saving = RwSignal::new(false);
    let error_of = move |field: ComplaintField| errors.with(|e| e.get(field).map(|p| i18n.t().problem(p)));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let complaint = match form.get_untracked().validate(browser::new_entry_id(), browser::today()) {
            Ok(complaint) => complaint,
            Err(found) => {
                errors.set(found);
                return;
            }
        };
        let now = browser::now();
        let (back, navigate) = (back.clone(), navigate.clone());
        state.submit_edit(
            id.clone(),
            saving,
            move |doc, device| doc.add_complaint(device, &complaint, now),
            move || navigate(&back, Default::default()),
        );
    };
    view! {
        <section class="entry-page">
            <h1>{move || i18n.t().ui(Ui::ComplaintTitle)} " · " {move || file.with(|f| f.customer.profile.name().to_owned())}</h1>
            <form class="customer-form" on:submit=save novalidate=true>
                <div class="form-grid">
                    <div class="form-field">
                        <label for="complaint-category">{move || i18n.t().ui(Ui::ComplaintCategory)}</label>
                        <select id="complaint-category" on:change=move |ev| form.update(|f| f.category = event_target_value(&ev))>
                            {Category::ALL.iter().copied().map(|c| view! {
                                <option value=c.key() selected=c == Category::Service>{move || i18n.t().complaint_category(c)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="form-field">
                        <label for="complaint-severity">{move || i18n.t().ui(Ui::ComplaintSeverity)}</label>
                        <select id="complaint-severity" on:change=move |ev| form.update(|f| f.severity = event_target_value(&ev))>
                            {Severity::ALL.iter().copied().map(|s| view! {
                                <option value=s.key() selected=s == Severity::Medium>{move || i18n.t().severity(s)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class=move || if error_of(ComplaintField::Text).is_some() { "form-field has-error" } else { "form-field" }>
                    <label for="complaint-text">{move || i18n.t().ui(Ui::ComplaintText)}</label>
                    <textarea id="complaint-text" rows="4" prop:value=move || form.with(|f| f.text.clone())
                        on:input=move |ev| form.update(|f| f.text = event_target_value(&ev))></textarea>
                    <p class="field-error" data-test="complaint-text-error">{move || error_of(ComplaintField::Text)}</p>
                </div>
                <div class="form-field">
                    <label for="complaint-assigned">{move || i18n.t().ui(Ui::ComplaintAssigned)}</label>
                    <input id="complaint-assigned" type="text" prop:value=move || form.with(|f| f.assigned_to.clone())
                        on:input=move |ev| form.update(|f| f.assigned_to = event_target_value(&ev))/>
                    <p class="field-error">{move || error_of(ComplaintField::AssignedTo)}</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button button-primary" data-test="save-complaint" disabled=move || saving.get()>{move || i18n.t().ui(Ui::Save)}</button>
                </div>
            </form>
        </section>
    }
}
