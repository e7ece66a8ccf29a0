//! One row of the customer list: big enough to tap, with the allergy flag visible.

use domain::customer::CustomerSummary;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::use_i18n;

#[component]
pub fn CustomerRow(summary: CustomerSummary) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/customers/{}", summary.id);
    let alert = summary.has_health_alert;
    view! {
        <li>
            <A href=href attr:class="customer-row" attr:data-test="customer-row">
                <span class="row-main">
                    <span class="row-name" data-test="row-name">{summary.name}</span>
                    {alert.then(|| view! { <span class="badge badge-alert">{move || i18n.t().allergy_badge}</span> })}
                </span>
                <span class="row-phone" data-test="row-phone">{summary.phone_display}</span>
                <span class="row-meta">
                    <span class="row-number">{summary.number}</span>
                    <span class="row-beautician">{summary.beautician}</span>
                </span>
            </A>
        </li>
    }
}
