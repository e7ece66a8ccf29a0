//! `/`: the member book as a searchable list (name, any part of the phone, number).

use domain::customer::{SearchQuery, search};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::customer_row::CustomerRow;
use crate::i18n::use_i18n;
use crate::state::use_app;

/// Rows rendered at once; past this the search box narrows the list faster than scrolling.
const MAX_ROWS: usize = 200;

#[component]
pub fn CustomerListPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let query = RwSignal::new(String::new());
    let hits = Memo::new(move |_| {
        let query = SearchQuery::parse(&query.get());
        state.customers.with(|all| search(all, &query).into_iter().cloned().collect::<Vec<_>>())
    });
    let total = move || state.customers.with(Vec::len);
    view! {
        <section class="customer-list-page">
            <div class="list-toolbar">
                <h1>{move || i18n.t().list_title}</h1>
                <input type="search" class="search-input" data-test="search"
                    placeholder=move || i18n.t().search_placeholder
                    aria-label=move || i18n.t().search_label
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))/>
            </div>
            <p class="list-count" data-test="list-count">{move || (i18n.t().list_count)(hits.with(Vec::len), total())}</p>
            <Show
                when=move || { total() > 0 }
                fallback=move || view! {
                    <div class="empty-state">
                        <p>{move || i18n.t().list_empty}</p>
                        <A href="/customers/new" attr:class="button button-primary">{move || i18n.t().nav_new_customer}</A>
                    </div>
                }
            >
                <Show when=move || hits.with(|h| !h.is_empty()) fallback=move || view! { <p class="empty-state">{move || i18n.t().list_no_match}</p> }>
                    <ul class="customer-list" data-test="customer-list">
                        <For
                            each=move || hits.get().into_iter().take(MAX_ROWS)
                            key=|summary| summary.clone()
                            children=move |summary| view! { <CustomerRow summary/> }
                        />
                    </ul>
                </Show>
            </Show>
        </section>
    }
}
