//! The top bar: the salon app's name, the main sections and the sync status.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::sync_badge::SyncBadge;
use crate::i18n::{Ui, use_i18n};

#[component]
pub fn AppHeader() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="app-header">
            <A href="/" attr:class="brand">{move || i18n.t().app_name}</A>
            <nav class="main-nav">
                <A href="/customers" exact=true attr:class="nav-link" attr:data-test="nav-customers">{move || i18n.t().nav_customers}</A>
                <A href="/customers/new" attr:class="nav-link nav-primary" attr:data-test="nav-new">
                    "+ " {move || i18n.t().nav_new_customer}
                </A>
                <A href="/today" attr:class="nav-link" attr:data-test="nav-today">{move || i18n.t().ui(Ui::NavToday)}</A>
                <A href="/classes" attr:class="nav-link" attr:data-test="nav-classes">{move || i18n.t().ui(Ui::NavClasses)}</A>
                <A href="/settings" attr:class="nav-link">{move || i18n.t().nav_settings}</A>
            </nav>
            <SyncBadge/>
        </header>
    }
}
