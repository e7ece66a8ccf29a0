//! Settings' "storage on this device": what the app stores here against what the browser
//! allows, and whether the browser keeps it when space runs low (it is asked to at start).

use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;

/// Bytes as people read them: "12.3 MB", "2.1 GB".
fn size_label(bytes: f64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes >= 1024.0 * MB { format!("{:.1} GB", bytes / (1024.0 * MB)) } else { format!("{:.1} MB", bytes / MB) }
}

#[component]
pub fn StorageUse() -> impl IntoView {
    let i18n = use_i18n();
    let asked = RwSignal::new(0u32);
    let usage = LocalResource::new(move || {
        asked.track();
        browser::storage_use()
    });
    let ask = move |_| {
        leptos::task::spawn_local(async move {
            browser::persist_storage().await;
            asked.update(|n| *n += 1);
        });
    };
    view! {
        <div class="settings-block" data-test="storage">
            <h2>{move || i18n.t().ui(Ui::StorageTitle)}</h2>
            {move || usage.get().flatten().map(|usage| {
                let used = size_label(usage.used_bytes);
                let free = size_label((usage.quota_bytes - usage.used_bytes).max(0.0));
                view! {
                    <p data-test="storage-use">
                        {move || format!("{} {used} · {} {free}", i18n.t().ui(Ui::StorageUsed), i18n.t().ui(Ui::StorageFree))}
                    </p>
                    {if usage.persisted {
                        view! { <p class="field-ok" data-test="storage-persisted">{move || i18n.t().ui(Ui::StoragePersisted)}</p> }.into_any()
                    } else {
                        view! {
                            <p class="field-hint" data-test="storage-not-persisted">{move || i18n.t().ui(Ui::StorageNotPersisted)}</p>
                            <button type="button" class="button button-secondary" data-test="storage-persist" on:click=ask>
                                {move || i18n.t().ui(Ui::StoragePersist)}
                            </button>
                        }.into_any()
                    }}
                }
            })}
        </div>
    }
}
