//! The money and sessions at a glance: prepaid balance, debt, sessions left and their value,
//! total spent, visits. All derived from the file's entries by the domain.

use domain::customer::Account;
use domain::money::Fen;
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};

#[component]
pub fn AccountSummary(account: Account) -> impl IntoView {
    let i18n = use_i18n();
    let sessions: i64 = account.open_cards().map(|c| c.remaining).sum();
    let last = account.last_visit.map(|v| v.date().to_string());
    let tile = move |label: Ui, value: String, test: &'static str, warn: bool| {
        view! {
            <div class=if warn { "tile tile-warn" } else { "tile" }>
                <span class="tile-label">{move || i18n.t().ui(label)}</span>
                <span class="tile-value" data-test=test>{value}</span>
            </div>
        }
    };
    view! {
        <section class="account-tiles" data-test="account">
            {tile(Ui::Prepaid, account.prepaid.display(), "prepaid", account.prepaid < Fen::ZERO)}
            {tile(Ui::Debt, account.debt.display(), "debt", account.debt > Fen::ZERO)}
            {tile(Ui::OpenSessions, sessions.to_string(), "open-sessions", false)}
            {tile(Ui::Liability, account.liability.display(), "liability", false)}
            {tile(Ui::Spent, account.spent.display(), "spent", false)}
            {tile(Ui::Visits, account.visits.to_string(), "visits", false)}
            {move || last.clone().map(|last| tile(Ui::LastVisit, last, "last-visit", false))}
        </section>
    }
}
