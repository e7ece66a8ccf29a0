//! `/`: the paper books as views of one customer list (all, members, potential customers,
//! debtors, cards expiring, deleted), searchable by name, pinyin, phone, number, tag or
//! beautician, with export of what is shown and import from a spreadsheet.

use domain::classify::filter::ClassFilter;
use domain::classify::overrides::Dimension;
use domain::customer::{Book, CustomerSummary, Field, Outcome, SearchQuery, search};
use domain::transfer;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::customer_row::CustomerRow;
use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

/// Rows rendered at once; past this the search box narrows the list faster than scrolling.
const MAX_ROWS: usize = 200;

#[derive(Clone, PartialEq)]
struct ListView {
    count: usize,
    sessions: i64,
    value: domain::money::Fen,
    rows: Vec<domain::customer::CustomerSummary>,
}

#[component]
pub fn CustomerListPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let query = RwSignal::new(String::new());
    let book = RwSignal::new(Book::All);
    // "dimension:class", or blank for every class.
    let class_filter = RwSignal::new(String::new());
    let today = browser::today();
    // What the list shows: how many match, what the matching cards are worth, and the rows
    // to render (at most MAX_ROWS, cloned; the rest are counted, not copied).
    let view_of = Memo::new(move |_| {
        let query = SearchQuery::parse(&query.get());
        let book = book.get();
        let wanted = ClassFilter::parse(&class_filter.get());
        let classes = wanted.map(|_| state.classes.get());
        state.customers.with(|all| {
            let mut hits = search(all, book, &query, today);
            if let (Some(filter), Some(classes)) = (wanted, classes) {
                hits.retain(|s| filter.keeps(s, &classes.all));
            }
            let sessions: i64 = hits.iter().map(|s| s.open_sessions).sum();
            let value = hits.iter().fold(domain::money::Fen::ZERO, |v, s| v + s.open_value);
            let rows: Vec<_> = hits.iter().take(MAX_ROWS).map(|s| (*s).clone()).collect();
            ListView { count: hits.len(), sessions, value, rows }
        })
    });
    let total = move || state.customers.with(|all| all.iter().filter(|s| s.deleted_at.is_none()).count());
    let export = move |json: bool| {
        let query = SearchQuery::parse(&query.get_untracked());
        let book = book.get_untracked();
        let wanted = ClassFilter::parse(&class_filter.get_untracked());
        let classes = state.classes.get_untracked();
        let ids: Vec<String> = state.customers.with_untracked(|all| {
            let hits = search(all, book, &query, today);
            let shown = |s: &&&CustomerSummary| wanted.is_none_or(|f| f.keeps(s, &classes.all));
            hits.iter().filter(shown).map(|s| s.id.clone()).collect()
        });
        leptos::task::spawn_local(async move {
            match state.store().customer_files(&ids).await {
                Ok(files) => {
                    let files = browser::for_export(files);
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
                <select class="class-filter" data-test="class-filter" aria-label=move || i18n.t().ui(Ui::FilterClass)
                    on:change=move |ev| class_filter.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t().ui(Ui::AllClasses)}</option>
                    {Dimension::ALL.into_iter().map(|dimension| view! {
                        <optgroup label=move || i18n.t().dimension(dimension)>
                            {dimension.classes().into_iter().map(|class| view! {
                                <option value=format!("{}:{}", dimension.key(), class.key())>{move || i18n.t().class(class)}</option>
                            }).collect_view()}
                        </optgroup>
                    }).collect_view()}
                    <optgroup label=move || i18n.t().field_label(Field::Outcome)>
                        {Outcome::ALL.iter().copied().filter(|o| *o != Outcome::Unspecified).map(|outcome| view! {
                            <option value=format!("outcome:{}", outcome.key())>{move || i18n.t().choice(Field::Outcome, outcome.key())}</option>
                        }).collect_view()}
                    </optgroup>
                </select>
                <p class="list-count" data-test="list-count">{move || (i18n.t().list_count)(view_of.with(|v| v.count), total())}</p>
                <p class="list-liability muted" data-test="liability-total">{move || {
                    let (sessions, value) = view_of.with(|v| (v.sessions, v.value));
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
                <Show when=move || view_of.with(|v| v.count > 0) fallback=move || view! { <p class="empty-state">{move || i18n.t().list_no_match}</p> }>
                    <ul class="customer-list" data-test="customer-list">
                        <For
                            each=move || view_of.with(|v| v.rows.clone())
                            key=|summary| summary.clone()
                            children=move |summary| view! { <CustomerRow summary today/> }
                        />
                    </ul>
                </Show>
            </Show>
        </section>
    }
}
