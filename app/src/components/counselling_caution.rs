//! The psychology screening caution (000 篇8): shown on the file and where a treatment starts
//! when a consultant noted a type that needs counselling. Amber, below the health alert.

use domain::customer::{Field, Profile};
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};

#[component]
pub fn CounsellingCaution(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let kind = profile.get(Field::PsychType).to_owned();
    profile.psych_type().needs_counselling().then(|| {
        view! {
            <section class="caution" role="note" data-test="counselling-caution">
                <h2>{move || i18n.t().ui(Ui::CounsellingTitle)} " · " {move || i18n.t().choice(Field::PsychType, &kind)}</h2>
                <p>{move || i18n.t().ui(Ui::CounsellingText)}</p>
            </section>
        }
    })
}
