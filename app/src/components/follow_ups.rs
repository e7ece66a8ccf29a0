//! A customer's follow-ups on her file: the open tasks for her (each with its reason and a
//! link to record the contact) and her follow-up log as a timeline, newest first: contacts,
//! and tasks skipped with the reason given.

use domain::care::rules::TaskKind;
use domain::care::{Contact, TaskState, TaskStates};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Ui, use_i18n};
use crate::state::use_app;

/// One line of the log: a contact, or a task skipped (its kind, due day, on, by, why).
enum LogLine {
    Contact(Contact),
    Skipped {
        kind: Option<TaskKind>,
        due: Option<jiff::civil::Date>,
        on: Option<jiff::civil::Date>,
        by: String,
        reason: String,
    },
}

#[component]
pub fn FollowUps(id: String, contacts: Vec<Contact>, states: TaskStates) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let base = format!("/customers/{id}");
    let tasks = {
        let id = id.clone();
        move || {
            state.tasks.with(|all| {
                all.open().iter().filter(|(t, _)| t.customer == id).map(|(t, _)| t.clone()).collect::<Vec<_>>()
            })
        }
    };
    let mut log: Vec<(jiff::civil::Date, LogLine)> =
        contacts.into_iter().filter(|c| !c.voided).map(|c| (c.at.date(), LogLine::Contact(c))).collect();
    for (task, decision) in states {
        if let TaskState::Skipped { reason, on, by } = decision {
            let known = TaskKind::of_task_id(&task);
            let day = on.or(known.map(|k| k.1)).unwrap_or(jiff::civil::Date::MIN);
            log.push((day, LogLine::Skipped { kind: known.map(|k| k.0), due: known.map(|k| k.1), on, by, reason }));
        }
    }
    log.sort_by_key(|(day, _)| std::cmp::Reverse(*day));
    view! {
        <section class="file-section follow-ups" data-test="follow-ups">
            <h2>{move || i18n.t().ui(Ui::OpenTasks)}</h2>
            <ul class="task-list">
                {
                    let base = base.clone();
                    move || tasks().into_iter().map(|task| {
                        let reason = task.reason.clone();
                        let record = format!("{base}/contact?task={}", task.id);
                        view! {
                            <li class="task" data-test="file-task" data-task=task.id.clone()>
                                <div class="task-main">
                                    <span class="muted">{task.due.to_string()}</span>
                                    <p class="task-reason">{move || i18n.t().reason(&reason)}</p>
                                </div>
                                <A href=record attr:class="button button-secondary">{move || i18n.t().ui(Ui::RecordContact)}</A>
                            </li>
                        }
                    }).collect_view()
                }
            </ul>
            <div class="section-head">
                <h2>{move || i18n.t().ui(Ui::ContactLog)}</h2>
                <A href=format!("{base}/contact") attr:class="button button-secondary" attr:data-test="record-contact">{move || i18n.t().ui(Ui::RecordContact)}</A>
            </div>
            {if log.is_empty() {
                view! { <p class="muted">{move || i18n.t().ui(Ui::NoContacts)}</p> }.into_any()
            } else {
                view! {
                    <ol class="contact-log" data-test="contact-log">
                        {log.into_iter().map(|(_, line)| match line {
                            LogLine::Contact(c) => {
                                let channel = c.channel;
                                view! {
                                    <li class="contact" data-test="contact">
                                        <p class="contact-head">
                                            <strong>{c.at.date().to_string()} " " {format!("{:02}:{:02}", c.at.hour(), c.at.minute())}</strong>
                                            " · " {move || i18n.t().channel(channel)} " · " {c.by.clone()}
                                        </p>
                                        <p data-test="contact-said">{c.said.clone()}</p>
                                        {(!c.response.is_empty()).then(|| view! { <p class="muted">{move || i18n.t().ui(Ui::ContactResponse)} ": " {c.response.clone()}</p> })}
                                        {(!c.result.is_empty()).then(|| view! { <p class="muted">{move || i18n.t().ui(Ui::ContactResult)} ": " {c.result.clone()}</p> })}
                                        {(!c.next_step.is_empty()).then(|| view! { <p class="muted">{move || i18n.t().ui(Ui::ContactNextStep)} ": " {c.next_step.clone()}</p> })}
                                    </li>
                                }.into_any()
                            }
                            LogLine::Skipped { kind, due, on, by, reason } => view! {
                                <li class="contact skipped" data-test="skipped">
                                    <p class="contact-head">
                                        <strong>{on.map(|d| d.to_string())}</strong>
                                        " · " {move || i18n.t().ui(Ui::TaskSkipped)}
                                        " · " {move || i18n.t().task_kind(kind)} {due.map(|d| format!("（{d}）"))}
                                        {(!by.is_empty()).then(|| format!(" · {by}"))}
                                    </p>
                                    <p data-test="skipped-reason">{move || i18n.t().ui(Ui::SkipReason)} ": " {reason.clone()}</p>
                                </li>
                            }.into_any(),
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}
