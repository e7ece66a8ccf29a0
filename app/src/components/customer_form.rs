//! The create/edit form of a customer file, one fieldset per section of the paper card.
//! The fields and their kinds come from the domain's table (`Field::ALL`); validation is the
//! domain's (`CustomerForm::validate`); this view only lays them out and shows the verdict
//! next to each field. Identity and health are always open; the rest fold away so a
//! beautician can open a file in a few taps and fill in more later.

use domain::FieldErrors;
use domain::customer::{
    CustomerForm, Field, Kind, MAX_BY_CHARS, Profile, SearchQuery, Section, Source, check_health, find_customer,
    same_phone, search,
};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::form_field::{FormField, input_id};
use crate::i18n::{EN, Texts, Ui, ZH_CN, use_i18n};
use crate::io::browser;
use crate::state::use_app;

/// One signal per input, so typing in one field never re-renders another.
#[derive(Clone, Copy)]
struct Inputs(StoredValue<Vec<RwSignal<String>>>);

impl Inputs {
    fn new(form: &CustomerForm) -> Self {
        Inputs(StoredValue::new(Field::ALL.iter().map(|f| RwSignal::new(form.get(*f).to_owned())).collect()))
    }

    fn get(&self, field: Field) -> RwSignal<String> {
        let index = Field::ALL.iter().position(|f| *f == field).unwrap_or(0);
        self.0.with_value(|inputs| inputs[index])
    }

    fn snapshot(&self) -> CustomerForm {
        let mut form = CustomerForm::default();
        for field in Field::ALL.iter().copied() {
            let mut value = self.get(field).get_untracked();
            if field == Field::Source {
                value = source_key(&value);
            }
            form.set(field, value);
        }
        form
    }
}

