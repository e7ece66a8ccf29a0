//! Says that her file holds records this build cannot read (a newer app wrote them), instead
//! of leaving them out silently: they stay in the document, untouched, until the app updates.

use domain::record::Unreadable;
use leptos::prelude::*;

use crate::i18n::use_i18n;

#[component]
pub fn UnreadableNotice(records: Vec<Unreadable>) -> impl IntoView {
    let i18n = use_i18n();
    let n = records.len();
    (n > 0).then(|| {
        view! {
            <div class="notice-bar notice-warning" role="status" data-test="unreadable-records">
                <span>{move || (i18n.t().unreadable_records)(n)}</span>
            </div>
        }
    })
}
