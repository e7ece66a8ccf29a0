//! A customer's complaints on her file: each with its category, severity, the actions taken
//! and, while open, a line to record the next action (and resolve it). Built once per file
//! and keyed by complaint, so what is typed into an action line survives a sync.

use domain::care::complaints::{ComplaintAction, ComplaintStatus};
use domain::customer::{CustomerFile, EntryId};
use domain::ids::CustomerId;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn ComplaintList(id: CustomerId, file: Signal<CustomerFile>) -> impl IntoView {
    let i18n = use_i18n();
    let add = format!("/customers/{id}/complaint");
    let complaints = Memo::new(move |_| {
        file.with(|f| {
            let mut all = f.complaints.clone();
            all.sort_by_key(|c| (!c.is_open(), std::cmp::Reverse(c.complaint.opened_on)));
            all
        })
    });
    let ids = move || complaints.with(|all| all.iter().map(|c| c.complaint.id.clone()).collect::<Vec<_>>());
    view! {
        <section class="file-section complaints" data-test="complaints">
            <div class="section-head">
                <h2>{move || i18n.t().ui(Ui::Complaints)}</h2>
                <A href=add attr:class="button button-secondary" attr:data-test="add-complaint">{move || i18n.t().ui(Ui::ComplaintAdd)}</A>
            </div>
            <For each=ids key=|id| id.clone() let:complaint>
                <ComplaintItem id=id.clone() complaint complaints/>
            </For>
        </section>
    }
}

#[component]
fn ComplaintItem(id: CustomerId, complaint: EntryId, complaints: Memo<Vec<ComplaintStatus>>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let status = {
        let complaint = complaint.clone();
        Memo::new(move |_| complaints.with(|all| all.iter().find(|c| c.complaint.id == complaint).cloned()))
    };
    let text = RwSignal::new(String::new());
    let resolves = RwSignal::new(false);
    let record = move |_| {
        let words = text.get_untracked().trim().to_owned();
        if words.is_empty() {
            return;
        }
        let action = ComplaintAction {
            id: browser::new_entry_id(),
            complaint: complaint.clone(),
            on: browser::today(),
            by: browser::saved_beautician(),
            text: words,
            resolves: resolves.get_untracked(),
        };
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let now = browser::now();
            if state.edit_customer(&id, move |doc, device| doc.add_complaint_action(device, &action, now)).await {
                text.set(String::new());
                resolves.set(false);
            }
        });
    };
    let open = move || status.with(|s| s.as_ref().is_some_and(ComplaintStatus::is_open));
    let head = move || {
        status.get().map(|status| {
            let c = status.complaint;
            let (category, severity) = (c.category, c.severity);
            let open = status.resolved_on.is_none();
            view! {
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
            }
        })
    };
    view! {
        <div class=move || if open() { "complaint open" } else { "complaint" } data-test="complaint">
            {head}
            <Show when=open>
                <div class="complaint-next">
                    <input type="text" data-test="complaint-action" aria-label=move || i18n.t().ui(Ui::ComplaintAction)
                        placeholder=move || i18n.t().ui(Ui::ComplaintAction)
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                    <label class="check-row"><input type="checkbox" data-test="complaint-resolves"
                        prop:checked=move || resolves.get() on:change=move |_| resolves.update(|r| *r = !*r)/>
                        {move || i18n.t().ui(Ui::ComplaintResolves)}</label>
                    <button type="button" class="button button-secondary" data-test="complaint-record" on:click=record.clone()>{move || i18n.t().ui(Ui::Save)}</button>
                </div>
            </Show>
        </div>
    }
}
