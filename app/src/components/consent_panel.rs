//! Her consents on her file (PIPL art. 29, 15): health record, photos, marketing messages,
//! each with where she stands, who recorded it and when, one button to record or withdraw,
//! and the whole log. Built once per file and following it, so what is typed in "经办人"
//! survives a sync.

use domain::customer::{ConsentEvent, ConsentStatus, CustomerFile, EntryId, Field, Purpose};
use domain::ids::CustomerId;
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn ConsentPanel(id: CustomerId, file: Signal<CustomerFile>) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(id);
    let by = RwSignal::new(browser::saved_consent_by());
    let problem = RwSignal::new(None::<&'static str>);
    let confirming = RwSignal::new(None::<Purpose>);
    let legacy = Memo::new(move |_| {
        file.with(|f| {
            !f.consents.allows(Purpose::Health)
                && Field::ALL.iter().any(|field| field.is_health() && !f.customer.profile.get(*field).is_empty())
        })
    });
    let decide = move |purpose: Purpose, given: bool| {
        let state = use_app();
        let now = browser::now();
        let event = match ConsentEvent::new(
            EntryId::from_random(browser::random_16()),
            purpose,
            given,
            &by.get_untracked(),
            now,
        ) {
            Ok(event) => event,
            Err(found) => {
                problem.set(Some(match found {
                    domain::FieldProblem::Required => i18n.t().ui(Ui::ConsentByRequired),
                    _ => i18n.t().ui(Ui::ConsentByTooLong),
                }));
                return;
            }
        };
        problem.set(None);
        confirming.set(None);
        browser::save_consent_by(&event.by);
        let id = id.get_value();
        leptos::task::spawn_local(async move {
            state.edit_customer(&id, move |doc, device| doc.record_consent(device, &event, now)).await;
        });
    };
    let rows = Purpose::ALL
        .into_iter()
        .map(|purpose| {
            let status = move || {
                file.with(|f| match f.consents.status(purpose) {
                    ConsentStatus::NotRecorded => (i18n.t().ui(Ui::ConsentNotRecorded).to_owned(), "not-recorded", false),
                    ConsentStatus::Given(e) => (format!("{} · {} · {}", i18n.t().ui(Ui::ConsentGiven), e.by, when(e)), "given", true),
                    ConsentStatus::Withdrawn(e) => (format!("{} · {} · {}", i18n.t().ui(Ui::ConsentWithdrawn), e.by, when(e)), "withdrawn", false),
                    // A newer app's decision may be the latest: neither shown as given nor
                    // recorded over; withdrawing stays possible (it is always safe).
                    ConsentStatus::Unreadable => (i18n.t().ui(Ui::ConsentUnreadable).to_owned(), "unreadable", true),
                })
            };
            let given = move || status().2;
            view! {
                <li class="consent-row" data-test=format!("consent-{}", purpose.key())>
                    <div>
                        <strong>{move || i18n.t().ui(purpose_label(purpose))}</strong>
                        <span class=move || format!("consent-status consent-{}", status().1) data-test="consent-status">{move || status().0}</span>
                    </div>
                    <Show when=given fallback=move || view! {
                        <button type="button" class="button button-secondary" data-test="consent-give" on:click=move |_| decide(purpose, true)>
                            {move || i18n.t().ui(Ui::ConsentRecord)}
                        </button>
                    }>
                        <Show when=move || confirming.get() == Some(purpose) fallback=move || view! {
                            <button type="button" class="button button-danger-quiet" data-test="consent-withdraw" on:click=move |_| confirming.set(Some(purpose))>
                                {move || i18n.t().ui(Ui::ConsentWithdraw)}
                            </button>
                        }>
                            <div class="confirm-bar" role="alertdialog">
                                <span>{move || i18n.t().ui(withdraw_warning(purpose))}</span>
                                <button type="button" class="button button-secondary" on:click=move |_| confirming.set(None)>{move || i18n.t().ui(Ui::Cancel)}</button>
                                <button type="button" class="button button-danger" data-test="consent-withdraw-confirm" on:click=move |_| decide(purpose, false)>
                                    {move || i18n.t().ui(Ui::ConsentWithdraw)}
                                </button>
                            </div>
                        </Show>
                    </Show>
                </li>
            }
        })
        .collect_view();
    let log = move || {
        file.with(|f| {
            f.consents
                .events()
                .iter()
                .rev()
                .map(|e| {
                    let what = if e.given { Ui::ConsentGiven } else { Ui::ConsentWithdrawn };
                    view! {
                        <li>{format!("{} · {} · {} · {}", when(e), i18n.t().ui(purpose_label(e.purpose)), i18n.t().ui(what), e.by)}</li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section class="file-section consent-panel" id="consent" data-test="consent-panel">
            <h2>{move || i18n.t().ui(Ui::ConsentTitle)}</h2>
            <Show when=move || legacy.get()>
                <p class="notice-bar" role="status" data-test="consent-legacy">{move || i18n.t().ui(Ui::ConsentLegacy)}</p>
            </Show>
            <p class="muted">{move || i18n.t().ui(Ui::ConsentWhy)}</p>
            <label class="consent-by">
                <span>{move || i18n.t().ui(Ui::ConsentBy)}</span>
                <input type="text" data-test="consent-by" maxlength="40" autocomplete="off"
                    prop:value=move || by.get() on:input=move |ev| by.set(event_target_value(&ev))/>
            </label>
            <Show when=move || problem.get().is_some()>
                <p class="field-error" role="alert" data-test="consent-problem">{move || problem.get()}</p>
            </Show>
            <ul class="consent-rows">{rows}</ul>
            <details class="consent-log">
                <summary>{move || i18n.t().ui(Ui::ConsentLog)}</summary>
                <ul data-test="consent-log">{log}</ul>
            </details>
        </section>
    }
}

fn when(event: &ConsentEvent) -> String {
    browser::local_time_label(event.at.as_millisecond())
}

pub fn purpose_label(purpose: Purpose) -> Ui {
    match purpose {
        Purpose::Health => Ui::ConsentHealth,
        Purpose::Photos => Ui::ConsentPhotos,
        Purpose::Marketing => Ui::ConsentMarketing,
    }
}

fn withdraw_warning(purpose: Purpose) -> Ui {
    match purpose {
        Purpose::Health => Ui::ConsentWithdrawHealth,
        Purpose::Photos => Ui::ConsentWithdrawPhotos,
        Purpose::Marketing => Ui::ConsentWithdrawMarketing,
    }
}
