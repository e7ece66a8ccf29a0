//! A customer's visits, newest first; voided ones struck through.

use domain::customer::{Card, EntryId, Visit};
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};

#[component]
pub fn VisitList(visits: Vec<Visit>, cards: Vec<Card>, #[prop(into)] on_void: Callback<EntryId>) -> impl IntoView {
    let i18n = use_i18n();
    if visits.is_empty() {
        return view! { <p class="muted">{move || i18n.t().ui(Ui::NoVisits)}</p> }.into_any();
    }
    let rows = visits
        .into_iter()
        .rev()
        .map(|visit| {
            let id = visit.id.clone();
            // The cards used, by item, leaving out one already named as the visit's service.
            let used: Vec<String> = visit
                .card_uses
                .keys()
                .map(|card| cards.iter().find(|c| &c.id == card).map(|c| c.item.clone()).unwrap_or_default())
                .collect();
            let sessions = used.len();
            let others: Vec<String> = used.iter().filter(|item| visit.items.trim() != item.trim()).cloned().collect();
            let when = format!("{} {:02}:{:02}", visit.at.date(), visit.at.hour(), visit.at.minute());
            let class = if visit.voided { "visit-row voided" } else { "visit-row" };
            let payment = visit.payment;
            let amount = visit.amount;
            let voided = visit.voided;
            view! {
                <li class=class data-test="visit-row">
                    <div class="visit-main">
                        <span class="visit-when">{when}</span>
                        <span class="visit-items">{visit.items.clone()}</span>
                        <span class="visit-amount" data-test="visit-paid">{move || if sessions == 0 || amount.as_fen() > 0 {
                            format!("{} · {}", amount.display(), i18n.t().payment(payment))
                        } else if others.is_empty() {
                            i18n.t().card_sessions_used(sessions)
                        } else {
                            format!("{} · {}", others.join("、"), i18n.t().card_sessions_used(sessions))
                        }}</span>
                    </div>
                    <div class="visit-meta">
                        <span>{visit.beautician.clone()}</span>
                        <span>{visit.products.clone()}</span>
                        <span>{visit.notes.clone()}</span>
                        {if voided {
                            view! { <span class="badge">{move || i18n.t().ui(Ui::Voided)}</span> }.into_any()
                        } else {
                            view! {
                                <button type="button" class="link-button" on:click=move |_| on_void.run(id.clone())>
                                    {move || i18n.t().ui(Ui::Void)}
                                </button>
                            }.into_any()
                        }}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="entry-list">{rows}</ul> }.into_any()
}