/// A built-in channel typed or picked by its label (in either language) becomes its key.
fn source_key(typed: &str) -> String {
    let typed = typed.trim();
    Source::ALL
        .iter()
        .find(|s| *s != &Source::Unspecified && [&ZH_CN, &EN].iter().any(|t| t.source(**s) == typed))
        .map(|s| s.key().to_owned())
        .unwrap_or_else(|| typed.to_owned())
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

/// Other customers who have the phone number typed, and whether the user said that is right
/// (a mother and daughter sharing a phone): the phone field warns until then.
#[derive(Clone, Copy)]
struct PhoneCheck {
    /// (id, name, number) of each other customer with this number.
    same: Memo<Vec<(String, String, String)>>,
    allowed: RwSignal<bool>,
}

/// A valid form: the profile, and who recorded her health consent when it was ticked here.
#[derive(Debug, Clone)]
pub struct Filled {
    pub profile: Profile,
    pub health_consent_by: Option<String>,
}

#[component]
pub fn CustomerFormView(
    initial: CustomerForm,
    title: fn(&Texts) -> &'static str,
    #[prop(into)] saving: Signal<bool>,
    #[prop(into)] on_valid: Callback<Filled>,
    #[prop(into)] cancel_href: String,
    /// The customer being edited (her own number is not a duplicate); `None` for a new one.
    #[prop(optional)]
    editing: Option<String>,
    /// Her profile as saved (`None` for a new file): health notes left as they were need no
    /// new consent.
    #[prop(optional)]
    before: Option<Profile>,
    /// She has already given her health consent.
    #[prop(optional)]
    consented: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let filled: Vec<Section> =
        Section::ALL.iter().copied().filter(|s| Field::of_section(*s).any(|f| !initial.get(f).is_empty())).collect();
    let inputs = Inputs::new(&initial);
    let errors = RwSignal::new(FieldErrors::default());
    let attempted = RwSignal::new(false);
    let consent = ConsentBox {
        ticked: RwSignal::new(false),
        by: RwSignal::new(browser::saved_consent_by()),
        by_missing: RwSignal::new(false),
    };

    // By number (a referrer in the bin still referred her) or by a name only one has.
    let referrer = move |typed: &str| state.customers.with_untracked(|all| find_customer(all, typed));
    let phone_check = PhoneCheck {
        same: Memo::new(move |_| {
            let phone = inputs.get(Field::Phone).get();
            state.customers.with(|all| {
                same_phone(all, &phone, editing.as_deref())
                    .into_iter()
                    .map(|s| (s.id.clone(), s.name.clone(), s.number.clone()))
                    .collect()
            })
        }),
        allowed: RwSignal::new(false),
    };
    provide_context(phone_check);
    let before = StoredValue::new(before);
    let check = move || {
        let checked = inputs.snapshot().validate(browser::today(), &referrer).and_then(|profile| {
            let given = consented || consent.ticked.get_untracked();
            before.with_value(|b| check_health(b.as_ref(), &profile, given)).map(|()| profile)
        });
        let by = consent.by.get_untracked();
        let by_missing = !consented && consent.ticked.get_untracked() && by.trim().is_empty();
        consent.by_missing.set(by_missing);
        match checked {
            Ok(profile) if !by_missing => {
                errors.set(FieldErrors::default());
                let health_consent_by = (!consented && consent.ticked.get_untracked()).then(|| by.trim().to_owned());
                Some(Filled { profile, health_consent_by })
            }
            Ok(_) => {
                errors.set(FieldErrors::default());
                None
            }
            Err(found) => {
                errors.set(found);
                None
            }
        }
    };
    // After the first attempt to save, every edit re-checks so a message goes away as soon
    // as the field is fixed.
    let recheck = move || {
        if attempted.get_untracked() {
            check();
        }
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        attempted.set(true);
        let duplicate = phone_check.same.with_untracked(|s| !s.is_empty()) && !phone_check.allowed.get_untracked();
        match check() {
            Some(_) if duplicate => focus(Field::Phone),
            Some(filled) => on_valid.run(filled),
            None if consent.by_missing.get_untracked() => focus_id("consent-health-by"),
            None => {
                if let Some((field, _)) = errors.with_untracked(|e| e.iter().next().cloned()) {
                    open_section_of(field);
                    focus(field);
                }
            }
        }
    };
    let sections = Section::ALL
        .iter()
        .copied()
        .map(|section| {
            let fields = Field::of_section(section)
                .map(|field| view! { <FieldInput field inputs errors recheck=Callback::new(move |()| recheck())/> })
                .collect_view();
            let always_open = matches!(section, Section::Identity | Section::Health | Section::Notes);
            let open = always_open || filled.contains(&section);
            let class = if section == Section::Health { "form-section fieldset-health" } else { "form-section" };
            let consent_box = (section == Section::Health && !consented)
                .then(|| view! { <HealthConsent consent recheck=Callback::new(move |()| recheck())/> });
            view! {
                <details class=class open=open data-section=format!("{section:?}").to_lowercase()>
                    <summary>{move || i18n.t().section(section)}</summary>
                    {consent_box}
                    <div class="form-grid">{fields}</div>
                </details>
            }
        })
        .collect_view();

    view! {
        <form class="customer-form" on:submit=submit novalidate data-test="customer-form">
            <h1>{move || title(i18n.t())}</h1>
            <Show when=move || errors.with(|e| !e.is_empty())>
                <p class="form-summary" role="alert" data-test="form-summary">{move || i18n.t().form_has_errors}</p>
            </Show>
            {sections}
            <datalist id="source-options">
                {move || {
                    let t = i18n.t();
                    let mut options: Vec<String> =
                        Source::ALL.iter().filter(|s| **s != Source::Unspecified).map(|s| t.source(*s).to_owned()).collect();
                    state.customers.with(|all| {
                        for summary in all {
                            if Source::parse(&summary.source).is_err() && !options.contains(&summary.source) {
                                options.push(summary.source.clone());
                            }
                        }
                    });
                    options.into_iter().map(|o| view! { <option value=o/> }).collect_view()
                }}
            </datalist>
            <datalist id="referrer-options">
                {move || {
                    let typed = inputs.get(Field::Referrer).get();
                    if typed.trim().is_empty() {
                        return Vec::new();
                    }
                    let query = SearchQuery::parse(&typed);
                    state.customers.with(|all| {
                        search(all, domain::customer::Book::All, &query, browser::today())
                            .into_iter()
                            .take(20)
                            .map(|s| view! { <option value=s.number.clone()>{format!("{} {}", s.name, s.phone_display)}</option> })
                            .collect::<Vec<_>>()
                    })
                }}
            </datalist>
            <div class="form-actions">
                <a href=cancel_href class="button button-secondary">{move || i18n.t().form_cancel}</a>
                <button type="submit" class="button button-primary" data-test="save" disabled=move || saving.get()>
                    {move || i18n.t().form_save}
                </button>
            </div>
        </form>
    }
}

/// The health consent asked in the form itself, so a new customer's allergies can be written
/// the moment she agrees (the file's consent panel records the others).
#[derive(Clone, Copy)]
struct ConsentBox {
    ticked: RwSignal<bool>,
    by: RwSignal<String>,
    by_missing: RwSignal<bool>,
}

#[component]
fn HealthConsent(consent: ConsentBox, recheck: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="health-consent" data-test="health-consent">
            <label class="check-row">
                <input type="checkbox" data-test="consent-health-box" prop:checked=move || consent.ticked.get()
                    on:change=move |ev| { consent.ticked.set(event_target_checked(&ev)); recheck.run(()); }/>
                {move || i18n.t().ui(Ui::ConsentHealthBox)}
            </label>
            <Show when=move || consent.ticked.get()>
                <label class="consent-by">
                    <span>{move || i18n.t().ui(Ui::ConsentBy)}</span>
                    <input type="text" id="consent-health-by" data-test="consent-health-by" maxlength=MAX_BY_CHARS.to_string()
                        autocomplete="off" aria-invalid=move || consent.by_missing.get().to_string()
                        prop:value=move || consent.by.get() on:input=move |ev| { consent.by.set(event_target_value(&ev)); recheck.run(()); }/>
                </label>
                <Show when=move || consent.by_missing.get()>
                    <p class="field-error" role="alert">{move || i18n.t().ui(Ui::ConsentByRequired)}</p>
                </Show>
            </Show>
            <p class="muted">{move || i18n.t().ui(Ui::ConsentWhy)}</p>
        </div>
    }
}

