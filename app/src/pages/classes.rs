//! `/classes`: the salon by class. For one dimension at a time: how many customers each
//! class holds and what share of revenue they bring (the 80/20 check), the Pareto curve, and
//! the moves between the last two monthly snapshots. The policy editor is one tap away.

use domain::classify::overrides::{Class, Dimension};
use domain::classify::snapshot::{self, Month};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::classes::percent;
use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn ClassesPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let dimension = RwSignal::new(Dimension::Value);
    let taking = RwSignal::new(false);

    let distribution = move || {
        let dimension = dimension.get();
        let shares = state.classes.with(|c| c.all.distribution(dimension));
        view! {
            <table class="class-table" data-test="distribution">
                <thead><tr>
                    <th>{move || i18n.t().dimension(dimension)}</th>
                    <th class="num">{move || i18n.t().ui(Ui::ClassCustomers)}</th>
                    <th class="num">{move || i18n.t().ui(Ui::ShareOfCustomers)}</th>
                    <th class="num">{move || i18n.t().ui(Ui::ClassRevenue)}</th>
                    <th class="num">{move || i18n.t().ui(Ui::ShareOfRevenue)}</th>
                </tr></thead>
                <tbody>
                    {shares.into_iter().map(|share| {
                        let class = share.class;
                        view! {
                            <tr data-test=format!("share-{}", class.key())>
                                <td><span class=format!("badge class-badge class-{}-{}", dimension.key(), class.key())>{move || i18n.t().class(class)}</span></td>
                                <td class="num" data-test="share-count">{share.customers}</td>
                                <td class="num">{format!("{}%", percent(share.customers_bp))}</td>
                                <td class="num">{share.revenue.display()}</td>
                                <td class="num">
                                    <span class="share-track"><span class="share-bar" style=format!("width: {}%", share.revenue_bp as f64 / 100.0)></span></span>
                                    {format!("{}%", percent(share.revenue_bp))}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
    };

    let pareto = move || {
        let (curve, top) = state.classes.with(|c| (c.all.pareto(50), c.all.top_share(2_000)));
        let points: String = curve
            .iter()
            .map(|(x, y)| format!("{:.2},{:.2}", *x as f64 / 100.0, 100.0 - *y as f64 / 100.0))
            .collect::<Vec<_>>()
            .join(" ");
        let at_20 = 100.0 - top as f64 / 100.0;
        view! {
            <p class="pareto-statement" data-test="top-share">{move || i18n.t().top_share(2_000, top)}</p>
            <figure class="pareto">
                <svg viewBox="-8 -4 112 112" role="img" aria-label=move || i18n.t().ui(Ui::ParetoTitle)>
                    <rect x="0" y="0" width="100" height="100" class="pareto-frame"/>
                    <line x1="0" y1="100" x2="100" y2="0" class="pareto-even"/>
                    <line x1="20" y1="0" x2="20" y2="100" class="pareto-guide"/>
                    <line x1="0" y1=at_20 x2="20" y2=at_20 class="pareto-guide"/>
                    <polyline points=points class="pareto-curve" data-test="pareto-curve"/>
                    <text x="21" y=at_20 - 1.5 class="pareto-label">{format!("20% → {}%", percent(top))}</text>
                    <text x="0" y="107" class="pareto-axis">"0"</text>
                    <text x="94" y="107" class="pareto-axis">"100%"</text>
                </svg>
                <figcaption class="muted">{move || format!("{} · {}", i18n.t().ui(Ui::ParetoAxisCustomers), i18n.t().ui(Ui::ParetoAxisRevenue))}</figcaption>
            </figure>
        }
    };

    let transitions = move || {
        let dimension = dimension.get();
        let pair = state.snapshots.with(|all| {
            let mut sorted: Vec<_> = all.iter().collect();
            sorted.sort_by_key(|s| s.month);
            let n = sorted.len();
            (n >= 2).then(|| (sorted[n - 2].clone(), sorted[n - 1].clone()))
        });
        let Some((from, to)) = pair else {
            return view! { <p class="muted" data-test="transitions-none">{move || i18n.t().ui(Ui::TransitionsNone)}</p> }.into_any();
        };
        let table = snapshot::transitions(&from, &to, dimension);
        let classes: Vec<Class> =
            dimension.classes().into_iter().filter(|c| table.keys().any(|(a, b)| a == c || b == c)).collect();
        let (from_month, to_month) = (from.month.to_string(), to.month.to_string());
        view! {
            <p class="muted">{move || i18n.t().transitions_between(&from_month, &to_month)}</p>
            <table class="class-table transitions" data-test="transitions">
                <thead><tr>
                    <th></th>
                    {classes.iter().map(|c| { let c = *c; view! { <th class="num">{move || i18n.t().class(c)}</th> } }).collect_view()}
                </tr></thead>
                <tbody>
                    {classes.iter().map(|row| {
                        let row = *row;
                        view! {
                            <tr>
                                <th>{move || i18n.t().class(row)}</th>
                                {classes.iter().map(|col| {
                                    let n = table.get(&(row, *col)).copied().unwrap_or(0);
                                    let css = if row == *col { "num stay" } else if n > 0 { "num moved" } else { "num" };
                                    view! { <td class=css data-test=format!("move-{}-{}", row.key(), col.key())>{n}</td> }
                                }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };

    let this_month = move || {
        let month = Month::of(browser::today());
        state
            .snapshots
            .with(|all| all.iter().find(|s| s.month == month).map(|s| (s.month.to_string(), s.taken_on.to_string())))
    };
    let take = move |_| {
        taking.set(true);
        leptos::task::spawn_local(async move {
            state.take_snapshot().await;
            taking.set(false);
        });
    };

    view! {
        <section class="classes-page" data-test="classes-page">
            <div class="list-toolbar">
                <h1>{move || i18n.t().ui(Ui::ClassesTitle)}</h1>
                <A href="/classes/policy" attr:class="button button-secondary" attr:data-test="edit-policy">{move || i18n.t().ui(Ui::PolicyEdit)}</A>
            </div>
            <nav class="book-tabs">
                {Dimension::ALL.into_iter().map(|d| view! {
                    <button type="button" class=move || if dimension.get() == d { "book-tab active" } else { "book-tab" }
                        data-test=format!("dimension-{}", d.key()) aria-pressed=move || (dimension.get() == d).to_string()
                        on:click=move |_| dimension.set(d)>
                        {move || i18n.t().dimension(d)}
                    </button>
                }).collect_view()}
            </nav>
            {move || {
                let (count, by_spend) = state.classes.with(|c| c.all.in_probation());
                let months = state.policy.with(|p| p.probation_months);
                (count > 0).then(|| view! {
                    <p class="notice-bar" role="note" data-test="probation-note">
                        {move || i18n.t().probation_note(count, months, by_spend)}
                    </p>
                })
            }}
            <div class="classes-grid">
                <section class="file-section">
                    <h2>{move || i18n.t().ui(Ui::Distribution)}</h2>
                    {distribution}
                </section>
                <section class="file-section">
                    <h2>{move || i18n.t().ui(Ui::ParetoTitle)}</h2>
                    {pareto}
                </section>
            </div>
            <section class="file-section">
                <h2>{move || i18n.t().ui(Ui::TransitionsTitle)}</h2>
                {transitions}
                <div class="snapshot-bar">
                    <span data-test="snapshot-this-month">{move || match this_month() {
                        Some((month, on)) => i18n.t().snapshot_taken(&month, &on),
                        None => i18n.t().ui(Ui::SnapshotNone).to_owned(),
                    }}</span>
                    <button type="button" class="button button-secondary" data-test="snapshot-now" disabled=move || taking.get() on:click=take>
                        {move || i18n.t().ui(Ui::SnapshotNow)}
                    </button>
                </div>
            </section>
            // How long classifying took on this device: for the benchmark, not for people.
            <span hidden data-test="classify-ms" data-ms=move || state.classes.with(|c| format!("{:.1}", c.millis))
                data-customers=move || state.classes.with(|c| c.all.customers.len().to_string())></span>
        </section>
    }
}
