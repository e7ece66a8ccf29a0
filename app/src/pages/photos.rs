//! `/customers/:id/photos`: dated before/after photos per body area, taken with the camera or
//! chosen from files, resized on the device; and a side-by-side comparison of two dates.

use domain::blob::BlobHash;
use domain::customer::{BodyArea, CustomerFile, EntryEdit, Photo, PhotoStage};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::photo_image::PhotoImage;
use crate::components::with_file::WithFile;
use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::io::relay::SyncEvent;
use crate::state::use_app;

/// What the next photo will be recorded as. The page is built once per customer (see
/// `WithFile`), so a beautician taking several photos of one area keeps her choices.
#[derive(Clone, Copy)]
struct NextPhoto {
    area: RwSignal<String>,
    stage: RwSignal<String>,
    taken_on: RwSignal<String>,
    note: RwSignal<String>,
}

#[component]
pub fn PhotosPage() -> impl IntoView {
    view! { <WithFile view=|file| view! { <PhotosView file/> }.into_any()/> }
}

#[component]
fn PhotosView(file: Signal<CustomerFile>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let id = file.with_untracked(|f| f.customer.id.clone());
    let back = format!("/customers/{id}");
    let back_to = back.clone();
    let allowed = Memo::new(move |_| file.with(|f| f.consents.allows(domain::customer::Purpose::Photos)));
    let NextPhoto { area, stage, taken_on, note } = NextPhoto {
        area: RwSignal::new(BodyArea::Face.key().to_owned()),
        stage: RwSignal::new(PhotoStage::Before.key().to_owned()),
        taken_on: RwSignal::new(browser::today().to_string()),
        note: RwSignal::new(String::new()),
    };
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(false);
    // The photo shown large (tap a photo; tap again or press close to go back).
    let enlarged = RwSignal::new(None::<(String, String)>);
    let photos =
        Memo::new(move |_| file.with(|f| f.photos.iter().filter(|p| !p.voided).cloned().collect::<Vec<Photo>>()));

    let on_file = {
        let id = id.clone();
        move |ev: leptos::ev::Event| {
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(picked) = input.files().and_then(|files| files.get(0)) else { return };
            input.set_value("");
            busy.set(true);
            failed.set(false);
            let id = id.clone();
            leptos::task::spawn_local(async move {
                let Some((bytes, width, height)) = browser::resize_photo(&picked).await else {
                    busy.set(false);
                    failed.set(true);
                    return;
                };
                let photo = Photo {
                    id: browser::new_entry_id(),
                    blob: BlobHash::of(&bytes).to_hex(),
                    area: BodyArea::parse(&area.get_untracked()).unwrap_or(BodyArea::Face),
                    stage: PhotoStage::parse(&stage.get_untracked()).unwrap_or(PhotoStage::Before),
                    taken_on: taken_on.get_untracked().parse().unwrap_or(browser::today()),
                    note: note.get_untracked().trim().chars().take(120).collect(),
                    width,
                    height,
                    bytes: bytes.len() as u32,
                    voided: false,
                };
                let saved = state.store().add_photo(&id, &photo, bytes, browser::now(), browser::today()).await;
                busy.set(false);
                match saved {
                    Ok(summary) => {
                        state.saved_locally(summary);
                        state.nudge(SyncEvent::BlobsChanged);
                    }
                    Err(error) => state.report(error),
                }
            });
        }
    };

    // Comparison: one area, two of its photos side by side (oldest and newest by default).
    // The area chosen to compare; until someone chooses, the latest photo's area.
    let chosen_area = RwSignal::new(None::<BodyArea>);
    let compare_area = Signal::derive(move || {
        chosen_area.get().or_else(|| photos.with(|p| p.last().map(|p| p.area))).unwrap_or(BodyArea::Face)
    });
    let of_area =
        move |area: BodyArea| photos.with(|all| all.iter().filter(|p| p.area == area).cloned().collect::<Vec<_>>());
    let left = RwSignal::new(None::<String>);
    let right = RwSignal::new(None::<String>);
    let pick = move |which: RwSignal<Option<String>>, newest: bool| {
        let list = of_area(compare_area.get());
        let default = if newest { list.last() } else { list.first() };
        which.get().and_then(|id| list.iter().find(|p| p.id.as_str() == id).cloned()).or(default.cloned())
    };
    let areas = move || {
        photos
            .with(|all| BodyArea::ALL.iter().copied().filter(|a| all.iter().any(|p| p.area == *a)).collect::<Vec<_>>())
    };
    let figure = move |p: Photo, test: &'static str| {
        let caption = format!("{} · {}", p.taken_on, i18n.t().photo_stage(p.stage));
        let (blob, shown) = (p.blob.clone(), caption.clone());
        view! {
            <figure data-test=test>
                <button type="button" class="photo-open" aria-label=move || i18n.t().ui(Ui::PhotoEnlarge)
                    on:click=move |_| enlarged.set(Some((blob.clone(), shown.clone())))>
                    <PhotoImage blob=p.blob.clone() alt=caption.clone()/>
                </button>
                <figcaption>{caption}</figcaption>
            </figure>
        }
    };

    let select = move |signal: RwSignal<String>, options: Vec<(String, String)>, test: &'static str| {
        view! {
            <select data-test=test on:change=move |ev| signal.set(event_target_value(&ev))>
                {options.into_iter().map(|(key, label)| {
                    let selected = key.clone();
                    view! { <option value=key selected=move || signal.get() == selected>{label}</option> }
                }).collect_view()}
            </select>
        }
    };

    view! {
        <section class="photos-page" data-test="photos-page">
            <header class="file-header">
                <h1>{move || i18n.t().ui(Ui::Photos)} " · " {move || file.with(|f| f.customer.profile.name().to_owned())}</h1>
                <a href=back class="button button-secondary">{move || i18n.t().ui(Ui::BackToFile)}</a>
            </header>
            <Show when=move || allowed.get() fallback=move || view! {
                <p class="notice-bar" role="status" data-test="photo-needs-consent">
                    <span>{move || i18n.t().ui(Ui::PhotoNeedsConsent)}</span>
                    <a href=format!("{back_to}#consent") class="button button-secondary">{move || i18n.t().ui(Ui::BackToFile)}</a>
                </p>
            }>
                <div class="photo-add">
                    <label class="form-field"><span>{move || i18n.t().ui(Ui::PhotoArea)}</span>
                        {move || select(area, BodyArea::ALL.iter().map(|a| (a.key().to_owned(), i18n.t().body_area(*a).to_owned())).collect(), "photo-area")}
                    </label>
                    <label class="form-field"><span>{move || i18n.t().ui(Ui::PhotoStage)}</span>
                        {move || select(stage, PhotoStage::ALL.iter().map(|s| (s.key().to_owned(), i18n.t().photo_stage(*s).to_owned())).collect(), "photo-stage")}
                    </label>
                    <label class="form-field"><span>{move || i18n.t().ui(Ui::PhotoDate)}</span>
                        <input type="date" data-test="photo-date" prop:value=move || taken_on.get() on:input=move |ev| taken_on.set(event_target_value(&ev))/>
                    </label>
                    <label class="form-field"><span>{move || i18n.t().ui(Ui::PhotoNote)}</span>
                        <input type="text" maxlength="120" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))/>
                    </label>
                    <div class="photo-buttons">
                        <label class="button button-primary file-button">
                            {move || if busy.get() { i18n.t().ui(Ui::Processing) } else { i18n.t().ui(Ui::TakePhoto) }}
                            <input type="file" accept="image/*" capture="environment" class="visually-hidden" on:change=on_file.clone()/>
                        </label>
                        <label class="button button-secondary file-button">
                            {move || i18n.t().ui(Ui::ChoosePhoto)}
                            <input type="file" accept="image/*" data-test="photo-file" class="visually-hidden" on:change=on_file.clone()/>
                        </label>
                    </div>
                    <Show when=move || failed.get()>
                        <p class="field-error" role="alert">{move || i18n.t().ui(Ui::PhotoBad)}</p>
                    </Show>
                </div>
            </Show>
            {move || if photos.with(Vec::is_empty) {
                view! { <p class="muted">{move || i18n.t().ui(Ui::NoPhotos)}</p> }.into_any()
            } else {
                view! {
                    <section class="file-section compare" data-test="compare">
                        <h2>{move || i18n.t().ui(Ui::CompareTitle)}</h2>
                        <div class="compare-controls">
                            <select data-test="compare-area" on:change=move |ev| {
                                if let Ok(a) = BodyArea::parse(&event_target_value(&ev)) {
                                    chosen_area.set(Some(a));
                                    left.set(None);
                                    right.set(None);
                                }
                            }>
                                {move || areas().into_iter().map(|a| {
                                    view! { <option value=a.key() selected=move || compare_area.get() == a>{move || i18n.t().body_area(a)}</option> }
                                }).collect_view()}
                            </select>
                            {move || {
                                let list = of_area(compare_area.get());
                                let current = pick(left, false).map(|p| p.id.as_str().to_owned());
                                view! { <select data-test="compare-left" on:change=move |ev| left.set(Some(event_target_value(&ev)))>
                                    {list.into_iter().map(|p| { let sel = current.as_deref() == Some(p.id.as_str()); view! {
                                        <option value=p.id.as_str().to_owned() selected=sel>{format!("{} · {}", p.taken_on, i18n.t().photo_stage(p.stage))}</option>
                                    }}).collect_view()}
                                </select> }
                            }}
                            {move || {
                                let list = of_area(compare_area.get());
                                let current = pick(right, true).map(|p| p.id.as_str().to_owned());
                                view! { <select data-test="compare-right" on:change=move |ev| right.set(Some(event_target_value(&ev)))>
                                    {list.into_iter().map(|p| { let sel = current.as_deref() == Some(p.id.as_str()); view! {
                                        <option value=p.id.as_str().to_owned() selected=sel>{format!("{} · {}", p.taken_on, i18n.t().photo_stage(p.stage))}</option>
                                    }}).collect_view()}
                                </select> }
                            }}
                        </div>
                        <div class="compare-pair">
                            {move || pick(left, false).map(|p| figure(p, "compare-before"))}
                            {move || pick(right, true).map(|p| figure(p, "compare-after"))}
                        </div>
                    </section>
                }.into_any()
            }}
            <div class="photo-grid" data-test="photo-grid">
                {move || photos.get().into_iter().rev().map(|p| {
                    let (area, stage) = (p.area, p.stage);
                    let (entry, customer) = (p.id.clone(), id.clone());
                    let void = move |_| {
                        if !browser::confirm(i18n.t().ui(Ui::VoidConfirm)) {
                            return;
                        }
                        let (entry, customer) = (entry.clone(), customer.clone());
                        leptos::task::spawn_local(async move {
                            let now = browser::now();
                            state.edit_customer(&customer, |doc, device| doc.edit_entry(device, EntryEdit::Void(&entry), now)).await;
                        });
                    };
                    let caption = format!("{} · {} · {}", p.taken_on, i18n.t().body_area(area), i18n.t().photo_stage(stage));
                    let (blob, shown) = (p.blob.clone(), caption.clone());
                    view! {
                        <figure class="photo-card" data-test="photo-card">
                            <button type="button" class="photo-open" data-test="photo-open" aria-label=move || i18n.t().ui(Ui::PhotoEnlarge)
                                on:click=move |_| enlarged.set(Some((blob.clone(), shown.clone())))>
                                <PhotoImage blob=p.blob.clone() alt=p.taken_on.to_string()/>
                            </button>
                            <figcaption>
                                {p.taken_on.to_string()} " · " {move || i18n.t().body_area(area)} " · " {move || i18n.t().photo_stage(stage)} " " {p.note.clone()}
                                <button type="button" class="link-button" on:click=void>{move || i18n.t().ui(Ui::Void)}</button>
                            </figcaption>
                        </figure>
                    }
                }).collect_view()}
            </div>
            {move || enlarged.get().map(|(blob, caption)| view! {
                <div class="lightbox" role="dialog" aria-modal="true" data-test="photo-large" on:click=move |_| enlarged.set(None)>
                    <PhotoImage blob=blob alt=caption.clone()/>
                    <p class="lightbox-caption">{caption}</p>
                    <button type="button" class="button button-secondary lightbox-close" data-test="photo-close">{move || i18n.t().ui(Ui::Close)}</button>
                </div>
            })}
        </section>
    }
}
