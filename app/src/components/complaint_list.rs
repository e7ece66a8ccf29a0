//! A customer's complaints on her file: each with its category, severity, the actions taken
//! and, while open, a line to record the next action (and resolve it).

use domain::care::complaints::{ComplaintAction, ComplaintStatus};
use domain::ids::CustomerId;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn ComplaintList(id: CustomerId, complaints: Vec<ComplaintStatus>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let add = format!("/customers/{id}/complaint");
    let mut complaints = complaints;
    complaints.sort_by_key(|c| (!c.is_open(), std::cmp::Reverse(c.complaint.opened_on)));
    view! {
        <section class="file-section complaints" data-test="complaints">
            <div class="section-head">
                <h2>{move || i18n.t().ui(Ui::Complaints)}</h2>
                <A href=add attr:class="button button-secondary" attr:data-test="add-complaint">{move || i18n.t().ui(Ui::ComplaintAdd)}</A>
            </div>
            {complaints.into_iter().map(|status| {
                let c = status.complaint.clone();
                let open = status.is_open();
                let text = RwSignal::new(String::new());
                let resolves = RwSignal::new(false);
                let complaint_id = c.id.clone();
                let id = id.clone();
                let record = move |_| {
                    let words = text.get_untracked().trim().to_owned();
                    if words.is_empty() {
                        return;
                    }
                    let action = ComplaintAction {
                        id: browser::new_entry_id(),
                        complaint: complaint_id.clone(),
                        on: browser::today(),
                        by: browser::saved_beautician(),
                        text: words,
                        resolves: resolves.get_untracked(),
                    };
                    let id = id.clone();
                    leptos::task::spawn_local(async move {
                        let now = browser::now();
                        state.edit_customer(&id, move |doc, device| doc.add_complaint_action(device, &action, now)).await;
                    });
                };
                let (category, severity) = (c.category, c.severity);
                view! {
                    <div class=if open { "complaint open" } else { "complaint" } data-test="complaint">
                        <p class="complaint-head">
                            <span class=format!("badge severity-{}", severity.key())>{move || i18n.t().severity(severity)}</span>
                            " " <strong>{move || i18n.t().complaint_category(category)}</strong>
                            " · " {c.opened_on.to_string()}
                            {(!c.assigned_to.is_empty()).then(|| format!(" · {}", c.assigned_to))}
                            " · " <span data-test="complaint-status">{move || i18n.t().ui(if open { Ui::ComplaintOpen } else { Ui::ComplaintResolved })}</span>
                        </p>
                        <p>{c.text.clone()}</p>
                        <ul class="complaint-actions">
                            {status.actions.iter().map(|a| view! { <li>{a.on.to_string()} " " {a.by.clone()} ": " {a.text.clone()}</li> }).collect_view()}
                        </ul>
                        {open.then(|| view! {
                            <div class="complaint-next">
                                <input type="text" data-test="complaint-action" aria-label=move || i18n.t().ui(Ui::ComplaintAction)
                                    placeholder=move || i18n.t().ui(Ui::ComplaintAction)
                                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                                <label class="check-row"><input type="checkbox" data-test="complaint-resolves"
                                    prop:checked=move || resolves.get() on:change=move |_| resolves.update(|r| *r = !*r)/>
                                    {move || i18n.t().ui(Ui::ComplaintResolves)}</label>
                                <button type="button" class="button button-secondary" data-test="complaint-record" on:click=record>{move || i18n.t().ui(Ui::Save)}</button>
                            </div>
                        })}
                    </div>
                }
            }).collect_view()}
        </section>
    }
}
