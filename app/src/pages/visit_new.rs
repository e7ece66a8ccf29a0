//! `/customers/:id/visit`: record a visit (到店消费), optionally using card sessions. The
//! allergy alert comes first: this is where a treatment starts.

use domain::FieldErrors;
use domain::customer::{CustomerFile, EntryEdit, EntryField, VisitForm};
use domain::money::Payment;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::counselling_caution::CounsellingCaution;
use crate::components::entry_field::{EntryFieldView, entry_input_id};
use crate::components::health_alert::HealthAlert;
use crate::components::with_file::WithFile;
use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn VisitNewPage() -> impl IntoView {
    view! { <WithFile view=|file| view! { <VisitFormView file/> }.into_any()/> }
}

/// The form is built once from the file as it was when the page opened; what arrives later
/// (a sync, a save on another tab) updates the cards and alerts shown around it, never what
/// was typed. The save checks against the file as it is then.
#[component]
fn VisitFormView(file: Signal<CustomerFile>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let navigate = use_navigate();
    let now = browser::local_now();
    let today = browser::today();
    let (id, beautician) = file.with_untracked(|f| (f.customer.id.clone(), f.customer.profile.beautician().to_owned()));
    let back = format!("/customers/{id}");
    let form = RwSignal::new(VisitForm {
        date: now.date().to_string(),
        time: format!("{:02}:{:02}", now.hour(), now.minute()),
        beautician,
        payment: Payment::WeChat.key().to_owned(),
        ..VisitForm::default()
    });
    let errors = RwSignal::new(FieldErrors::<EntryField>::default());
    let saving = RwSignal::new(false);
    let account = Memo::new(move |_| file.with(|f| f.account(today)));
    let open_cards =
        Memo::new(move |_| account.with(|a| a.open_cards().filter(|c| !c.expired).cloned().collect::<Vec<_>>()));
    let save = {
        let back = back.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            let checked = account.with_untracked(|account| {
                form.get_untracked().validate(browser::new_entry_id(), account, browser::local_now())
            });
            let visit = match checked {
                Ok(visit) => visit,
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
                move |doc, device| doc.edit_entry(device, EntryEdit::AddVisit(&visit), now),
                move || navigate(&back, Default::default()),
            );
        }
    };
    let text = move |field: EntryField,
                     get: fn(&VisitForm) -> &String,
                     set: fn(&mut VisitForm, String),
                     kind: &'static str| {
        view! {
            <EntryFieldView field errors>
                <input id=entry_input_id(field) type=kind autocomplete="off"
                    prop:value=move || form.with(|f| get(f).clone())
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev)))/>
            </EntryFieldView>
        }
    };
    let name = move || file.with(|f| f.customer.profile.name().to_owned());
    let profile = Memo::new(move |_| file.with(|f| f.customer.profile.clone()));
    let alert = move || profile.with(|p| p.has_health_alert().then(|| view! { <HealthAlert profile=p.clone()/> }));
    let prepaid = move || {
        form.with(|f| f.payment == Payment::Prepaid.key())
            .then(|| account.with(|a| i18n.t().prepaid_balance(&a.prepaid.display())))
    };
    view! {
        <form class="customer-form entry-form" on:submit=save novalidate data-test="visit-form">
            <h1>{move || i18n.t().ui(Ui::RecordVisit)} " · " {name}</h1>
            {alert}
            {move || view! { <CounsellingCaution profile=profile.get()/> }}
            <div class="form-grid">
                {text(EntryField::Date, |f| &f.date, |f, v| f.date = v, "date")}
                {text(EntryField::Time, |f| &f.time, |f, v| f.time = v, "time")}
                {text(EntryField::Items, |f| &f.items, |f, v| f.items = v, "text")}
                {text(EntryField::Beautician, |f| &f.beautician, |f, v| f.beautician = v, "text")}
            </div>
            <EntryFieldView field=EntryField::Card errors>
                {move || {
                    let cards = open_cards.get();
                    if cards.is_empty() {
                        return view! { <p class="muted">{move || i18n.t().ui(Ui::NoCardToUse)}</p> }.into_any();
                    }
                    cards.into_iter().map(|status| {
                        let card_id = status.card.id.as_str().to_owned();
                        let checked_id = card_id.clone();
                        let item = status.card.item.clone();
                        view! {
                            <label class="check-row" data-test="use-card">
                                <input type="checkbox" value=card_id.clone()
                                    prop:checked=move || form.with(|f| f.cards.contains(&checked_id))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let card_id = card_id.clone();
                                        form.update(|f| {
                                            f.cards.retain(|c| c != &card_id);
                                            if on {
                                                f.cards.push(card_id);
                                                if f.items.trim().is_empty() {
                                                    f.items = item.clone();
                                                }
                                            }
                                        });
                                    }/>
                                <span>{format!("{} · {} / {}", status.card.item, status.remaining, status.card.sessions)}</span>
                            </label>
                        }
                    }).collect_view().into_any()
                }}
            </EntryFieldView>
            <div class="form-grid">
                {text(EntryField::Amount, |f| &f.amount, |f, v| f.amount = v, "text")}
                <EntryFieldView field=EntryField::Payment errors>
                    <select id=entry_input_id(EntryField::Payment) on:change=move |ev| form.update(|f| f.payment = event_target_value(&ev))>
                        {Payment::ALL.iter().map(|p| {
                            let key = p.key();
                            view! { <option value=key selected=move || form.with(|f| f.payment == key)>{move || i18n.t().payment(*p)}</option> }
                        }).collect_view()}
                    </select>
                    <p class="field-hint" data-test="prepaid-balance">{prepaid}</p>
                </EntryFieldView>
                {text(EntryField::Products, |f| &f.products, |f, v| f.products = v, "text")}
                {text(EntryField::Notes, |f| &f.notes, |f, v| f.notes = v, "text")}
            </div>
            <div class="form-actions">
                <a href=back class="button button-secondary">{move || i18n.t().ui(Ui::Cancel)}</a>
                <button type="submit" class="button button-primary" data-test="save-visit" disabled=move || saving.get()>{move || i18n.t().ui(Ui::Save)}</button>
            </div>
        </form>
    }
}
