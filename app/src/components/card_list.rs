//! A customer's package cards: sessions left, value, expiry, and the overdraw flag when
//! offline devices used more sessions than the card had.

use domain::customer::{Account, EntryId};
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};

#[component]
pub fn CardList(account: Account, #[prop(into)] on_void: Callback<EntryId>) -> impl IntoView {
    let i18n = use_i18n();
    if account.cards.is_empty() {
        return view! { <p class="muted">{move || i18n.t().ui(Ui::NoCards)}</p> }.into_any();
    }
    let rows = account
        .cards
        .into_iter()
        .map(|status| {
            let card = status.card.clone();
            let id = card.id.clone();
            let class = if status.overdrawn() {
                "card-row card-overdrawn"
            } else if status.remaining <= 0 || status.expired {
                "card-row card-closed"
            } else {
                "card-row"
            };
            let expiry = card.expires_on.map(|d| d.to_string());
            view! {
                <li class=class data-test="card-row">
                    <div class="card-main">
                        <span class="card-item">{card.item.clone()}</span>
                        <span class="card-sessions" data-test="card-remaining">
                            {format!("{} / {}", status.remaining, card.sessions)}
                        </span>
                        <span class="muted">{move || i18n.t().ui(Ui::SessionsLeft)}</span>
                    </div>
                    <div class="card-meta">
                        <span data-test="card-price">{move || i18n.t().ui(Ui::CardPrice)} " " {card.price.display()}</span>
                        <span>{move || i18n.t().ui(Ui::CardBought)} " " {card.bought_on.to_string()}</span>
                        <span>{move || match &expiry {
                            Some(date) => format!("→ {date}"),
                            None => i18n.t().ui(Ui::NoExpiry).to_owned(),
                        }}</span>
                        {status.expired.then(|| view! { <span class="badge badge-warn">{move || i18n.t().ui(Ui::Expired)}</span> })}
                        {status.expiring_soon.then(|| view! { <span class="badge badge-warn">{move || i18n.t().ui(Ui::ExpiringSoon)}</span> })}
                        <button type="button" class="link-button" on:click=move |_| on_void.run(id.clone())>
                            {move || i18n.t().ui(Ui::Void)}
                        </button>
                    </div>
                    {status.overdrawn().then(|| view! {
                        <p class="overdraw-note" role="alert" data-test="overdrawn">{move || i18n.t().ui(Ui::Overdrawn)}</p>
                    })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="entry-list">{rows}</ul> }.into_any()
}
