//! `/customers/:id/money`: a prepaid top-up (储值), a debt repayment, or a debt recorded
//! outside a visit (欠款本).

use domain::FieldErrors;
use domain::customer::{CustomerFile, EntryEdit, EntryField, MoneyForm, MoneyKind};
use domain::money::Payment;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::account_summary::AccountSummary;
use crate::components::entry_field::{EntryFieldView, entry_input_id};
use crate::components::with_file::WithFile;
use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn MoneyNewPage() -> impl IntoView {
    view! { <WithFile view=|file| view! { <MoneyFormView file/> }.into_any()/> }
}

/// Built once per customer (see `WithFile`): a sync meanwhile never clears what was typed.
#[component]
fn MoneyFormView(file: Signal<CustomerFile>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let navigate = use_navigate();
    let id = file.with_untracked(|f| f.customer.id.clone());
    let back = format!("/customers/{id}");
    let form = RwSignal::new(MoneyForm {
        kind: MoneyKind::TopUp.key().to_owned(),
        payment: Payment::WeChat.key().to_owned(),
        on: browser::today().to_string(),
        ..MoneyForm::default()
    });
    let errors = RwSignal::new(FieldErrors::<EntryField>::default());
    let saving = RwSignal::new(false);
    let save = {
        let back = back.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            let entry = match form.get_untracked().validate(browser::new_entry_id(), browser::today()) {
                Ok(entry) => entry,
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
                move |doc, device| doc.edit_entry(device, EntryEdit::AddMoney(&entry), now),
                move || navigate(&back, Default::default()),
            );
        }
    };
    let in_payments = [Payment::Cash, Payment::WeChat, Payment::Alipay, Payment::BankCard];
    view! {
        <form class="customer-form entry-form" on:submit=save novalidate data-test="money-form">
            <h1>{move || i18n.t().ui(Ui::MoneyEntry)} " · " {move || file.with(|f| f.customer.profile.name().to_owned())}</h1>
            {move || view! { <AccountSummary account=file.with(|f| f.account(browser::today()))/> }}
            <div class="form-grid">
                <EntryFieldView field=EntryField::Kind errors>
                    <select id=entry_input_id(EntryField::Kind) on:change=move |ev| form.update(|f| f.kind = event_target_value(&ev))>
                        {MoneyKind::ALL.iter().map(|k| {
                            let key = k.key();
                            view! { <option value=key selected=move || form.with(|f| f.kind == key)>{move || i18n.t().money_kind(*k)}</option> }
                        }).collect_view()}
                    </select>
                </EntryFieldView>
                <EntryFieldView field=EntryField::Amount errors>
                    <input id=entry_input_id(EntryField::Amount) type="text" inputmode="decimal" autocomplete="off"
                        prop:value=move || form.with(|f| f.amount.clone())
                        on:input=move |ev| form.update(|f| f.amount = event_target_value(&ev))/>
                </EntryFieldView>
                <Show when=move || form.with(|f| f.kind != MoneyKind::Debt.key())>
                    <EntryFieldView field=EntryField::Payment errors>
                        <select id=entry_input_id(EntryField::Payment) on:change=move |ev| form.update(|f| f.payment = event_target_value(&ev))>
                            {in_payments.into_iter().map(|p| {
                                let key = p.key();
                                view! { <option value=key selected=move || form.with(|f| f.payment == key)>{move || i18n.t().payment(p)}</option> }
                            }).collect_view()}
                        </select>
                    </EntryFieldView>
                </Show>
                <EntryFieldView field=EntryField::Date errors>
                    <input id=entry_input_id(EntryField::Date) type="date"
                        prop:value=move || form.with(|f| f.on.clone())
                        on:input=move |ev| form.update(|f| f.on = event_target_value(&ev))/>
                </EntryFieldView>
                <EntryFieldView field=EntryField::Notes errors>
                    <input id=entry_input_id(EntryField::Notes) type="text" autocomplete="off"
                        prop:value=move || form.with(|f| f.note.clone())
                        on:input=move |ev| form.update(|f| f.note = event_target_value(&ev))/>
                </EntryFieldView>
            </div>
            <div class="form-actions">
                <a href=back class="button button-secondary">{move || i18n.t().ui(Ui::Cancel)}</a>
                <button type="submit" class="button button-primary" data-test="save-money" disabled=move || saving.get()>{move || i18n.t().ui(Ui::Save)}</button>
            </div>
        </form>
    }
}
