//! `/today`: the follow-up worklist (回访). Overdue, today and this week, for one beautician
//! or the whole salon; each task says why it exists, links to the file, and is recorded
//! (a contact), done, snoozed (to a chosen day, with a warning when that passes the day the
//! task is about) or skipped with a reason typed into the page. What was snoozed stays listed
//! with its day and an undo; the last decision can be undone too. Works with no network:
//! tasks come from the data on this device, and the decisions sync like any edit.

use domain::care::TaskState;
use domain::care::rules::{Bucket, SNOOZE_DAYS, Task, worklist};
use domain::customer::beauticians;
use domain::ids::CustomerId;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::{AppState, use_app};

/// Tasks rendered per bucket; choosing a beautician narrows the list faster than scrolling.
const MAX_TASKS: usize = 100;

/// The panel open under one task: where it is snoozed to, or why it is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    Snooze,
    Skip,
}

/// A task's key on the page: her id and the task's id.
fn key(task: &Task) -> (String, String) {
    (task.customer.clone(), task.id.clone())
}

/// Stores a decision about a task (or clears it: undo).
fn decide(state: AppState, task: &Task, decision: Option<TaskState>) {
    let Ok(id) = CustomerId::parse(&task.customer) else { return };
    let task_id = task.id.clone();
    leptos::task::spawn_local(async move {
        let now = browser::now();
        state.edit_customer(&id, move |doc, device| doc.set_task_state(device, &task_id, decision.as_ref(), now)).await;
    });
}

