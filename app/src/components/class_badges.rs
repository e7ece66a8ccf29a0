//! A customer's value class and lifecycle stage as two small badges, for list rows. A class
//! set by hand carries a mark.

use domain::classify::overrides::Dimension;
use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::state::use_app;

#[component]
pub fn ClassBadges(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    move || {
        let classes = state.classes.get();
        let her = classes.all.get(&id)?;
        let badges: Vec<_> = [Dimension::Value, Dimension::Lifecycle]
            .into_iter()
            .map(|dimension| {
                let class = her.effective.get(dimension);
                let by_hand = her.overridden(dimension).is_some();
                let css = format!("badge class-badge class-{}-{}", dimension.key(), class.key());
                let label = format!("{}{}", i18n.t().class(class), if by_hand { " ✎" } else { "" });
                view! { <span class=css data-test=format!("badge-{}", dimension.key()) data-class=class.key()>{label}</span> }
            })
            .collect();
        Some(badges.collect_view())
    }
}
