//! Reads the customer file named by the route's `:id` and hands it to a page's view as a
//! signal. The view is built once per customer and follows her file as it is re-read (after
//! any save or sync): a form on the page keeps what was typed, because nothing rebuilds it.
//! Reading from this device takes milliseconds: no spinner.

use domain::customer::CustomerFile;
use domain::ids::CustomerId;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::i18n::use_i18n;
use crate::state::use_app;

/// What the last read of the route's customer found.
#[derive(Clone, PartialEq)]
enum Read {
    Pending,
    Missing,
    Found(Box<CustomerFile>),
}

#[component]
pub fn WithFile(view: fn(Signal<CustomerFile>) -> AnyView) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).and_then(|raw| CustomerId::parse(&raw).ok()));
    let read = RwSignal::new(Read::Pending);
    let file = LocalResource::new(move || {
        state.revision.track();
        let id = id.get();
        let store = state.store();
        async move {
            let Some(id) = id else { return Ok(None) };
            store.customer_file(&id).await
        }
    });
    Effect::new(move |_| match file.get() {
        Some(Ok(Some(found))) if read.with_untracked(|r| !matches!(r, Read::Found(f) if **f == found)) => {
            read.set(Read::Found(Box::new(found)));
        }
        Some(Ok(Some(_))) => {}
        Some(Ok(None)) => read.set(Read::Missing),
        Some(Err(error)) => state.report(error),
        None => {}
    });
    // Which customer is shown: the view is rebuilt only when this changes, never when her
    // file is merely re-read.
    let shown = Memo::new(move |_| {
        read.with(|r| match r {
            Read::Pending => None,
            Read::Missing => Some(None),
            Read::Found(file) => Some(Some(file.customer.id.clone())),
        })
    });
    move || match shown.get() {
        None => ().into_any(),
        Some(None) => {
            view! { <p class="empty-state" data-test="not-found">{move || i18n.t().detail_not_found}</p> }.into_any()
        }
        Some(Some(_)) => {
            let Read::Found(first) = read.get_untracked() else { return ().into_any() };
            let current = Memo::new(move |previous: Option<&CustomerFile>| {
                read.with(|r| match r {
                    Read::Found(file) => file.as_ref().clone(),
                    _ => previous.cloned().unwrap_or_else(|| first.as_ref().clone()),
                })
            });
            view(current.into())
        }
    }
}