#[component]
pub fn TodayPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let who = RwSignal::new(browser::saved_beautician());
    let today = browser::today();
    let names = move || state.customers.with(|all| beauticians(all));
    let list = Memo::new(move |_| {
        let tasks = state.tasks.get();
        let who = who.get();
        let mine = (!who.is_empty()).then_some(who.as_str());
        worklist(tasks.open().to_vec(), mine, today)
    });
    // One panel open at a time, and what was typed into it, kept apart from the list that
    // re-renders as tasks change.
    let panel = RwSignal::new(None::<((String, String), Panel)>);
    let skip_reason = RwSignal::new(String::new());
    // The last decision, offered for undo.
    let last = RwSignal::new(None::<(Task, String)>);

    let bucket_view = move |bucket: Bucket| {
        let tasks = move || {
            list.with(|l| {
                l.iter().filter(|(b, _)| *b == bucket).take(MAX_TASKS).map(|(_, t)| t.clone()).collect::<Vec<_>>()
            })
        };
        let count = move || list.with(|l| l.iter().filter(|(b, _)| *b == bucket).count());
        let more = move || count().saturating_sub(MAX_TASKS);
        view! {
            <section class="file-section worklist" data-test=format!("bucket-{bucket:?}").to_lowercase() hidden=move || count() == 0>
                <h2>{move || i18n.t().bucket(bucket)} " " <span class="muted">{count}</span></h2>
                <ul class="task-list">
                    <For each=tasks key=key let:task>
                        <TaskItem task panel skip_reason last/>
                    </For>
                </ul>
                {move || (more() > 0).then(|| view! { <p class="muted" data-test="tasks-more">{move || i18n.t().more_tasks(more())}</p> })}
            </section>
        }
    };
    let snoozed = move || {
        let who = who.get();
        state.tasks.with(|t| {
            t.0.snoozed
                .iter()
                .filter(|(task, _)| who.is_empty() || task.beautician == who || task.beautician.is_empty())
                .cloned()
                .collect::<Vec<_>>()
        })
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
                    {move || names().into_iter().map(|name| {
                        let selected = who.get_untracked() == name;
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            {move || last.get().map(|(task, said)| view! {
                <div class="notice-bar" role="status" data-test="task-undo-bar">
                    <span>{said}</span>
                    <button type="button" class="button button-secondary" data-test="task-undo" on:click=move |_| {
                        decide(state, &task, None);
                        last.set(None);
                    }>{move || i18n.t().ui(Ui::Undo)}</button>
                </div>
            })}
            <p class="empty-state" data-test="worklist-empty" hidden=move || list.with(|l| !l.is_empty())>
                {move || i18n.t().ui(Ui::WorklistEmpty)}
            </p>
            {bucket_view(Bucket::Overdue)}
            {bucket_view(Bucket::Today)}
            {bucket_view(Bucket::ThisWeek)}
            {move || {
                let snoozed = snoozed();
                (!snoozed.is_empty()).then(|| view! {
                    <section class="file-section worklist snoozed" data-test="snoozed">
                        <h2>{move || i18n.t().ui(Ui::Snoozed)} " " <span class="muted">{snoozed.len()}</span></h2>
                        <ul class="task-list">
                            {snoozed.into_iter().map(|(task, until)| {
                                let name = state.name_of(&task.customer).unwrap_or_default();
                                let reason = task.reason.clone();
                                let (task_id, file) = (task.id.clone(), format!("/customers/{}", task.customer));
                                view! {
                                    <li class="task" data-test="snoozed-task" data-task=task_id>
                                        <div class="task-main">
                                            <A href=file attr:class="task-name">{name}</A>
                                            <span class="muted" data-test="snoozed-until">{move || i18n.t().snoozed_until(&until.to_string())}</span>
                                            <p class="task-reason">{move || i18n.t().reason(&reason)}</p>
                                        </div>
                                        <div class="task-actions">
                                            <button type="button" class="button button-secondary" data-test="snooze-undo"
                                                on:click=move |_| decide(state, &task, None)>{move || i18n.t().ui(Ui::Undo)}</button>
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            }}
            // How long deriving the tasks took: for the benchmark, not for people.
            <span hidden data-test="tasks-ms" data-ms=move || state.tasks.with(|t| format!("{:.1}", t.1))
                data-tasks=move || state.tasks.with(|t| t.0.open.len().to_string())></span>
        </section>
    }
}

/// One task of the worklist with its actions; the snooze and skip panels open under it.
#[component]
fn TaskItem(
    task: Task,
    panel: RwSignal<Option<((String, String), Panel)>>,
    skip_reason: RwSignal<String>,
    last: RwSignal<Option<(Task, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let today = browser::today();
    let me = key(&task);
    let name = state.name_of(&task.customer).unwrap_or_default();
    let file = format!("/customers/{}", task.customer);
    let record = format!("/customers/{}/contact?task={}", task.customer, task.id);
    let reason = task.reason.clone();
    let open = {
        let me = me.clone();
        move |which: Panel| panel.with(|p| p.as_ref().is_some_and(|(k, w)| *k == me && *w == which))
    };
    let toggle = {
        let me = me.clone();
        move |which: Panel| {
            panel.update(|p| {
                *p = match p {
                    Some((k, w)) if *k == me && *w == which => None,
                    _ => Some((me.clone(), which)),
                }
            });
            skip_reason.set(String::new());
        }
    };
    let done = {
        let task = task.clone();
        move |_| {
            decide(state, &task, Some(TaskState::Done));
            last.set(Some((task.clone(), i18n.t().ui(Ui::TaskMarkedDone).to_owned())));
        }
    };
    let snooze_choices = {
        let task = task.clone();
        move || {
            SNOOZE_DAYS
                .into_iter()
                .map(|days| {
                    let plan = task.snooze(days, today);
                    let task = task.clone();
                    let label = move || i18n.t().snooze_choice(days, plan.misses.map(|d| d.to_string()).as_deref());
                    view! {
                        <button type="button" class=if plan.misses.is_some() { "button button-warn" } else { "button button-secondary" }
                            data-test=format!("snooze-{days}") data-misses=plan.misses.map(|d| d.to_string())
                            on:click=move |_| {
                                decide(state, &task, Some(TaskState::Snoozed { until: plan.until }));
                                panel.set(None);
                                last.set(Some((task.clone(), i18n.t().snoozed_until(&plan.until.to_string()))));
                            }>{label}</button>
                    }
                })
                .collect_view()
        }
    };
    let skip = {
        let task = task.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let reason = skip_reason.get_untracked().trim().to_owned();
            if reason.is_empty() {
                return;
            }
            let decision = TaskState::Skipped { reason, on: Some(browser::today()), by: browser::saved_beautician() };
            decide(state, &task, Some(decision));
            panel.set(None);
            skip_reason.set(String::new());
            last.set(Some((task.clone(), i18n.t().ui(Ui::TaskSkipped).to_owned())));
        }
    };
    let (snooze_toggle, skip_toggle) = (toggle.clone(), toggle);
    let (snooze_open, skip_open) = (open.clone(), open);
    view! {
        <li class="task" data-test="task" data-task=task.id.clone() data-customer=task.customer.clone()>
            <div class="task-main">
                <A href=file attr:class="task-name" attr:data-test="task-name">{name}</A>
                <span class="muted">{task.due.to_string()} {(!task.beautician.is_empty()).then(|| format!(" · {}", task.beautician))}</span>
                <p class="task-reason" data-test="task-reason">{move || i18n.t().reason(&reason)}</p>
            </div>
            <div class="task-actions">
                <A href=record attr:class="button button-primary" attr:data-test="task-record">{move || i18n.t().ui(Ui::RecordContact)}</A>
                <button type="button" class="button button-secondary" data-test="task-done" on:click=done>{move || i18n.t().ui(Ui::TaskDone)}</button>
                <button type="button" class="button button-secondary" data-test="task-snooze"
                    on:click=move |_| snooze_toggle(Panel::Snooze)>{move || i18n.t().ui(Ui::TaskSnooze)}</button>
                <button type="button" class="link-button" data-test="task-skip"
                    on:click=move |_| skip_toggle(Panel::Skip)>{move || i18n.t().ui(Ui::TaskSkip)}</button>
            </div>
            <Show when=move || snooze_open(Panel::Snooze)>
                <div class="task-panel" data-test="snooze-panel">
                    <span class="muted">{move || i18n.t().ui(Ui::SnoozeTo)}</span>
                    {snooze_choices.clone()}
                </div>
            </Show>
            <Show when=move || skip_open(Panel::Skip)>
                <form class="task-panel" data-test="skip-panel" on:submit=skip.clone()>
                    <label class="form-field">
                        <span>{move || i18n.t().ui(Ui::TaskSkipWhy)}</span>
                        <input type="text" data-test="skip-reason" maxlength="200" required
                            prop:value=move || skip_reason.get() on:input=move |ev| skip_reason.set(event_target_value(&ev))/>
                    </label>
                    <button type="submit" class="button button-primary" data-test="skip-save"
                        disabled=move || skip_reason.with(|r| r.trim().is_empty())>{move || i18n.t().ui(Ui::TaskSkip)}</button>
                </form>
            </Show>
        </li>
    }
}
