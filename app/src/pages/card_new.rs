//! `/customers/:id/card`: sell a package card (疗程卡/次卡).

use domain::FieldErrors;
use domain::customer::{CardForm, CustomerFile, EntryEdit, EntryField};
use domain::money::Payment;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::entry_field::{EntryFieldView, entry_input_id};
use crate::components::with_file::WithFile;
use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn CardNewPage() -> impl IntoView {
    view! { <WithFile view=|file| view! { <CardFormView file/> }.into_any()/> }
}

/// Built once per customer (see `WithFile`): a sync meanwhile never clears what was typed.
#[component]
fn CardFormView(file: Signal<CustomerFile>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let navigate = use_navigate();
    let today = browser::today();
    let id = file.with_untracked(|f| f.customer.id.clone());
    let back = format!("/customers/{id}");
    let form = RwSignal::new(CardForm {
        bought_on: today.to_string(),
        expires_on: today.checked_add(jiff::Span::new().years(1)).map(|d| d.to_string()).unwrap_or_default(),
        payment: Payment::WeChat.key().to_owned(),
        ..CardForm::default()
    });
    let errors = RwSignal::new(FieldErrors::<EntryField>::default());
    let saving = RwSignal::new(false);
    let account = Memo::new(move |_| file.with(|f| f.account(today)));
    let save = {
        let back = back.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            let checked = account.with_untracked(|account| {
                form.get_untracked().validate(browser::new_entry_id(), account, browser::today())
            });
            let card = match checked {
                Ok(card) => card,
                Err(found) => {
                    errors.set(found);
                    return;
                }
            };
            let now = browser::now();
            let (back, navigate) = (back.clone(), navigate.clone());
            state.submit_edit(
                id.clone(),
                saving,
                move |doc, device| doc.edit_entry(device, EntryEdit::AddCard(&card), now),
                move || navigate(&back, Default::default()),
            );
        }
    };
    let prepaid = move || {
        form.with(|f| f.payment == Payment::Prepaid.key())
            .then(|| account.with(|a| i18n.t().prepaid_balance(&a.prepaid.display())))
    };
    let text = move |field: EntryField,
                     get: fn(&CardForm) -> &String,
                     set: fn(&mut CardForm, String),
                     kind: &'static str| {
        view! {
            <EntryFieldView field errors>
                <input id=entry_input_id(field) type=kind autocomplete="off" inputmode=if kind == "number" { "numeric" } else { "text" }
                    prop:value=move || form.with(|f| get(f).clone())
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))/>
            </EntryFieldView>
        }
    };
    view! {
        <form class="customer-form entry-form" on:submit=save novalidate data-test="card-form">
            <h1>{move || i18n.t().ui(Ui::SellCard)} " · " {move || file.with(|f| f.customer.profile.name().to_owned())}</h1>
            <div class="form-grid">
                {text(EntryField::Item, |f| &f.item, |f, v| f.item = v, "text")}
                {text(EntryField::Sessions, |f| &f.sessions, |f, v| f.sessions = v, "number")}
                {text(EntryField::Price, |f| &f.price, |f, v| f.price = v, "text")}
                <EntryFieldView field=EntryField::Payment errors>
                    <select id=entry_input_id(EntryField::Payment) on:change=move |ev| form.update(|f| f.payment = event_target_value(&ev))>
                        {Payment::ALL.iter().map(|p| {
                            let key = p.key();
                            view! { <option value=key selected=move || form.with(|f| f.payment == key)>{move || i18n.t().payment(*p)}</option> }
                        }).collect_view()}
                    </select>
                    <p class="field-hint" data-test="prepaid-balance">{prepaid}</p>
                </EntryFieldView>
                {text(EntryField::Date, |f| &f.bought_on, |f, v| f.bought_on = v, "date")}
                {text(EntryField::Expiry, |f| &f.expires_on, |f, v| f.expires_on = v, "date")}
            </div>
            <div class="form-actions">
                <a href=back class="button button-secondary">{move || i18n.t().ui(Ui::Cancel)}</a>
                <button type="submit" class="button button-primary" data-test="save-card" disabled=move || saving.get()>{move || i18n.t().ui(Ui::Save)}</button>
            </div>
        </form>
    }
}
