//! `/`: the home screen for this device's role. A beautician's tablet opens on her worklist;
//! the owner's phone opens on what needs her: overdue follow-ups, open complaints (A-class
//! customers first) and this month's class moves. A device with no role set opens the
//! customer books.

use domain::care::complaints::for_owner;
use domain::care::rules::{Bucket, worklist};
use domain::classify::abc::ValueClass;
use domain::classify::overrides::Dimension;
use domain::classify::snapshot::{Month, transitions};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser::{self, Role};
use crate::pages::customer_list::CustomerListPage;
use crate::pages::today::TodayPage;
use crate::state::use_app;

#[component]
pub fn HomePage() -> impl IntoView {
    match browser::saved_role() {
        role if role.is_management() => view! { <OwnerHome/> }.into_any(),
        Role::Beautician => view! { <TodayPage/> }.into_any(),
        _ => view! { <CustomerListPage/> }.into_any(),
    }
}

#[component]
fn OwnerHome() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let today = browser::today();
    let overdue = move || {
        let tasks = state.tasks.get();
        worklist(tasks.open().to_vec(), None, today)
            .into_iter()
            .filter(|(b, _)| *b == Bucket::Overdue)
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
    };
    let complaints = move || {
        let classes = state.classes.get();
        let class_of = |id: &str| classes.all.get(id).map(|c| c.effective.value).unwrap_or(ValueClass::C);
        state.customers.with(|all| {
            for_owner(all, class_of)
                .into_iter()
                .map(|(class, s, c)| (class, s.id.clone(), s.name.clone(), c.clone()))
                .collect::<Vec<_>>()
        })
    };
    let moves = move || {
        let month = Month::of(today);
        state.snapshots.with(|all| {
            let now = all.iter().find(|s| s.month == month)?;
            let before = all.iter().filter(|s| s.month < month).max_by_key(|s| s.month)?;
            let table = transitions(before, now, Dimension::Value);
            Some(table.into_iter().filter(|((a, b), _)| a != b).collect::<Vec<_>>())
        })
    };
    view! {
        <section class="owner-home" data-test="owner-home">
            <h1>{move || i18n.t().ui(Ui::OwnerHome)}</h1>
            <section class="file-section" data-test="home-complaints">
                <h2>{move || i18n.t().ui(Ui::Complaints)} " " <span class="muted">{move || complaints().len()}</span></h2>
                <ul class="task-list">
                    {move || complaints().into_iter().map(|(class, id, name, c)| {
                        let (category, severity) = (c.category, c.severity);
                        view! {
                            <li class="task" data-test="home-complaint">
                                <div class="task-main">
                                    <A href=format!("/customers/{id}") attr:class="task-name">{name}</A>
                                    <span class=format!("badge class-badge class-value-{}", domain::classify::overrides::Class::Value(class).key())>
                                        {move || i18n.t().class(domain::classify::overrides::Class::Value(class))}
                                    </span>
                                    " " <span class=format!("badge severity-{}", severity.key())>{move || i18n.t().severity(severity)}</span>
                                    <p class="task-reason">{move || i18n.t().complaint_category(category)} " · " {c.opened_on.to_string()} " · " {c.text.clone()}</p>
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
            <section class="file-section" data-test="home-overdue">
                <h2>{move || i18n.t().bucket(Bucket::Overdue)} " " <span class="muted">{move || overdue().len()}</span></h2>
                <ul class="task-list">
                    {move || overdue().into_iter().take(20).map(|t| {
                        let reason = t.reason.clone();
                        let name = state.name_of(&t.customer).unwrap_or_default();
                        view! {
                            <li class="task">
                                <div class="task-main">
                                    <A href=format!("/customers/{}", t.customer) attr:class="task-name">{name}</A>
                                    <span class="muted">{t.due.to_string()} " · " {t.beautician.clone()}</span>
                                    <p class="task-reason">{move || i18n.t().reason(&reason)}</p>
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <A href="/today" attr:class="button button-secondary">{move || i18n.t().ui(Ui::NavToday)}</A>
            </section>
            <section class="file-section" data-test="home-moves">
                <h2>{move || i18n.t().ui(Ui::MovesThisMonth)}</h2>
                {move || match moves() {
                    None => view! { <p class="muted">{move || i18n.t().ui(Ui::TransitionsNone)}</p> }.into_any(),
                    Some(moved) => view! {
                        <ul class="task-list">
                            {moved.into_iter().map(|((a, b), n)| view! {
                                <li class="task"><span>{move || format!("{} → {}", i18n.t().class(a), i18n.t().class(b))}</span><strong>{n}</strong></li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }}
                <A href="/classes" attr:class="button button-secondary">{move || i18n.t().ui(Ui::NavClasses)}</A>
            </section>
        </section>
    }
}
