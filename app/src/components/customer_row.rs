//! One row of the customer list: big enough to tap, with the flags a beautician must see
//! (allergy, contraindication, debt, overdrawn card or balance, card expiring) and her tags.
//! Her name always shows: the badges wrap under it rather than squeeze it.

use domain::customer::CustomerSummary;
use domain::money::Fen;
use jiff::civil::Date;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::class_badges::ClassBadges;
use crate::i18n::{Ui, use_i18n};

#[component]
pub fn CustomerRow(summary: CustomerSummary, today: Date) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/customers/{}", summary.id);
    let (allergy, contraindication) = (summary.has_allergy, summary.has_contraindication);
    let debt = (summary.debt > Fen::ZERO).then(|| summary.debt.display());
    let overdrawn = summary.overdrawn;
    let expiring = summary.expiring_card(today).map(|d| d.to_string());
    view! {
        <li>
            <A href=href attr:class="customer-row" attr:data-test="customer-row">
                <span class="row-main">
                    <span class="row-name" data-test="row-name">{summary.name}</span>
                    <ClassBadges id=summary.id.clone()/>
                    {allergy.then(|| view! { <span class="badge badge-alert" data-test="row-allergy">{move || i18n.t().allergy_badge}</span> })}
                    {contraindication.then(|| view! { <span class="badge badge-alert" data-test="row-contraindication">{move || i18n.t().ui(Ui::ContraindicationBadge)}</span> })}
                    {overdrawn.then(|| view! { <span class="badge badge-alert">{move || i18n.t().ui(Ui::OverdrawnBadge)}</span> })}
                    {debt.map(|d| view! { <span class="badge badge-warn" data-test="row-debt">{move || i18n.t().ui(Ui::Debt)} " " {d.clone()}</span> })}
                    {expiring.map(|d| view! { <span class="badge badge-warn">{move || i18n.t().ui(Ui::ExpiringSoon)} " " {d.clone()}</span> })}
                </span>
                <span class="row-phone" data-test="row-phone">{summary.phone_display}</span>
                <span class="row-meta">
                    <span class="row-number">{summary.number}</span>
                    <span class="row-beautician">{summary.beautician}</span>
                    {summary.tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
                </span>
            </A>
        </li>
    }
}
