//! `/handover`: when a beautician leaves or customers are reassigned, the owner moves the
//! selected customers (all of hers by default) to another beautician in one action. Each
//! moved customer gets a "first contact from your new beautician" task; her history stays.

use std::collections::BTreeSet;

use domain::care::rules::plan_handover;
use domain::customer::beauticians;
use domain::ids::CustomerId;
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn HandoverPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let problem = RwSignal::new(None::<&'static str>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let beauticians = move || state.customers.with(|all| beauticians(all));
    let hers = move || {
        let from = from.get();
        state.customers.with(|all| {
            let mut list: Vec<(String, String, String)> = all
                .iter()
                .filter(|s| s.deleted_at.is_none() && !from.is_empty() && s.beautician == from)
                .map(|s| (s.id.clone(), s.name.clone(), s.number.clone()))
                .collect();
            list.sort_by(|a, b| a.2.cmp(&b.2));
            list
        })
    };
    let pick_from = move |name: String| {
        from.set(name);
        done.set(false);
        selected.set(hers().into_iter().map(|(id, _, _)| id).collect());
    };
    let run = move |_| {
        let ids: Vec<CustomerId> =
            selected.get_untracked().into_iter().filter_map(|id| CustomerId::parse(&id).ok()).collect();
        let handover = match plan_handover(&from.get_untracked(), &to.get_untracked(), ids.len(), browser::today()) {
            Ok(handover) => handover,
            Err(why) => return problem.set(Some(i18n.t().handover_problem(why))),
        };
        problem.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let now = browser::now();
            // Every selected customer moves, or (when the store fails) none does.
            let saved = state
                .edit_customers(&ids, |doc, device| doc.hand_over(device, &browser::new_entry_id(), &handover, now))
                .await;
            busy.set(false);
            done.set(saved);
            if saved {
                selected.set(BTreeSet::new());
            }
        });
    };
    view! {
        <section class="handover-page" data-test="handover-page">
            <h1>{move || i18n.t().ui(Ui::Handover)}</h1>
            <div class="form-grid">
                <div class="form-field">
                    <label for="handover-from">{move || i18n.t().ui(Ui::HandoverFrom)}</label>
                    <select id="handover-from" data-test="handover-from" on:change=move |ev| pick_from(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {move || beauticians().into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="form-field">
                    <label for="handover-to">{move || i18n.t().ui(Ui::HandoverTo)}</label>
                    <input id="handover-to" data-test="handover-to" type="text" list="beautician-names"
                        prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/>
                    <datalist id="beautician-names">
                        {move || beauticians().into_iter().map(|n| view! { <option value=n/> }).collect_view()}
                    </datalist>
                    <p class="field-error" data-test="handover-error">{move || problem.get()}</p>
                </div>
            </div>
            {move || {
                let list = hers();
                if from.get().is_empty() {
                    return ().into_any();
                }
                if list.is_empty() {
                    return view! { <p class="muted">{move || i18n.t().ui(Ui::HandoverNone)}</p> }.into_any();
                }
                view! {
                    <ul class="handover-list">
                        {list.into_iter().map(|(id, name, number)| {
                            let checked = { let id = id.clone(); move || selected.with(|s| s.contains(&id)) };
                            let toggle = { let id = id.clone(); move |_| selected.update(|s| if !s.remove(&id) { s.insert(id.clone()); }) };
                            view! {
                                <li><label class="check-row" data-test="handover-customer">
                                    <input type="checkbox" prop:checked=checked on:change=toggle/>
                                    <span>{name}</span> <span class="muted">{number}</span>
                                </label></li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {move || done.get().then(|| view! { <p class="notice-bar" role="status" data-test="handover-done">{move || i18n.t().ui(Ui::HandoverDone)}</p> })}
            <div class="form-actions">
                <button type="button" class="button button-primary" data-test="handover-run"
                    disabled=move || busy.get() || selected.with(|s| s.is_empty()) on:click=run>{move || i18n.t().ui(Ui::HandoverDo)}</button>
            </div>
        </section>
    }
}
