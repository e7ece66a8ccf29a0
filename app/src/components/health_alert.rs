//! The allergy / contraindication alert: impossible to miss on the file and before any
//! treatment (allergic reactions are the salons' first source of complaints).

use leptos::prelude::*;

use crate::i18n::use_i18n;

#[component]
pub fn HealthAlert(#[prop(into)] allergies: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="health-alert" role="alert" data-test="health-alert">
            <div class="health-alert-icon" aria-hidden="true">"!"</div>
            <div>
                <h2>{move || i18n.t().alert_title} <span class="health-alert-sub">{move || i18n.t().alert_before_treatment}</span></h2>
                <p class="health-alert-text">{allergies}</p>
            </div>
        </section>
    }
}
