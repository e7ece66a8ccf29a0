//! Prepaid top-ups, debts and repayments of one customer.

use domain::customer::{EntryId, MoneyEntry};
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};

#[component]
pub fn MoneyList(entries: Vec<MoneyEntry>, #[prop(into)] on_void: Callback<EntryId>) -> impl IntoView {
    let i18n = use_i18n();
    if entries.is_empty() {
        return view! { <p class="muted">{move || i18n.t().ui(Ui::NoMoney)}</p> }.into_any();
    }
    let rows = entries
        .into_iter()
        .rev()
        .map(|entry| {
            let id = entry.id.clone();
            let (kind, paid_by, voided) = (entry.kind, entry.paid_by(), entry.voided);
            view! {
                <li class=if voided { "money-row voided" } else { "money-row" } data-test="money-row">
                    <span>{entry.on.to_string()}</span>
                    <span>{move || i18n.t().money_kind(kind)}</span>
                    <span class="money-amount">{entry.amount.display()}</span>
                    <span class="muted" data-test="money-paid-by">{move || paid_by.map(|p| i18n.t().payment(p))}</span>
                    <span>{entry.note.clone()}</span>
                    {(!voided).then(|| view! {
                        <button type="button" class="link-button" on:click=move |_| on_void.run(id.clone())>
                            {move || i18n.t().ui(Ui::Void)}
                        </button>
                    })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="entry-list">{rows}</ul> }.into_any()
}
