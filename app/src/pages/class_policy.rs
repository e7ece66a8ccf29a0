//! `/classes/policy`: the owner edits the classification policy (period, shares, lifecycle
//! windows, grade bars) and compares the composite score's indicators pairwise. Every bad
//! figure is reported next to it; an inconsistent comparison matrix is refused with its
//! consistency ratio. Saved policies reach every device of the salon.

use domain::classify::ahp::{self, Judgement};
use domain::classify::composite::Indicator;
use domain::classify::{PolicyErrors, PolicyField, PolicyForm};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::unsaved_guard::UnsavedGuard;
use crate::i18n::{Ui, use_i18n};
use crate::state::use_app;

/// The choices of one comparison cell, strongest for the row first.
fn scale() -> Vec<Judgement> {
    let mut out: Vec<Judgement> = (1..=9).rev().filter_map(|n| Judgement::new(n, 1)).collect();
    out.extend((2..=9).filter_map(|d| Judgement::new(1, d)));
    out
}

fn judgement_key(j: Judgement) -> String {
    format!("{}/{}", j.num, j.den)
}

const SECTIONS: [(Ui, &[PolicyField]); 3] = [
    (
        Ui::PolicyPeriod,
        &[PolicyField::PeriodMonths, PolicyField::AShare, PolicyField::AbShare, PolicyField::ProbationMonths],
    ),
    (
        Ui::PolicyLifecycle,
        &[PolicyField::NewDays, PolicyField::SilentDays, PolicyField::LostDays, PolicyField::CadencePct],
    ),
    (
        Ui::PolicyGrades,
        &[
            PolicyField::ASpend,
            PolicyField::AVisits,
            PolicyField::BSpend,
            PolicyField::BVisits,
            PolicyField::CSpend,
            PolicyField::CVisits,
            PolicyField::DebtLimit,
        ],
    ),
];

