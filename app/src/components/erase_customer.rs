//! Erasing a customer for good, at her request (PIPL art. 47): the foot of her file on the
//! owner's and managers' devices. Two steps, the second only once her name is typed: nothing
//! in the app is harder to take back.

use domain::customer::CustomerFile;
use domain::ids::CustomerId;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::i18n::{Ui, use_i18n};
use crate::state::use_app;

#[component]
pub fn EraseCustomer(id: CustomerId, file: Signal<CustomerFile>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let navigate = use_navigate();
    let open = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let mismatch = RwSignal::new(false);
    let erase = move |_| {
        // Her name as the file has it now (a rename may have arrived meanwhile).
        let (name, number) =
            file.with_untracked(|f| (f.customer.profile.name().trim().to_owned(), f.customer.number.to_string()));
        if typed.get_untracked().trim() != name {
            mismatch.set(true);
            return;
        }
        let (id, navigate) = (id.clone(), navigate.clone());
        leptos::task::spawn_local(async move {
            if state.erase_customer(&id).await {
                state.notice.set(Some(format!("{} {number}", i18n.t().ui(Ui::Erased))));
                navigate("/customers", Default::default());
            }
        });
    };
    let erase = StoredValue::new_local(erase);
    view! {
        <Show when=move || state.may_erase()>
            <Show when=move || open.get() fallback=move || view! {
                <button type="button" class="button button-danger-quiet" data-test="erase" on:click=move |_| open.set(true)>
                    {move || i18n.t().ui(Ui::Erase)}
                </button>
            }>
                <div class="erase-panel" role="alertdialog" data-test="erase-panel">
                    <p>{move || i18n.t().ui(Ui::EraseWhen)}</p>
                    <label class="form-field">
                        <span>{move || i18n.t().ui(Ui::EraseTypeName)}</span>
                        <input type="text" data-test="erase-name" autocomplete="off"
                            prop:value=move || typed.get()
                            on:input=move |ev| { mismatch.set(false); typed.set(event_target_value(&ev)); }/>
                    </label>
                    {move || mismatch.get().then(|| view! {
                        <p class="field-error" role="alert" data-test="erase-mismatch">{i18n.t().ui(Ui::EraseNameMismatch)}</p>
                    })}
                    <div class="erase-actions">
                        <button type="button" class="button button-secondary" on:click=move |_| { open.set(false); typed.set(String::new()); }>
                            {move || i18n.t().ui(Ui::Cancel)}
                        </button>
                        <button type="button" class="button button-danger" data-test="erase-confirm" on:click=move |ev| erase.with_value(|erase| erase(ev))>
                            {move || i18n.t().ui(Ui::EraseYes)}
                        </button>
                    </div>
                </div>
            </Show>
        </Show>
    }
}
