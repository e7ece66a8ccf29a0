//! `/customers/:id`: one customer's file. Allergies first, then what she has (balance,
//! cards), what happened (visits, money entries, photos) and who she is.

use domain::customer::{CustomerFile, EntryEdit, EntryId, Field};
use domain::transfer;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::account_summary::AccountSummary;
use crate::components::card_list::CardList;
use crate::components::class_panel::ClassPanel;
use crate::components::complaint_list::ComplaintList;
use crate::components::consent_panel::ConsentPanel;
use crate::components::counselling_caution::CounsellingCaution;
use crate::components::erase_customer::EraseCustomer;
use crate::components::follow_ups::FollowUps;
use crate::components::health_alert::HealthAlert;
use crate::components::money_list::MoneyList;
use crate::components::photo_image::PhotoImage;
use crate::components::profile_sections::ProfileSections;
use crate::components::unreadable_notice::UnreadableNotice;
use crate::components::visit_list::VisitList;
use crate::components::with_file::WithFile;
use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::use_app;

#[component]
pub fn CustomerDetailPage() -> impl IntoView {
    view! { <WithFile view=|file| view! { <FileView file/> }.into_any()/> }
}

/// An edit of one customer's document, run inside the store's transaction.
type DocEdit = Box<
    dyn FnOnce(
        &mut domain::customer::CustomerDoc,
        domain::ids::DeviceId,
    ) -> Result<Vec<domain::customer::LocalChange>, domain::DomainError>,
>;

/// The file follows her document as it changes: the parts that only show it are re-drawn,
/// while the parts where someone types (the class overrides, the complaint actions) are built
/// once and follow it themselves, so a sync never takes what was typed.
#[component]
fn FileView(file: Signal<CustomerFile>) -> impl IntoView {
    let id = file.with_untracked(|f| f.customer.id.clone());
    let deleted = Memo::new(move |_| file.with(|f| f.deleted_at.is_some()));
    let confirming = RwSignal::new(false);
    let class_panel = {
        let id = id.clone();
        move || (!deleted.get()).then(|| view! { <ClassPanel id=id.clone()/> })
    };
    let complaints = {
        let id = id.clone();
        move || (!deleted.get()).then(|| view! { <ComplaintList id=id.clone() file/> })
    };
    let consents = {
        let id = id.clone();
        move || (!deleted.get()).then(|| view! { <ConsentPanel id=id.clone() file/> })
    };
    // Built once: her name typed to confirm survives a sync.
    let erase = view! { <EraseCustomer id=id.clone() file/> };
    view! {
        <article class="customer-file" data-test="customer-file">
            {move || file.with(file_top)}
            {complaints}
            {class_panel}
            {consents}
            {move || file.with(|f| file_bottom(f, confirming))}
            {erase}
        </article>
    }
}

