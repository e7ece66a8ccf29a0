//! `/`: the paper books as views of one customer list (all, members, potential customers,
//! debtors, cards expiring, deleted), searchable by name, pinyin, phone, number, tag or
//! beautician, with export of what is shown and import from a spreadsheet.

use domain::customer::{Book, SearchQuery, search};
use domain::transfer;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::customer_row::CustomerRow;
use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

/// Rows rendered at once; past this the search box narrows the list faster than scrolling.
const MAX_ROWS: usize = 200;

#[component]
pub fn CustomerListPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let query = RwSignal::new(String::new());
    let book = RwSignal::new(Book::All);
    let today = browser::today();
    let hits = Memo::new(move |_| {
        let query = SearchQuery::parse(&query.get());
        let book = book.get();
        state.customers.with(|all| search(all, book, &query, today).into_iter().cloned().collect::<Vec<_>>())
    });
    let total = move || state.customers.with(|all| all.iter().filter(|s| s.deleted_at.is_none()).count());
    let export = move |json: bool| {
        let ids: Vec<String> = hits.with_untracked(|h| h.iter().map(|s| s.id.clone()).collect());
        leptos::task::spawn_local(async move {
            match state.store().customer_files(&ids).await {
                Ok(files) => {
                    let today = browser::today();
                    let stamp = today.to_string();
                    if json {
                        let body = transfer::export_json(&files, today);
                        browser::download(&format!("meike-{stamp}.json"), "application/json", body.as_bytes());
                    } else {
                        let body = transfer::export_csv(&files, today, i18n.t(), &|id| state.number_of(id.as_str()));
                        browser::download(&format!("meike-{stamp}.csv"), "text/csv;charset=utf-8", body.as_bytes());
                    }
                }
                Err(error) => state.report(error),
            }
        });
    };
    let undo = move |_| {
        let Some((id, _)) = state.just_deleted.get_untracked() else { return };
        state.just_deleted.set(None);
        leptos::task::spawn_local(async move {
            let Ok(id) = domain::ids::CustomerId::parse(&id) else { return };
            let now = browser::now();
            state.edit_customer(&id, |doc, device| doc.set_deleted(device, false, now)).await;
        });
    };
    view! {
        <section class="customer-list-page">
            {move || state.just_deleted.get().map(|(_, name)| view! {
                <div class="notice-bar" role="status" data-test="undo-bar">
                    <span>{format!("{} {name}", i18n.t().ui(Ui::Deleted))}</span>
                    <button type="button" class="button button-primary" data-test="undo" on:click=undo>{move || i18n.t().ui(Ui::Undo)}</button>
                </div>
            })}
            {move || state.notice.get().map(|notice| view! {
                <div class="notice-bar" role="status" data-test="notice">
                    <span>{notice}</span>
                    <button type="button" class="link-button" on:click=move |_| state.notice.set(None)>"×"</button>
                </div>
            })}
            <div class="list-toolbar">
                <h1>{move || i18n.t().list_title}</h1>
                <input type="search" class="search-input" data-test="search"
                    placeholder=move || i18n.t().search_placeholder
                    aria-label=move || i18n.t().search_label
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))/>
            </div>
            <nav class="book-tabs" aria-label=move || i18n.t().ui(Ui::Book)>
                {Book::ALL.iter().map(|b| {
                    let b = *b;
                    view! {
                        <button type="button" class=move || if book.get() == b { "book-tab active" } else { "book-tab" }
                            data-test=format!("book-{}", b.key()) aria-pressed=move || (book.get() == b).to_string()
                            on:click=move |_| book.set(b)>
                            {move || i18n.t().book(b)}
                        </button>
                    }
                }).collect_view()}
            </nav>
            <div class="list-actions">
                <p class="list-count" data-test="list-count">{move || (i18n.t().list_count)(hits.with(Vec::len), total())}</p>
                <p class="list-liability muted" data-test="liability-total">{move || {
                    let (sessions, value) = hits.with(|h| {
                        h.iter().fold((0i64, domain::money::Fen::ZERO), |(n, v), s| (n + s.open_sessions, v + s.open_value))
                    });
                    (i18n.t().liability_total)(sessions, &value.display())
                }}</p>
                <button type="button" class="button button-secondary" data-test="export-csv" on:click=move |_| export(false)>{move || i18n.t().ui(Ui::ExportCsv)}</button>
                <button type="button" class="button button-secondary" data-test="export-json" on:click=move |_| export(true)>{move || i18n.t().ui(Ui::ExportJson)}</button>
                <A href="/import" attr:class="button button-secondary" attr:data-test="import">{move || i18n.t().ui(Ui::Import)}</A>
            </div>
            <Show
                when=move || { total() > 0 || book.get() == Book::Bin }
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
                            children=move |summary| view! { <CustomerRow summary today/> }
                        />
                    </ul>
                </Show>
            </Show>
        </section>
    }
}