#[component]
pub fn ClassPolicyPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let current = state.policy.get_untracked();
    let form = RwSignal::new(PolicyForm::from_policy(&current));
    let judgements = RwSignal::new(current.comparisons.clone());
    let errors = RwSignal::new(PolicyErrors::default());
    let saved = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let n = Indicator::ALL.len();
    // The policy may arrive (from the store or another device) after the page opened: show
    // it, unless the owner has started typing.
    let touched = RwSignal::new(false);
    // Changed since the page opened or the last save.
    let dirty = RwSignal::new(false);
    Effect::new(move |_| {
        let policy = state.policy.get();
        if !touched.get_untracked() {
            form.set(PolicyForm::from_policy(&policy));
            judgements.set(policy.comparisons.clone());
        }
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        match form.get_untracked().validate(&judgements.get_untracked()) {
            Ok(policy) => {
                errors.set(PolicyErrors::default());
                saving.set(true);
                leptos::task::spawn_local(async move {
                    let ok = state.save_policy(policy).await;
                    saving.set(false);
                    saved.set(ok);
                    if ok {
                        dirty.set(false);
                    }
                });
            }
            Err(problems) => errors.set(problems),
        }
    };

    let field = move |field: PolicyField| {
        let id = format!("policy-{}", field.key());
        let error = move || errors.with(|e| e.fields.get(field).map(|p| i18n.t().problem(p)));
        view! {
            <div class=move || if error().is_some() { "form-field has-error" } else { "form-field" }>
                <label for=id.clone()>{move || i18n.t().policy_field(field)}</label>
                <input type="text" inputmode="decimal" id=id.clone() data-test=id.clone()
                    prop:value=move || form.with(|f| f.get(field).to_owned())
                    on:input=move |ev| {
                        touched.set(true);
                        dirty.set(true);
                        saved.set(false);
                        form.update(|f| f.set(field, event_target_value(&ev)));
                    }/>
                <p class="field-error" data-test=format!("{id}-error") aria-live="polite">{error}</p>
            </div>
        }
    };

    // Upper-triangle index of cell (i, j), i < j, row by row.
    let index = move |i: usize, j: usize| i * n - i * (i + 1) / 2 + (j - i - 1);
    let matrix = move || {
        view! {
            <table class="ahp-matrix" data-test="ahp-matrix">
                <thead><tr>
                    <th></th>
                    {Indicator::ALL.into_iter().map(|ind| view! { <th>{move || i18n.t().indicator(ind)}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {(0..n).map(|i| view! {
                        <tr>
                            <th>{move || i18n.t().indicator(Indicator::ALL[i])}</th>
                            {(0..n).map(|j| {
                                if i == j {
                                    view! { <td class="ahp-diagonal">"1"</td> }.into_any()
                                } else if i < j {
                                    let k = index(i, j);
                                    let current = move || judgements.with(|all| all.get(k).map(|j| judgement_key(*j)).unwrap_or_default());
                                    view! {
                                        <td>
                                            <select data-test=format!("ahp-{i}-{j}") on:change=move |ev| {
                                                touched.set(true);
                                                dirty.set(true);
                                                saved.set(false);
                                                let value = event_target_value(&ev);
                                                if let Some(choice) = scale().into_iter().find(|c| judgement_key(*c) == value) {
                                                    judgements.update(|all| if let Some(slot) = all.get_mut(k) { *slot = choice });
                                                }
                                            }>
                                                {scale().into_iter().map(|choice| {
                                                    let key = judgement_key(choice);
                                                    let selected = {
                                                        let key = key.clone();
                                                        move || current() == key
                                                    };
                                                    view! { <option value=key prop:selected=selected>{move || i18n.t().judgement(choice)}</option> }
                                                }).collect_view()}
                                            </select>
                                        </td>
                                    }.into_any()
                                } else {
                                    let k = index(j, i);
                                    view! {
                                        <td class="ahp-reciprocal muted">{move || judgements.with(|all| all.get(k).map(|jd| {
                                            if jd.den == 1 && jd.num > 1 { format!("1/{}", jd.num) } else { jd.den.to_string() }
                                        }).unwrap_or_default())}</td>
                                    }.into_any()
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    };
    let weights = move || {
        match ahp::weights(n, &judgements.get()) {
        Ok(result) => view! {
            <div class="ahp-result" data-test="ahp-ok">
                <p>{move || i18n.t().ui(Ui::AhpWeights)}</p>
                <ul class="ahp-weights">
                    {Indicator::ALL.into_iter().zip(result.weights.clone()).map(|(ind, w)| view! {
                        <li><span>{move || i18n.t().indicator(ind)}</span><span class="share-bar" style=format!("width: {:.1}%", w * 100.0)></span><span class="num">{format!("{:.1}%", w * 100.0)}</span></li>
                    }).collect_view()}
                </ul>
                <p class="muted" data-test="ahp-ratio">{move || i18n.t().ahp_consistent(result.ratio)}</p>
            </div>
        }
        .into_any(),
        Err(error) => view! { <p class="field-error" data-test="ahp-error">{move || i18n.t().ahp_error(&error)}</p> }.into_any(),
    }
    };

    view! {
        <section class="policy-page">
            <UnsavedGuard dirty/>
            <div class="list-toolbar">
                <h1>{move || i18n.t().ui(Ui::PolicyTitle)}</h1>
                <A href="/classes" attr:class="button button-secondary">{move || i18n.t().ui(Ui::ClassesTitle)}</A>
            </div>
            <Show when=move || state.policy_unreadable.get()>
                <div class="notice-bar notice-warning" role="status" data-test="policy-unreadable">{move || i18n.t().ui(Ui::UnreadablePolicy)}</div>
            </Show>
            <form class="policy-form" on:submit=save novalidate=true>
                {SECTIONS.into_iter().map(|(title, fields)| view! {
                    <fieldset class="form-section">
                        <legend>{move || i18n.t().ui(title)}</legend>
                        <div class="form-grid">{fields.iter().map(|f| field(*f)).collect_view()}</div>
                    </fieldset>
                }).collect_view()}
                <fieldset class="form-section">
                    <legend>{move || i18n.t().ui(Ui::AhpTitle)}</legend>
                    <p class="field-hint" data-test="ahp-explained">{move || i18n.t().ui(Ui::AhpWhat)}</p>
                    <p class="field-hint">{move || i18n.t().ui(Ui::AhpHelp)}</p>
                    <div class="table-scroll">{matrix}</div>
                    {weights}
                </fieldset>
                {move || errors.with(|e| !e.fields.is_empty() || e.ahp.is_some()).then(|| view! {
                    <p class="form-error" role="alert" data-test="policy-errors">{move || i18n.t().form_has_errors}</p>
                })}
                {move || saved.get().then(|| view! { <p class="notice-bar" role="status" data-test="policy-saved">{move || i18n.t().ui(Ui::PolicySaved)}</p> })}
                <div class="form-actions">
                    <button type="submit" class="button button-primary" data-test="policy-save" disabled=move || saving.get()>{move || i18n.t().ui(Ui::Save)}</button>
                </div>
            </form>
        </section>
    }
}