fn focus_id(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// Opens the folded section holding `field`, so focusing it shows it.
fn open_section_of(field: Field) {
    let section = format!("{:?}", field.section()).to_lowercase();
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&format!("details[data-section='{section}']")).ok().flatten());
    if let Some(element) = element {
        let _ = element.set_attribute("open", "");
    }
}

#[component]
fn FieldInput(field: Field, inputs: Inputs, errors: RwSignal<FieldErrors>, recheck: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let signal = inputs.get(field);
    let error = Signal::derive(move || {
        errors.with(|e| e.get(field).map(|problem| i18n.t().field_problem(i18n.t().field_label(field), problem)))
    });
    let invalid = move || errors.with(|e| e.get(field).is_some()).to_string();
    let on_input = move |ev: leptos::ev::Event| {
        signal.set(event_target_value(&ev));
        recheck.run(());
    };
    let id = input_id(field);
    let described = format!("{id}-error");
    let max = field.max_chars().map(|m| m.to_string());
    // The screening is for those who screen: a tablet the customer sees never shows it.
    if field == Field::PsychType && !browser::saved_role().sees_psychology() {
        return ().into_any();
    }
    let today = browser::today().to_string();
    let (input, wide) = match field.kind() {
        Kind::Text(_) => {
            let rows = if field == Field::Notes { "4" } else { "2" };
            (view! {
                <textarea id=id rows=rows maxlength=max aria-invalid=invalid aria-describedby=described
                    prop:value=move || signal.get() on:input=on_input></textarea>
            }.into_any(), true)
        }
        Kind::Choice(keys) => (view! {
            <select id=id aria-describedby=described on:change=on_input>
                {keys.iter().map(|key| view! {
                    <option value=*key selected=move || signal.get() == *key>{move || i18n.t().choice(field, key)}</option>
                }).collect_view()}
            </select>
        }.into_any(), false),
        Kind::Phone => (view! {
            <input id=id type="tel" inputmode="tel" autocomplete="off" aria-invalid=invalid aria-describedby=described
                prop:value=move || signal.get() on:input=on_input/>
            <SamePhoneWarning/>
        }.into_any(), false),
        Kind::Birthday | Kind::PastDate => (view! {
            <input id=id type="date" max=today min="1900-01-01" aria-invalid=invalid aria-describedby=described
                prop:value=move || signal.get() on:input=on_input/>
        }.into_any(), false),
        Kind::Source => (view! {
            <input id=id type="text" list="source-options" autocomplete="off" maxlength=max aria-invalid=invalid
                aria-describedby=described
                prop:value=move || {
                    let v = signal.get();
                    if v.is_empty() { v } else { i18n.t().choice(Field::Source, &v) }
                }
                on:input=on_input/>
        }.into_any(), false),
        Kind::Customer => (view! {
            <input id=id type="text" list="referrer-options" autocomplete="off" aria-invalid=invalid
                aria-describedby=described prop:value=move || signal.get() on:input=on_input/>
        }.into_any(), false),
        Kind::Name | Kind::Line(_) | Kind::Tags => (view! {
            <input id=id type="text" autocomplete="off" maxlength=max aria-invalid=invalid aria-describedby=described
                required=field == Field::Name prop:value=move || signal.get() on:input=on_input/>
        }.into_any(), matches!(field.kind(), Kind::Line(n) if n > 60) || field == Field::Tags),
    };
    view! { <FormField field error wide>{input}</FormField> }.into_any()
}

/// Under the phone: who else has this number, a link to her file, and a box to say it is
/// right. Saving waits for that box while someone else has the number.
#[component]
fn SamePhoneWarning() -> impl IntoView {
    let i18n = use_i18n();
    let Some(check) = use_context::<PhoneCheck>() else { return ().into_any() };
    view! {
        <Show when=move || check.same.with(|s| !s.is_empty())>
            <div class="same-phone" role="alert" data-test="same-phone">
                <p>{move || i18n.t().ui(Ui::SamePhone)}</p>
                <ul>
                    {move || check.same.get().into_iter().map(|(id, name, number)| view! {
                        <li><a href=format!("/customers/{id}") target="_blank" data-test="same-phone-file">{format!("{name} · {number}")}</a></li>
                    }).collect_view()}
                </ul>
                <label class="check-row">
                    <input type="checkbox" data-test="same-phone-ok" prop:checked=move || check.allowed.get()
                        on:change=move |ev| check.allowed.set(event_target_checked(&ev))/>
                    {move || i18n.t().ui(Ui::SamePhoneAllow)}
                </label>
            </div>
        </Show>
    }
    .into_any()
}
