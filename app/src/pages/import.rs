//! `/import`: customers from a spreadsheet (UTF-8 or the GBK that Chinese Excel and WPS
//! write). The file is read and checked on the device; the preview lists every row's
//! problems in the user's language and says which rows update a customer already here (by
//! number), and nothing is saved until every row is valid and the user confirms. Then all
//! rows are saved in one transaction.

use domain::customer::{Field, find_customer};
use domain::ids::CustomerId;
use domain::transfer::{self, Column, ImportContext, ImportPlan, Labels};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

use crate::i18n::{EN, Ui, ZH_CN, use_i18n};
use crate::io::browser;
use crate::io::relay::SyncEvent;
use crate::state::use_app;

/// Rows shown in the preview; every row with a problem is shown regardless.
const PREVIEW_ROWS: usize = 50;

#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let navigate = use_navigate();
    let plan = RwSignal::new(None::<Result<ImportPlan, transfer::ImportError>>);
    let saving = RwSignal::new(false);

    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(picked) = input.files().and_then(|files| files.get(0)) else { return };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let Some(bytes) = browser::read_file(&picked).await else { return };
            let labels: [&dyn Labels; 2] = [&ZH_CN, &EN];
            let existing = |number: &str| {
                state.customers.with_untracked(|all| {
                    let her = all.iter().find(|s| s.number.eq_ignore_ascii_case(number))?;
                    let id = CustomerId::parse(&her.id).ok()?;
                    Some(transfer::Existing { id, name: her.name.clone(), phone: her.phone.clone() })
                })
            };
            let mut new_id = browser::random_16;
            let find = |typed: &str| state.customers.with_untracked(|all| find_customer(all, typed));
            let mut ctx = ImportContext {
                today: browser::today(),
                labels: &labels,
                new_id: &mut new_id,
                existing: &existing,
                find: &find,
                gbk: &browser::decode_gbk,
            };
            plan.set(Some(transfer::import_csv(&bytes, &mut ctx)));
        });
    };
    let import = move |_| {
        let Some(Ok(current)) = plan.get_untracked() else { return };
        let Some(customers) = current.customers() else { return };
        let customers: Vec<_> = customers.into_iter().cloned().collect();
        saving.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let refs: Vec<_> = customers.iter().collect();
            let saved = state.store().import_customers(&refs, browser::now(), browser::today()).await;
            saving.set(false);
            match saved {
                Ok(summaries) => {
                    let n = summaries.len();
                    state.customers_changed(summaries);
                    state.nudge(SyncEvent::OutboxChanged);
                    state.notice.set(Some(format!("{} · {n}", i18n.t().ui(Ui::ImportDone))));
                    navigate("/customers", Default::default());
                }
                Err(error) => state.report(error),
            }
        });
    };

    view! {
        <section class="import-page" data-test="import-page">
            <h1>{move || i18n.t().ui(Ui::ImportTitle)}</h1>
            <p class="field-hint import-help">{move || i18n.t().ui(Ui::ImportHelp)}</p>
            <label class="button button-primary file-button">
                {move || i18n.t().ui(Ui::ImportChoose)}
                <input type="file" accept=".csv,text/csv" class="visually-hidden" data-test="import-file" on:change=on_file/>
            </label>
            {move || plan.get().map(|result| match result {
                Err(error) => view! { <p class="form-summary" role="alert" data-test="import-error">{i18n.t().import_error(&error)}</p> }.into_any(),
                Ok(plan) => view! { <Preview plan saving on_import=Callback::new(import.clone())/> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn Preview(plan: ImportPlan, saving: RwSignal<bool>, on_import: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let errors = plan.error_rows();
    let total = plan.rows.len();
    let updates = plan.updates();
    let ignored = plan.ignored_columns.join("、");
    let rows: Vec<_> = plan
        .rows
        .iter()
        .enumerate()
        .filter(|(i, r)| *i < PREVIEW_ROWS || r.result.is_err())
        .map(|(_, r)| r.clone())
        .collect();
    view! {
        <div class="import-preview" data-test="import-preview">
            <p class={if errors > 0 { "form-summary" } else { "notice-bar" }} data-test="import-summary">
                {move || i18n.t().import_summary(total, errors)}
                {move || if errors > 0 { format!(" — {}", i18n.t().ui(Ui::ImportFix)) } else { String::new() }}
            </p>
            {(updates > 0).then(|| view! { <p class="notice-bar" data-test="import-updates">{move || i18n.t().import_updates(updates)}</p> })}
            {(!ignored.is_empty()).then(|| view! { <p class="muted">{move || i18n.t().ui(Ui::ImportIgnored)} " " {ignored.clone()}</p> })}
            <table class="import-table">
                <thead><tr>
                    <th>{move || i18n.t().ui(Ui::ImportLine)}</th>
                    <th>{move || i18n.t().field_label(Field::Name)}</th>
                    <th>{move || i18n.t().ui(Ui::ImportProblems)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let bad = row.result.is_err();
                        let update = row.result.as_ref().is_ok_and(|c| c.update);
                        let problems = row.result.clone().err().unwrap_or_default();
                        view! {
                            <tr class=if bad { "row-bad" } else { "" } data-test=if bad { "import-row-bad" } else { "import-row-ok" }>
                                <td>{row.line}</td>
                                <td>{row.name.clone()}</td>
                                <td>{move || if problems.is_empty() {
                                    i18n.t().ui(if update { Ui::ImportUpdate } else { Ui::ImportOk }).to_owned()
                                } else {
                                    problems.iter().map(|p| {
                                        let column: Column = p.column;
                                        format!("{}：{}", i18n.t().column(column), i18n.t().problem(&p.problem))
                                    }).collect::<Vec<_>>().join("；")
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <button type="button" class="button button-primary" data-test="import-confirm"
                disabled={move || errors > 0 || saving.get()} on:click=move |_| on_import.run(())>
                {move || format!("{} ({total})", i18n.t().ui(Ui::ImportDo))}
            </button>
        </div>
    }
}
