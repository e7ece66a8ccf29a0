//! The psychology screening caution (000 篇8): shown on the file and where a treatment starts
//! when a consultant noted a type that needs counselling. Amber, below the health alert.
//! Only owner, manager and consultant devices name the type; a treatment-room tablet (which
//! the customer sees) says only that the consultant should be spoken to first.

use domain::customer::{Field, Profile};
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;

#[component]
pub fn CounsellingCaution(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let kind = profile.get(Field::PsychType).to_owned();
    let named = browser::saved_role().sees_psychology();
    profile.psych_type().needs_counselling().then(|| {
        if named {
            view! {
                <section class="caution" role="note" data-test="counselling-caution">
                    <h2>{move || i18n.t().ui(Ui::CounsellingTitle)} " · " {move || i18n.t().choice(Field::PsychType, &kind)}</h2>
                    <p>{move || i18n.t().ui(Ui::CounsellingText)}</p>
                </section>
            }
            .into_any()
        } else {
            view! {
                <section class="caution" role="note" data-test="counselling-caution">
                    <p>{move || i18n.t().ui(Ui::CounsellingDiscreet)}</p>
                </section>
            }
            .into_any()
        }
    })
}
