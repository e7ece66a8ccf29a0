//! Every filled-in field of the file, grouped by the sections of the paper card. Empty
//! fields are left out so the file stays calm; the edit form shows them all.

use domain::customer::{Field, Kind, Profile, Section, Tag};
use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn ProfileSections(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    // Only those who screen see the screening (see `Role::sees_psychology`).
    let private = !browser::saved_role().sees_psychology();
    let shown = [
        Field::Name,
        Field::Phone,
        Field::Gender,
        Field::Birthday,
        Field::Allergies,
        Field::Contraindications,
        Field::Notes,
    ];
    Section::ALL
        .iter()
        .copied()
        .filter_map(|section| {
            let facts: Vec<(Field, String)> = Field::of_section(section)
                .filter(|f| !shown.contains(f))
                .filter(|f| !(private && *f == Field::PsychType))
                .filter_map(|field| {
                    let raw = profile.get(field);
                    let value = match field.kind() {
                        Kind::Tags => Tag::join(profile.tags()),
                        Kind::Customer => profile
                            .referrer()
                            .map(|id| {
                                let name = state.name_of(id.as_str()).unwrap_or_default();
                                let number = state.number_of(id.as_str()).unwrap_or_default();
                                format!("{name} {number}")
                            })
                            .unwrap_or_default(),
                        _ => raw.to_owned(),
                    };
                    (!value.trim().is_empty()).then_some((field, value))
                })
                .collect();
            if facts.is_empty() {
                return None;
            }
            let facts = facts
                .into_iter()
                .map(|(field, value)| {
                    let is_choice = matches!(field.kind(), Kind::Choice(_) | Kind::Source);
                    let wide = matches!(field.kind(), Kind::Text(_));
                    view! {
                        <div class=if wide { "fact-wide" } else { "" } data-test=format!("fact-{}", field.key())>
                            <dt>{move || i18n.t().field_label(field)}</dt>
                            <dd>{move || if is_choice { i18n.t().choice(field, &value) } else { value.clone() }}</dd>
                        </div>
                    }
                })
                .collect_view();
            Some(view! {
                <section class="file-section">
                    <h2>{move || i18n.t().section(section)}</h2>
                    <dl class="file-facts">{facts}</dl>
                </section>
            })
        })
        .collect_view()
}