/// The head of the file: who she is, what to watch for, her account and follow-ups.
fn file_top(file: &CustomerFile) -> AnyView {
    let i18n = use_i18n();
    let today = browser::today();
    let customer = file.customer.clone();
    let id = customer.id.clone();
    let profile = customer.profile.clone();
    let account = file.account(today);
    let base = format!("/customers/{}", customer.id);
    let alert = profile.has_health_alert().then(|| view! { <HealthAlert profile=profile.clone()/> });
    let created = browser::local_date(customer.created_at).to_string();
    let phone = profile.phone().map(|p| p.display());
    let birthday = profile.birthday();
    let gender = profile.gender();
    let beautician = profile.beautician().to_owned();
    let tags: Vec<String> = profile.tags().iter().map(|t| t.as_str().to_owned()).collect();
    let deleted = file.deleted_at.is_some();
    let restore = {
        let id = id.clone();
        move |_| {
            let now = browser::now();
            edit(&id, Box::new(move |doc, device| doc.set_deleted(device, false, now)));
        }
    };
    let prepaid_overdrawn = account.prepaid_overdrawn();
    view! {
        <header class="file-header">
            <div>
                <h1 data-test="file-name">{profile.name().to_owned()}</h1>
                <p class="file-number">{customer.number.to_string()}
                    {tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
                </p>
            </div>
            <div class="file-actions">
                <A href=format!("{base}/visit") attr:class="button button-primary" attr:data-test="record-visit">{move || i18n.t().ui(Ui::RecordVisit)}</A>
                <A href=format!("{base}/card") attr:class="button button-secondary" attr:data-test="sell-card">{move || i18n.t().ui(Ui::SellCard)}</A>
                <A href=format!("{base}/money") attr:class="button button-secondary" attr:data-test="money">{move || i18n.t().ui(Ui::MoneyEntry)}</A>
                <A href=format!("{base}/photos") attr:class="button button-secondary" attr:data-test="photos">{move || i18n.t().ui(Ui::Photos)}</A>
                <A href=format!("{base}/edit") attr:class="button button-secondary" attr:data-test="edit">{move || i18n.t().detail_edit}</A>
            </div>
        </header>
        {deleted.then(|| view! {
            <div class="notice-bar" role="status" data-test="in-bin">
                <span>{move || i18n.t().ui(Ui::InBin)}</span>
                <button type="button" class="button button-primary" data-test="restore" on:click=restore>{move || i18n.t().ui(Ui::Restore)}</button>
            </div>
        })}
        <UnreadableNotice records=file.unreadable.clone()/>
        {alert}
        <CounsellingCaution profile=profile.clone()/>
        <dl class="file-facts">
            <div class="fact-phone"><dt>{move || i18n.t().field_phone}</dt><dd data-test="file-phone">{
                let phone = phone.clone();
                move || or_none(i18n, phone.clone())
            }</dd></div>
            <div><dt>{move || i18n.t().field_gender}</dt><dd>{move || i18n.t().gender(gender)}</dd></div>
            <div><dt>{move || i18n.t().field_birthday}</dt><dd data-test="file-birthday">{move || match birthday {
                Some(b) => format!("{} · {} · {}", b.to_iso(), (i18n.t().age)(b.age_on(today)), i18n.t().age_band(b.age_band_on(today))),
                None => i18n.t().not_recorded.to_owned(),
            }}</dd></div>
            <div><dt>{move || i18n.t().field_beautician}</dt><dd>{
                let beautician = beautician.clone();
                move || or_none(i18n, Some(beautician.clone()))
            }</dd></div>
            <div><dt>{move || i18n.t().field_created}</dt><dd>{created}</dd></div>
        </dl>
        <AccountSummary account=account.clone()/>
        {prepaid_overdrawn.then(|| view! {
            <p class="overdraw-note" role="alert" data-test="prepaid-overdrawn">{move || i18n.t().ui(Ui::PrepaidOverdrawn)}</p>
        })}
        {(!deleted).then(|| view! { <FollowUps id=id.as_str().to_owned() contacts=file.contacts.clone() states=file.task_states.clone()/> })}
    }
    .into_any()
}

/// A value, or "未填写" when there is none.
fn or_none(i18n: crate::i18n::I18n, value: Option<String>) -> String {
    value.filter(|v| !v.is_empty()).unwrap_or_else(|| i18n.t().not_recorded.to_owned())
}

/// Saves an edit of her document in the background (problems are reported by the state).
fn edit(id: &domain::ids::CustomerId, edit: DocEdit) {
    let state = use_app();
    let id = id.clone();
    leptos::task::spawn_local(async move {
        state.edit_customer(&id, edit).await;
    });
}

/// The rest of the file: cards, visits, money, photos, every other field, and the footer.
fn file_bottom(file: &CustomerFile, confirming: RwSignal<bool>) -> AnyView {
    let i18n = use_i18n();
    let state = use_app();
    let navigate = use_navigate();
    let today = browser::today();
    let customer = file.customer.clone();
    let id = customer.id.clone();
    let profile = customer.profile.clone();
    let account = file.account(today);
    let base = format!("/customers/{}", customer.id);
    let notes = profile.get(Field::Notes).to_owned();
    let deleted = file.deleted_at.is_some();
    let void = {
        let id = id.clone();
        Callback::new(move |entry: EntryId| {
            if !browser::confirm(i18n.t().ui(Ui::VoidConfirm)) {
                return;
            }
            let now = browser::now();
            edit(&id, Box::new(move |doc, device| doc.edit_entry(device, EntryEdit::Void(&entry), now)));
        })
    };
    let delete = {
        let (id, name) = (id.clone(), profile.name().to_owned());
        move |_| {
            let (id, name, navigate) = (id.clone(), name.clone(), navigate.clone());
            leptos::task::spawn_local(async move {
                let now = browser::now();
                if state.edit_customer(&id, |doc, device| doc.set_deleted(device, true, now)).await {
                    state.just_deleted.set(Some((id.as_str().to_owned(), name)));
                    navigate("/customers", Default::default());
                }
            });
        }
    };
    let export = {
        let file = file.clone();
        move |_| {
            let files = browser::for_export(vec![file.clone()]);
            let json = transfer::export_json(&files, browser::today());
            browser::download(&format!("meike-{}.json", file.customer.number), "application/json", json.as_bytes());
        }
    };
    let photos: Vec<_> = file.photos.iter().filter(|p| !p.voided).rev().take(4).cloned().collect();
    let photo_count = file.photos.iter().filter(|p| !p.voided).count();
    view! {
            <section class="file-section">
                <h2>{move || i18n.t().ui(Ui::Cards)}</h2>
                <CardList account=account.clone() on_void=void/>
            </section>
            <section class="file-section">
                <h2>{move || i18n.t().ui(Ui::VisitsTitle)}</h2>
                <VisitList visits=file.visits.clone() cards=file.cards.clone() on_void=void/>
            </section>
            <section class="file-section">
                <h2>{move || i18n.t().ui(Ui::MoneyTitle)}</h2>
                <MoneyList entries=file.money.clone() on_void=void/>
            </section>
            <section class="file-section">
                <h2>{move || i18n.t().ui(Ui::Photos)} " " <span class="muted">{photo_count}</span></h2>
                <div class="photo-strip">
                    {photos.into_iter().map(|p| view! {
                        <A href=format!("{base}/photos") attr:class="photo-link">
                            <PhotoImage blob=p.blob.clone() alt=p.taken_on.to_string()/>
                        </A>
                    }).collect_view()}
                </div>
            </section>
            <ProfileSections profile=profile.clone()/>
            <section class="file-notes">
                <h2>{move || i18n.t().field_notes}</h2>
                <p class="notes-text" data-test="file-notes">{move || or_none(i18n, Some(notes.clone()))}</p>
            </section>
            <footer class="file-footer">
                <button type="button" class="button button-secondary" data-test="export-file" on:click=export>{move || i18n.t().ui(Ui::Export)}</button>
                {(!deleted).then(|| view! {
                    <Show when=move || confirming.get() fallback=move || view! {
                        <button type="button" class="button button-danger-quiet" data-test="delete" on:click=move |_| confirming.set(true)>
                            {move || i18n.t().ui(Ui::Delete)}
                        </button>
                    }>
                        <div class="confirm-bar" role="alertdialog">
                            <span>{move || i18n.t().ui(Ui::DeleteConfirm)}</span>
                            <button type="button" class="button button-secondary" on:click=move |_| confirming.set(false)>{move || i18n.t().ui(Ui::Cancel)}</button>
                            <button type="button" class="button button-danger" data-test="delete-confirm" on:click=delete.clone()>{move || i18n.t().ui(Ui::DeleteYes)}</button>
                        </div>
                    </Show>
                })}
            </footer>
    }
    .into_any()
}
