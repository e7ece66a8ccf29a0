//! Asks before leaving a page with unsaved changes: closing or reloading the tab gets the
//! browser's own warning, and tapping a link inside the app asks "leave without saving?".
//! Mounted by a page with its own "has unsaved changes" signal; gone when the page is.

use gloo::events::{EventListener, EventListenerOptions, EventListenerPhase};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;

#[component]
pub fn UnsavedGuard(#[prop(into)] dirty: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let listeners = web_sys::window().map(|window| {
        let unload = EventListener::new_with_options(
            &window,
            "beforeunload",
            EventListenerOptions::enable_prevent_default(),
            move |event| {
                if dirty.get_untracked() {
                    event.prevent_default();
                }
            },
        );
        // Capture phase on the window: runs before the router's own link handling.
        let options = EventListenerOptions { phase: EventListenerPhase::Capture, passive: false };
        let click = EventListener::new_with_options(&window, "click", options, move |event| {
            if !dirty.get_untracked() {
                return;
            }
            let on_link = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest("a[href]").ok().flatten())
                .is_some();
            if on_link && !browser::confirm(i18n.t().ui(Ui::LeaveUnsaved)) {
                event.prevent_default();
                event.stop_immediate_propagation();
            }
        });
        (unload, click)
    });
    let listeners = StoredValue::new_local(listeners);
    on_cleanup(move || listeners.update_value(|l| drop(l.take())));
}
