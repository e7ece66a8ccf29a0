//! `/customers/:id/contact[?task=…]`: records a contact in the follow-up log (回访登记表).
//! Opened from a task, the contact answers it and the task closes. Message templates with her
//! name, card and beautician filled in can be copied or opened in the phone's SMS app; the
//! app never sends messages itself.

use domain::FieldErrors;
use domain::care::{Channel, ContactField, ContactForm};
use domain::customer::CustomerFile;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::health_alert::HealthAlert;
use crate::components::with_file::WithFile;
use crate::i18n::care::TemplateValues;
use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

/// The form's free-text fields by their key.
fn field_of<'a>(form: &'a ContactForm, key: &str) -> &'a str {
    match key {
        "by" => &form.by,
        "said" => &form.said,
        "response" => &form.response,
        "result" => &form.result,
        _ => &form.next_step,
    }
}

fn set_field(form: &mut ContactForm, key: &str, value: String) {
    match key {
        "by" => form.by = value,
        "said" => form.said = value,
        "response" => form.response = value,
        "result" => form.result = value,
        _ => form.next_step = value,
    }
}

#[component]
pub fn ContactNewPage() -> impl IntoView {
    view! { <WithFile view=|file| view! { <ContactFormView file/> }.into_any()/> }
}

/// Built once per customer (see `WithFile`): a sync meanwhile never clears what was typed.
#[component]
fn ContactFormView(file: Signal<CustomerFile>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let navigate = use_navigate();
    let query = use_query_map();
    let task = query.with_untracked(|q| q.get("task")).filter(|t| !t.is_empty());
    let (id, assigned) = file.with_untracked(|f| (f.customer.id.clone(), f.customer.profile.beautician().to_owned()));
    let back = format!("/customers/{id}");
    let id_text = id.as_str().to_owned();
    let profile = Memo::new(move |_| file.with(|f| f.customer.profile.clone()));
    let now = browser::local_now();
    let form = RwSignal::new(ContactForm {
        date: now.date().to_string(),
        time: format!("{:02}:{:02}", now.hour(), now.minute()),
        by: {
            let me = browser::saved_beautician();
            if me.is_empty() { assigned } else { me }
        },
        channel: Channel::Call.key().to_owned(),
        answers: task.clone(),
        ..ContactForm::default()
    });
    let errors = RwSignal::new(FieldErrors::<ContactField>::default());
    let saving = RwSignal::new(false);
    let error_of = move |field: ContactField| errors.with(|e| e.get(field).map(|p| i18n.t().problem(p)));
    let save = {
        let back = back.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            let contact = match form.get_untracked().validate(browser::new_entry_id(), browser::local_now()) {
                Ok(contact) => contact,
                Err(found) => {
                    errors.set(found);
                    return;
                }
            };
            let stamp = browser::now();
            let (back, navigate) = (back.clone(), navigate.clone());
            state.submit_edit(
                id.clone(),
                saving,
                move |doc, device| doc.put_contact(device, &contact, stamp),
                move || navigate(&back, Default::default()),
            );
        }
    };
    let card = Memo::new(move |_| {
        file.with(|f| f.account(browser::today()).open_cards().next().map(|c| (c.card.item.clone(), c.remaining)))
    });
    let text = move |label: Ui, field: ContactField, key: &'static str, long: bool| {
        let input_id = format!("contact-{key}");
        let get = move || form.with(|f| field_of(f, key).to_owned());
        let set = move |value: String| form.update(|f| set_field(f, key, value));
        view! {
            <div class=move || if error_of(field).is_some() { "form-field has-error" } else { "form-field" }>
                <label for=input_id.clone()>{move || i18n.t().ui(label)}</label>
                {if long {
                    view! { <textarea id=input_id.clone() rows="3" prop:value=get on:input=move |ev| set(event_target_value(&ev))></textarea> }.into_any()
                } else {
                    view! { <input id=input_id.clone() type="text" prop:value=get on:input=move |ev| set(event_target_value(&ev))/> }.into_any()
                }}
                <p class="field-error" data-test=format!("{input_id}-error")>{move || error_of(field)}</p>
            </div>
        }
    };
    // Signed by whoever makes the contact (the form's "by"), from the salon by its name.
    let templates = move || {
        let (card_name, remaining) = card.get().unwrap_or_default();
        let (name, phone) =
            profile.with(|p| (p.name().to_owned(), p.phone().map(|p| p.as_str().to_owned()).unwrap_or_default()));
        let by = form.with(|f| f.by.trim().to_owned());
        let salon = state.salon_name.get();
        let values =
            TemplateValues { name: &name, beautician: &by, card: &card_name, remaining, salon: salon.as_deref() };
        i18n.t().templates(&values).into_iter().map(|(key, title, body)| {
            let sms = format!("sms:{}?body={}", phone, js_sys::encode_uri_component(&body));
            let copy = body.clone();
            view! {
                <li class="template" data-test=format!("template-{key}")>
                    <strong>{title}</strong>
                    <p>{body.clone()}</p>
                    <div class="template-actions">
                        <button type="button" class="button button-secondary" on:click=move |_| browser::copy_text(&copy)>{move || i18n.t().ui(Ui::CopyText)}</button>
                        <a class="button button-secondary" href=sms.clone()>{move || i18n.t().ui(Ui::OpenSms)}</a>
                    </div>
                </li>
            }
        }).collect_view()
    };
    view! {
        <section class="entry-page contact-page">
            <h1>{move || i18n.t().ui(Ui::ContactTitle)} " · " {move || profile.with(|p| p.name().to_owned())}</h1>
            {move || profile.with(|p| p.has_health_alert().then(|| view! { <HealthAlert profile=p.clone()/> }))}
            {task.clone().map(|t| {
                let customer = id_text.clone();
                let reason = move || state.tasks.with_untracked(|all| {
                    all.open().iter().find(|(task, _)| task.customer == customer && task.id == t).map(|(task, _)| i18n.t().reason(&task.reason))
                });
                view! { <p class="muted" data-test="contact-answers">{move || i18n.t().ui(Ui::ContactAnswers)} ": " {reason}</p> }
            })}
            <form class="customer-form" on:submit=save novalidate=true>
                <div class="form-grid">
                    <div class=move || if error_of(ContactField::Date).is_some() { "form-field has-error" } else { "form-field" }>
                        <label for="contact-date">{move || i18n.t().ui(Ui::ContactDate)}</label>
                        <input id="contact-date" type="date" prop:value=move || form.with(|f| f.date.clone()) on:input=move |ev| form.update(|f| f.date = event_target_value(&ev))/>
                        <p class="field-error">{move || error_of(ContactField::Date)}</p>
                    </div>
                    <div class="form-field">
                        <label for="contact-time">{move || i18n.t().ui(Ui::ContactTime)}</label>
                        <input id="contact-time" type="time" prop:value=move || form.with(|f| f.time.clone()) on:input=move |ev| form.update(|f| f.time = event_target_value(&ev))/>
                    </div>
                    {text(Ui::ContactBy, ContactField::By, "by", false)}
                    <div class="form-field">
                        <label for="contact-channel">{move || i18n.t().ui(Ui::ContactChannel)}</label>
                        <select id="contact-channel" on:change=move |ev| form.update(|f| f.channel = event_target_value(&ev))>
                            {Channel::ALL.iter().copied().map(|c| view! { <option value=c.key()>{move || i18n.t().channel(c)}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                {text(Ui::ContactSaid, ContactField::Said, "said", true)}
                <div class="form-grid">
                    {text(Ui::ContactResponse, ContactField::Response, "response", false)}
                    {text(Ui::ContactResult, ContactField::Result, "result", false)}
                </div>
                {text(Ui::ContactNextStep, ContactField::NextStep, "next-step", false)}
                <div class="form-actions">
                    <button type="submit" class="button button-primary" data-test="save-contact" disabled=move || saving.get()>{move || i18n.t().ui(Ui::Save)}</button>
                </div>
            </form>
            <section class="file-section">
                <h2>{move || i18n.t().ui(Ui::Templates)}</h2>
                {move || state.salon_name.with(|n| n.is_none()).then(|| view! {
                    <p class="field-hint" data-test="salon-name-hint">{move || i18n.t().ui(Ui::SalonNameHint)}</p>
                })}
                <ul class="template-list">{templates}</ul>
            </section>
        </section>
    }
}
