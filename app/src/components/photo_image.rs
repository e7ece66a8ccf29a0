//! One photo from the device's blob store, or a calm placeholder while it has not arrived.

use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn PhotoImage(blob: String, #[prop(into)] alt: String) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let url = LocalResource::new(move || {
        state.blob_revision.track();
        let store = state.store();
        let blob = blob.clone();
        async move { store.blob(&blob).await.ok().flatten().and_then(|bytes| browser::object_url(&bytes, "image/jpeg")) }
    });
    view! {
        <Transition fallback=|| ()>
            {move || url.get().map(|url| match url {
                Some(url) => view! { <img class="photo" src=url alt=alt.clone() data-test="photo-img"/> }.into_any(),
                None => view! { <div class="photo photo-missing" data-test="photo-missing">{move || i18n.t().ui(Ui::PhotoMissing)}</div> }.into_any(),
            })}
        </Transition>
    }
}
