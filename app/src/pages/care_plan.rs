//! `/today/plan`: the owner's care plan: when each kind of follow-up is due (new customers,
//! product calls, cards, birthdays, holidays, each value class, potential and silent
//! customers, hand-overs). Saved for the whole salon; every device's worklist follows it.

use domain::care::plan::{PlanField, PlanForm};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Ui, use_i18n};
use crate::state::use_app;

#[component]
pub fn CarePlanPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let form = RwSignal::new(PlanForm::from_policy(&state.care.get_untracked()));
    let touched = RwSignal::new(false);
    Effect::new(move |_| {
        let plan = state.care.get();
        if !touched.get_untracked() {
            form.set(PlanForm::from_policy(&plan));
        }
    });
    let errors = RwSignal::new(domain::FieldErrors::<PlanField>::default());
    let saved = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        match form.get_untracked().validate(&state.care.get_untracked()) {
            Ok(plan) => {
                errors.set(Default::default());
                leptos::task::spawn_local(async move {
                    saved.set(state.save_care_plan(plan).await);
                });
            }
            Err(found) => errors.set(found),
        }
    };
    let field = move |field: PlanField| {
        let id = format!("plan-{}", field.key());
        let error = move || errors.with(|e| e.get(field).map(|p| i18n.t().problem(p)));
        let input = if field == PlanField::Holidays {
            view! { <textarea id=id.clone() data-test=id.clone() rows="5" prop:value=move || form.with(|f| f.get(field).to_owned())
                on:input=move |ev| { touched.set(true); form.update(|f| f.set(field, event_target_value(&ev))); }></textarea> }.into_any()
        } else {
            view! { <input id=id.clone() data-test=id.clone() type="text" inputmode="numeric" prop:value=move || form.with(|f| f.get(field).to_owned())
                on:input=move |ev| { touched.set(true); form.update(|f| f.set(field, event_target_value(&ev))); }/> }.into_any()
        };
        view! {
            <div class=move || if error().is_some() { "form-field has-error" } else { "form-field" }>
                <label for=id.clone()>{move || i18n.t().plan_field(field)}</label>
                {input}
                <p class="field-error" data-test=format!("{id}-error")>{error}</p>
            </div>
        }
    };
    view! {
        <section class="policy-page">
            <div class="list-toolbar">
                <h1>{move || i18n.t().ui(Ui::CarePlan)}</h1>
                <A href="/today" attr:class="button button-secondary">{move || i18n.t().ui(Ui::TodayTitle)}</A>
            </div>
            <Show when=move || state.care_unreadable.get()>
                <div class="notice-bar notice-warning" role="status" data-test="care-unreadable">{move || i18n.t().ui(Ui::UnreadableCarePlan)}</div>
            </Show>
            <form class="policy-form" on:submit=save novalidate=true>
                <fieldset class="form-section">
                    <div class="form-grid">{PlanField::ALL.into_iter().filter(|f| *f != PlanField::Holidays).map(field).collect_view()}</div>
                    {field(PlanField::Holidays)}
                </fieldset>
                {move || saved.get().then(|| view! { <p class="notice-bar" role="status" data-test="plan-saved">{move || i18n.t().ui(Ui::PolicySaved)}</p> })}
                <div class="form-actions">
                    <button type="submit" class="button button-primary" data-test="plan-save">{move || i18n.t().ui(Ui::Save)}</button>
                </div>
            </form>
        </section>
    }
}
