//! The create/edit form of a customer file. Validation is the domain's
//! (`CustomerForm::validate`); this view only shows its verdict next to each field.

use domain::customer::{CustomerForm, Gender, Profile, Source, limits};
use domain::{Field, FieldErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::form_field::{FormField, input_id};
use crate::i18n::{Texts, use_i18n};
use crate::io::browser;

/// One signal per input, so typing in one field never re-renders another.
#[derive(Clone, Copy)]
struct Inputs {
    name: RwSignal<String>,
    gender: RwSignal<String>,
    phone: RwSignal<String>,
    birthday: RwSignal<String>,
    source: RwSignal<String>,
    allergies: RwSignal<String>,
    notes: RwSignal<String>,
    beautician: RwSignal<String>,
}

impl Inputs {
    fn new(form: CustomerForm) -> Self {
        Inputs {
            name: RwSignal::new(form.name),
            gender: RwSignal::new(form.gender),
            phone: RwSignal::new(form.phone),
            birthday: RwSignal::new(form.birthday),
            source: RwSignal::new(form.source),
            allergies: RwSignal::new(form.allergies),
            notes: RwSignal::new(form.notes),
            beautician: RwSignal::new(form.beautician),
        }
    }

    fn snapshot(&self) -> CustomerForm {
        CustomerForm {
            name: self.name.get_untracked(),
            gender: self.gender.get_untracked(),
            phone: self.phone.get_untracked(),
            birthday: self.birthday.get_untracked(),
            source: self.source.get_untracked(),
            allergies: self.allergies.get_untracked(),
            notes: self.notes.get_untracked(),
            beautician: self.beautician.get_untracked(),
        }
    }
}

fn focus(field: Field) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&input_id(field)))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

#[component]
pub fn CustomerFormView(
    initial: CustomerForm,
    title: fn(&Texts) -> &'static str,
    #[prop(into)] saving: Signal<bool>,
    #[prop(into)] on_valid: Callback<Profile>,
    #[prop(into)] cancel_href: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let inputs = Inputs::new(initial);
    let errors = RwSignal::new(FieldErrors::default());
    let attempted = RwSignal::new(false);

    let check = move || match inputs.snapshot().validate(browser::today()) {
        Ok(profile) => {
            errors.set(FieldErrors::default());
            Some(profile)
        }
        Err(found) => {
            errors.set(found);
            None
        }
    };
    // After the first attempt to save, every edit re-checks so a message goes away as soon
    // as the field is fixed.
    let recheck = move || {
        if attempted.get_untracked() {
            check();
        }
    };
    let error_of = move |field: Field| -> Signal<Option<String>> {
        Signal::derive(move || errors.with(|e| e.get(field).map(|problem| i18n.t().problem(problem))))
    };
    let invalid = move |field: Field| move || errors.with(|e| e.get(field).is_some()).to_string();
    let on_input = move |signal: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            signal.set(event_target_value(&ev));
            recheck();
        }
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        attempted.set(true);
        match check() {
            Some(profile) => on_valid.run(profile),
            None => {
                if let Some((field, _)) = errors.with_untracked(|e| e.iter().next().cloned()) {
                    focus(field);
                }
            }
        }
    };
    let today = browser::today().to_string();

    view! {
        <form class="customer-form" on:submit=submit novalidate data-test="customer-form">
            <h1>{move || title(i18n.t())}</h1>
            <Show when=move || errors.with(|e| !e.is_empty())>
                <p class="form-summary" role="alert" data-test="form-summary">{move || i18n.t().form_has_errors}</p>
            </Show>

            <fieldset>
                <legend>{move || i18n.t().form_section_basic}</legend>
                <div class="form-grid">
                    <FormField field=Field::Name error=error_of(Field::Name)>
                        <input id=input_id(Field::Name) type="text" autocomplete="off" required
                            maxlength=limits::NAME.to_string()
                            aria-invalid=invalid(Field::Name) aria-describedby="field-name-error"
                            prop:value=move || inputs.name.get() on:input=on_input(inputs.name)/>
                    </FormField>
                    <FormField field=Field::Phone error=error_of(Field::Phone) hint=|t: &Texts| t.phone_hint>
                        <input id=input_id(Field::Phone) type="tel" inputmode="tel" autocomplete="off"
                            aria-invalid=invalid(Field::Phone) aria-describedby="field-phone-error"
                            prop:value=move || inputs.phone.get() on:input=on_input(inputs.phone)/>
                    </FormField>
                    <FormField field=Field::Gender error=error_of(Field::Gender)>
                        <select id=input_id(Field::Gender) on:change=on_input(inputs.gender)>
                            {Gender::ALL.iter().map(|&gender| view! {
                                <option value=gender.key() selected=move || inputs.gender.get() == gender.key()>
                                    {move || i18n.t().gender(gender)}
                                </option>
                            }).collect_view()}
                        </select>
                    </FormField>
                    <FormField field=Field::Birthday error=error_of(Field::Birthday)>
                        <input id=input_id(Field::Birthday) type="date" max=today min="1900-01-01"
                            aria-invalid=invalid(Field::Birthday) aria-describedby="field-birthday-error"
                            prop:value=move || inputs.birthday.get() on:input=on_input(inputs.birthday)/>
                    </FormField>
                </div>
            </fieldset>

            <fieldset class="fieldset-health">
                <legend>{move || i18n.t().form_section_health}</legend>
                <FormField field=Field::Allergies error=error_of(Field::Allergies) hint=|t: &Texts| t.allergies_hint wide=true>
                    <textarea id=input_id(Field::Allergies) rows="2" maxlength=limits::ALLERGIES.to_string()
                        aria-invalid=invalid(Field::Allergies) aria-describedby="field-allergies-error"
                        prop:value=move || inputs.allergies.get() on:input=on_input(inputs.allergies)></textarea>
                </FormField>
            </fieldset>

            <fieldset>
                <legend>{move || i18n.t().form_section_relationship}</legend>
                <div class="form-grid">
                    <FormField field=Field::Source error=error_of(Field::Source)>
                        <select id=input_id(Field::Source) on:change=on_input(inputs.source)>
                            {Source::ALL.iter().map(|&source| view! {
                                <option value=source.key() selected=move || inputs.source.get() == source.key()>
                                    {move || i18n.t().source(source)}
                                </option>
                            }).collect_view()}
                        </select>
                    </FormField>
                    <FormField field=Field::Beautician error=error_of(Field::Beautician)>
                        <input id=input_id(Field::Beautician) type="text" autocomplete="off"
                            maxlength=limits::BEAUTICIAN.to_string()
                            prop:value=move || inputs.beautician.get() on:input=on_input(inputs.beautician)/>
                    </FormField>
                </div>
                <FormField field=Field::Notes error=error_of(Field::Notes) wide=true>
                    <textarea id=input_id(Field::Notes) rows="4" maxlength=limits::NOTES.to_string()
                        aria-invalid=invalid(Field::Notes) aria-describedby="field-notes-error"
                        prop:value=move || inputs.notes.get() on:input=on_input(inputs.notes)></textarea>
                </FormField>
            </fieldset>

            <div class="form-actions">
                <a href=cancel_href class="button button-secondary">{move || i18n.t().form_cancel}</a>
                <button type="submit" class="button button-primary" data-test="save" disabled=move || saving.get()>
                    {move || i18n.t().form_save}
                </button>
            </div>
        </form>
    }
}
