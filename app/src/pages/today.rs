//! `/today`: the follow-up worklist (回访). Overdue, today and this week, for one beautician
//! or the whole salon; each task says why it exists, links to the file, and is recorded
//! (a contact), done, snoozed or skipped with a reason. Works with no network: tasks come
//! from the data on this device, and the decisions sync like any edit.

use domain::care::TaskState;
use domain::care::rules::{Bucket, Task, worklist};
use domain::ids::CustomerId;
use jiff::Span;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

/// Tasks rendered per bucket; choosing a beautician narrows the list faster than scrolling.
const MAX_TASKS: usize = 100;

#[component]
pub fn TodayPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let who = RwSignal::new(browser::saved_beautician());
    let today = browser::today();
    let beauticians = move || {
        let mut names: Vec<String> = state.customers.with(|all| {
            all.iter()
                .filter(|s| s.deleted_at.is_none())
                .map(|s| s.beautician.clone())
                .filter(|b| !b.is_empty())
                .collect()
        });
        names.sort();
        names.dedup();
        names
    };
    let list = move || {
        let tasks = state.tasks.get();
        let who = who.get();
        let mine = (!who.is_empty()).then_some(who.as_str());
        worklist(tasks.0.as_ref().clone(), mine, today)
    };
    let decide = move |task: Task, decision: TaskState| {
        let Ok(id) = CustomerId::parse(&task.customer) else { return };
        leptos::task::spawn_local(async move {
            let now = browser::now();
            state
                .edit_customer(&id, move |doc, device| doc.set_task_state(device, &task.id, Some(&decision), now))
                .await;
        });
    };
    view! {
        <section class="today-page" data-test="today-page">
            <div class="list-toolbar">
                <h1>{move || i18n.t().ui(Ui::TodayTitle)}</h1>
                <A href="/today/plan" attr:class="button button-secondary" attr:data-test="open-plan">{move || i18n.t().ui(Ui::CarePlan)}</A>
                <A href="/handover" attr:class="button button-secondary" attr:data-test="open-handover">{move || i18n.t().ui(Ui::Handover)}</A>
                <select class="class-filter" data-test="worklist-who" aria-label=move || i18n.t().ui(Ui::WorklistFor)
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        browser::save_beautician(&value);
                        who.set(value);
                    }>
                    <option value="" selected=move || who.get().is_empty()>{move || i18n.t().ui(Ui::WholeSalon)}</option>
                    {move || beauticians().into_iter().map(|name| {
                        let selected = who.get_untracked() == name;
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            {move || {
                let list = list();
                if list.is_empty() {
                    return view! { <p class="empty-state" data-test="worklist-empty">{move || i18n.t().ui(Ui::WorklistEmpty)}</p> }.into_any();
                }
                [Bucket::Overdue, Bucket::Today, Bucket::ThisWeek].into_iter().map(|bucket| {
                    let count = list.iter().filter(|(b, _)| *b == bucket).count();
                    let tasks: Vec<Task> =
                        list.iter().filter(|(b, _)| *b == bucket).take(MAX_TASKS).map(|(_, t)| t.clone()).collect();
                    let more = count.saturating_sub(MAX_TASKS);
                    (!tasks.is_empty()).then(|| view! {
                        <section class="file-section worklist" data-test=format!("bucket-{bucket:?}").to_lowercase()>
                            <h2>{move || i18n.t().bucket(bucket)} " " <span class="muted">{count}</span></h2>
                            <ul class="task-list">
                                {tasks.into_iter().map(|task| {
                                    let name = state.name_of(&task.customer).unwrap_or_default();
                                    let file = format!("/customers/{}", task.customer);
                                    let record = format!("/customers/{}/contact?task={}", task.customer, task.id);
                                    let reason = task.reason.clone();
                                    let (done, snooze, skip) = (task.clone(), task.clone(), task.clone());
                                    view! {
                                        <li class="task" data-test="task" data-task=task.id.clone() data-customer=task.customer.clone()>
                                            <div class="task-main">
                                                <A href=file attr:class="task-name" attr:data-test="task-name">{name}</A>
                                                <span class="muted">{task.due.to_string()} {(!task.beautician.is_empty()).then(|| format!(" · {}", task.beautician))}</span>
                                                <p class="task-reason" data-test="task-reason">{move || i18n.t().reason(&reason)}</p>
                                            </div>
                                            <div class="task-actions">
                                                <A href=record attr:class="button button-primary" attr:data-test="task-record">{move || i18n.t().ui(Ui::RecordContact)}</A>
                                                <button type="button" class="button button-secondary" data-test="task-done"
                                                    on:click=move |_| decide(done.clone(), TaskState::Done)>{move || i18n.t().ui(Ui::TaskDone)}</button>
                                                <button type="button" class="button button-secondary" data-test="task-snooze"
                                                    on:click=move |_| {
                                                        let until = browser::today().checked_add(Span::new().days(3)).unwrap_or(today);
                                                        decide(snooze.clone(), TaskState::Snoozed { until })
                                                    }>{move || i18n.t().ui(Ui::TaskSnooze)}</button>
                                                <button type="button" class="link-button" data-test="task-skip"
                                                    on:click=move |_| {
                                                        if let Some(reason) = browser::prompt(i18n.t().ui(Ui::TaskSkipWhy)).filter(|r| !r.trim().is_empty()) {
                                                            decide(skip.clone(), TaskState::Skipped { reason: reason.trim().to_owned() })
                                                        }
                                                    }>{move || i18n.t().ui(Ui::TaskSkip)}</button>
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {(more > 0).then(|| view! { <p class="muted" data-test="tasks-more">{move || i18n.t().more_tasks(more)}</p> })}
                        </section>
                    })
                }).collect_view().into_any()
            }}
            <p class="muted compute-time" data-test="tasks-ms" data-ms=move || state.tasks.with(|t| format!("{:.1}", t.1))
                data-tasks=move || state.tasks.with(|t| t.0.len().to_string())>
                {move || state.tasks.with(|t| format!("{} {:.1} ms", i18n.t().ui(Ui::ComputeTime), t.1))}
            </p>
        </section>
    }
}
