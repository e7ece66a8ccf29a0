//! The allergy / contraindication alert: impossible to miss on the file and before any
//! treatment (allergic reactions are the salons' first source of complaints).

use domain::customer::{Field, Profile};
use leptos::prelude::*;

use crate::i18n::use_i18n;

#[component]
pub fn HealthAlert(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let lines: Vec<(Field, String)> = [Field::Allergies, Field::Contraindications]
        .into_iter()
        .filter(|f| !profile.get(*f).is_empty())
        .map(|f| (f, profile.get(f).to_owned()))
        .collect();
    view! {
        <section class="health-alert" role="alert" data-test="health-alert">
            <div class="health-alert-icon" aria-hidden="true">"!"</div>
            <div>
                <h2>{move || i18n.t().alert_title} <span class="health-alert-sub">{move || i18n.t().alert_before_treatment}</span></h2>
                {lines.into_iter().map(|(field, text)| view! {
                    <p class="health-alert-text"><strong>{move || i18n.t().field_label(field)}"："</strong>{text}</p>
                }).collect_view()}
            </div>
        </section>
    }
}
