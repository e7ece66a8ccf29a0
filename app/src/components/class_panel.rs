//! The classes section of a customer's file: her class in each dimension with the facts that
//! put her there, the owner's overrides (with the computed class beside them), her
//! composite score and her class records month by month, each labelled with the day it was
//! recorded. The override form is built apart from the rows, which re-draw whenever the
//! salon's classes change: what the owner types in it survives a sync.

use domain::classify::overrides::Dimension;
use domain::classify::run::Why;
use domain::classify::snapshot;
use domain::ids::CustomerId;
use leptos::prelude::*;

use crate::components::override_editor::OverrideEditor;
use crate::i18n::{Ui, use_i18n};
use crate::state::use_app;

#[component]
pub fn ClassPanel(id: CustomerId) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let editing = RwSignal::new(None::<Dimension>);
    let key = id.as_str().to_owned();
    let rows = {
        let (id, key) = (id.clone(), key.clone());
        move || {
            let classes = state.classes.get();
            let policy = state.policy.get();
            let her = classes.all.get(&key)?.clone();
            let reasons = her.why(&policy);
            let rows = Dimension::ALL.into_iter().zip(reasons.clone()).map(|(dimension, why)| {
                let class = her.effective.get(dimension);
                let manual = her.overridden(dimension).cloned();
                let computed = her.computed.get(dimension);
                let dim = dimension.key();
                let lift = {
                    let id = id.clone();
                    move |_| {
                        let id = id.clone();
                        leptos::task::spawn_local(async move {
                            state.set_override(&id, dimension, None).await;
                        });
                    }
                };
                view! {
                    <div class="class-row" data-test=format!("class-{dim}")>
                        <div class="class-head">
                            <span class="class-dimension">{move || i18n.t().dimension(dimension)}</span>
                            <span class=format!("badge class-badge class-{dim}-{}", class.key()) data-test=format!("file-class-{dim}") data-class=class.key()>
                                {move || i18n.t().class(class)}
                            </span>
                            {match manual.clone() {
                                Some(_) => view! {
                                    <button type="button" class="link-button" data-test=format!("override-lift-{dim}") on:click=lift>{move || i18n.t().ui(Ui::OverrideLift)}</button>
                                }.into_any(),
                                None => view! {
                                    <button type="button" class="link-button" data-test=format!("override-{dim}") on:click=move |_| editing.set(Some(dimension))>{move || i18n.t().ui(Ui::Override)}</button>
                                }.into_any(),
                            }}
                        </div>
                        {manual.map(|o| view! {
                            <p class="class-override" data-test=format!("override-note-{dim}")>{move || i18n.t().override_note(computed, &o.reason, o.until.map(|d| d.to_string()))}</p>
                        })}
                        <p class="class-why muted" data-test=format!("why-{dim}")>{
                            let why = why.clone();
                            move || i18n.t().why(&why)
                        }</p>
                    </div>
                }
            }).collect_view();
            let composite: Option<Why> = reasons.into_iter().find(|w| matches!(w, Why::Composite { .. }));
            Some(view! {
                {rows}
                {composite.map(|why| view! { <p class="class-why muted" data-test="why-composite">{move || i18n.t().why(&why)}</p> })}
            })
        }
    };
    // Re-run only when another dimension is chosen, never when the classes change.
    let editor = move || {
        editing.get().map(|dimension| {
            view! {
                <div class="override-box">
                    <h3>{move || i18n.t().ui(Ui::Override)} " · " {move || i18n.t().dimension(dimension)}</h3>
                    <OverrideEditor id=id.clone() dimension on_done=move |_| editing.set(None)/>
                </div>
            }
        })
    };
    let history = move || {
        let moves = state.snapshots.with(|all| snapshot::moves(all, &key));
        if moves.is_empty() {
            return view! { <p class="muted">{move || i18n.t().ui(Ui::NoClassHistory)}</p> }.into_any();
        }
        view! {
            <div class="table-scroll">
            <table class="class-history" data-test="class-history">
                <thead><tr>
                    <th>{move || i18n.t().ui(Ui::RecordedOn)}</th>
                    {Dimension::ALL.into_iter().map(|d| view! { <th>{move || i18n.t().dimension(d)}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {moves.into_iter().rev().map(|(_, taken_on, classes)| view! {
                        <tr>
                            <td data-test="history-when">{taken_on.to_string()}</td>
                            {Dimension::ALL.into_iter().map(|d| {
                                let class = classes.get(d);
                                view! { <td>{move || i18n.t().class(class)}</td> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="file-section class-panel" data-test="class-panel">
            <h2>{move || i18n.t().ui(Ui::ClassesOnFile)}</h2>
            {rows}
            {editor}
            <h3>{move || i18n.t().ui(Ui::ClassHistory)}</h3>
            {history}
        </section>
    }
}
