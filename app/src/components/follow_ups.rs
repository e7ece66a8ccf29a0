//! A customer's follow-ups on her file: the open tasks for her (each with its reason and a
//! link to record the contact) and her follow-up log as a timeline, newest first.

use domain::care::Contact;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Ui, use_i18n};
use crate::state::use_app;

#[component]
pub fn FollowUps(id: String, contacts: Vec<Contact>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let base = format!("/customers/{id}");
    let tasks = {
        let id = id.clone();
        move || {
            state
                .tasks
                .with(|all| all.0.iter().filter(|(t, _)| t.customer == id).map(|(t, _)| t.clone()).collect::<Vec<_>>())
        }
    };
    let mut log: Vec<Contact> = contacts.into_iter().filter(|c| !c.voided).collect();
    log.reverse();
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
                        {log.into_iter().map(|c| {
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
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}
