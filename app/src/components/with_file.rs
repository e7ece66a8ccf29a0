//! Reads the customer file named by the route's `:id` and hands it to a page's view; the
//! file is re-read whenever any document changes. Reading from this device takes
//! milliseconds: no spinner, and the previous content stays while a sync refresh re-reads it.

use domain::customer::CustomerFile;
use domain::ids::CustomerId;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::i18n::use_i18n;
use crate::state::use_app;

#[component]
pub fn WithFile(view: fn(CustomerFile) -> AnyView) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let params = use_params_map();
    let file = LocalResource::new(move || {
        state.revision.track();
        let id = params.with(|p| p.get("id")).and_then(|raw| CustomerId::parse(&raw).ok());
        let store = state.store();
        async move {
            let Some(id) = id else { return Ok(None) };
            store.customer_file(&id).await
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || file.get().map(|result| match result {
                Ok(Some(file)) => view(file),
                Ok(None) => view! { <p class="empty-state" data-test="not-found">{move || i18n.t().detail_not_found}</p> }.into_any(),
                Err(error) => {
                    state.report(error);
                    ().into_any()
                }
            })}
        </Transition>
    }
}
