//! Meike's browser app: boots the device store, then mounts the UI and the sync loop.

mod components;
mod error;
mod i18n;
mod io;
mod pages;
mod state;

use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::app_header::AppHeader;
use crate::components::join_bar::JoinBar;
use crate::components::problem_bar::ProblemBar;
use crate::components::storage_unavailable::StorageUnavailable;
use crate::i18n::{I18n, Locale};
use crate::io::browser;
use crate::io::relay::{self, SyncEvent};
use crate::io::store::Store;
use crate::pages::card_new::CardNewPage;
use crate::pages::care_plan::CarePlanPage;
use crate::pages::class_policy::ClassPolicyPage;
use crate::pages::classes::ClassesPage;
use crate::pages::complaint_new::ComplaintNewPage;
use crate::pages::contact_new::ContactNewPage;
use crate::pages::customer_detail::CustomerDetailPage;
use crate::pages::customer_edit::CustomerEditPage;
use crate::pages::customer_list::CustomerListPage;
use crate::pages::customer_new::CustomerNewPage;
use crate::pages::handover::HandoverPage;
use crate::pages::home::HomePage;
use crate::pages::import::ImportPage;
use crate::pages::money_new::MoneyNewPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::photos::PhotosPage;
use crate::pages::settings::SettingsPage;
use crate::pages::today::TodayPage;
use crate::pages::visit_new::VisitNewPage;
use crate::state::AppState;

/// Opens the device's database, reads the customer list, then mounts the app with the data
/// already in hand: a customer list that is on the device never shows a spinner.
pub fn start() {
    console_error_panic_hook::set_once();
    let locale = browser::saved_locale();
    browser::set_document_lang(locale);
    // Leptos sets up its task executor when it mounts; the boot runs before that.
    wasm_bindgen_futures::spawn_local(async move {
        let store = match Store::open(browser::new_device).await {
            Ok(store) => Rc::new(store),
            Err(error) => {
                web_sys::console::error_1(&error.to_string().into());
                leptos::mount::mount_to_body(move || view! { <StorageUnavailable locale/> });
                return;
            }
        };
        // The customer files must outlive storage pressure: ask the browser to keep them.
        wasm_bindgen_futures::spawn_local(async {
            browser::persist_storage().await;
        });
        let join = browser::take_join_fragment();
        let customers = store.customers().await.unwrap_or_default();
        let last_synced = store.last_synced().await.ok().flatten();
        let (sender, events) = futures::channel::mpsc::unbounded::<SyncEvent>();
        let (reports, mut reported) = futures::channel::mpsc::unbounded::<relay::SyncReport>();
        let state = AppState::new(std::rc::Rc::clone(&store), customers, sender.clone(), last_synced);
        relay::start(relay::Reporter::new(reports, last_synced), store, events, sender);
        // What the sync loop reports reaches the screens through the app state.
        wasm_bindgen_futures::spawn_local(async move {
            while let Some(report) = futures::StreamExt::next(&mut reported).await {
                state.apply(report);
            }
        });
        leptos::mount::mount_to_body(move || view! { <App state locale/> });
        // After mounting: Leptos's task executor exists from then on.
        state.reload_salon();
        if let Some(raw) = join {
            leptos::task::spawn_local(async move { state.offer_link(&raw).await });
        }
        // A join link opened while the app is already open (same page, new fragment).
        if let Some(window) = web_sys::window() {
            gloo::events::EventListener::new(&window, "hashchange", move |_| {
                if let Some(raw) = browser::take_join_fragment() {
                    leptos::task::spawn_local(async move { state.offer_link(&raw).await });
                }
            })
            .forget();
        }
    });
}

#[component]
fn App(state: AppState, locale: Locale) -> impl IntoView {
    provide_context(state);
    provide_context(I18n { locale: RwSignal::new(locale) });
    view! {
        <Router>
            <AppHeader/>
            <ProblemBar/>
            <JoinBar/>
            <main class="page">
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/customers") view=CustomerListPage/>
                    <Route path=path!("/customers/new") view=CustomerNewPage/>
                    <Route path=path!("/customers/:id") view=CustomerDetailPage/>
                    <Route path=path!("/customers/:id/edit") view=CustomerEditPage/>
                    <Route path=path!("/customers/:id/visit") view=VisitNewPage/>
                    <Route path=path!("/customers/:id/card") view=CardNewPage/>
                    <Route path=path!("/customers/:id/money") view=MoneyNewPage/>
                    <Route path=path!("/customers/:id/photos") view=PhotosPage/>
                    <Route path=path!("/import") view=ImportPage/>
                    <Route path=path!("/customers/:id/contact") view=ContactNewPage/>
                    <Route path=path!("/customers/:id/complaint") view=ComplaintNewPage/>
                    <Route path=path!("/today") view=TodayPage/>
                    <Route path=path!("/today/plan") view=CarePlanPage/>
                    <Route path=path!("/handover") view=HandoverPage/>
                    <Route path=path!("/classes") view=ClassesPage/>
                    <Route path=path!("/classes/policy") view=ClassPolicyPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                </Routes>
            </main>
        </Router>
    }
}
