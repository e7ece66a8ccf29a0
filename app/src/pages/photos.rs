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

/// What the next photo will be recorded as. Lives outside the view that re-renders after each
/// save, so a beautician taking several photos of one area keeps her choices.
#[derive(Clone, Copy)]
struct NextPhoto {
    area: RwSignal<String>,
    stage: RwSignal<String>,
    taken_on: RwSignal<String>,
    note: RwSignal<String>,
}

#[component]
pub fn PhotosPage() -> impl IntoView {
    let next = NextPhoto {
        area: RwSignal::new(BodyArea::Face.key().to_owned()),
        stage: RwSignal::new(PhotoStage::Before.key().to_owned()),
        taken_on: RwSignal::new(browser::today().to_string()),
        note: RwSignal::new(String::new()),
    };
    // `WithFile` takes a plain function: the form's choices reach it through context.
    provide_context(next);
    view! { <WithFile view=photos_view/> }
}

fn photos_view(file: CustomerFile) -> AnyView {
    let next = expect_context::<NextPhoto>();
    view! { <PhotosView file next/> }.into_any()
}

#[component]
fn PhotosView(file: CustomerFile, next: NextPhoto) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let id = file.customer.id.clone();
    let back = format!("/customers/{}", file.customer.id);
    let NextPhoto { area, stage, taken_on, note } = next;
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let photos: Vec<Photo> = file.photos.iter().filter(|p| !p.voided).cloned().collect();

    let on_file = move |ev: leptos::ev::Event| {
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
    };

    // Comparison: one area, two of its photos side by side (oldest and newest by default).
    let compare_area = RwSignal::new(photos.last().map(|p| p.area).unwrap_or(BodyArea::Face));
    let of_area = {
        let photos = photos.clone();
        move |area: BodyArea| photos.iter().filter(|p| p.area == area).cloned().collect::<Vec<_>>()
    };
    let left = RwSignal::new(None::<String>);
    let right = RwSignal::new(None::<String>);
    let pick = {
        let of_area = of_area.clone();
        move |which: RwSignal<Option<String>>, newest: bool| {
            let list = of_area(compare_area.get());
            let default = if newest { list.last() } else { list.first() };
            which.get().and_then(|id| list.iter().find(|p| p.id.as_str() == id).cloned()).or(default.cloned())
        }
    };
    let areas: Vec<BodyArea> = BodyArea::ALL.iter().copied().filter(|a| photos.iter().any(|p| p.area == *a)).collect();

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
                <h1>{move || i18n.t().ui(Ui::Photos)} " · " {file.customer.profile.name().to_owned()}</h1>
                <a href=back class="button button-secondary">{move || i18n.t().ui(Ui::BackToFile)}</a>
            </header>
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
                        <input type="file" accept="image/*" data-test="photo-file" class="visually-hidden" on:change=on_file/>
                    </label>
                </div>
                <Show when=move || failed.get()>
                    <p class="field-error" role="alert">{move || i18n.t().ui(Ui::PhotoBad)}</p>
                </Show>
            </div>
            {if photos.is_empty() {
                view! { <p class="muted">{move || i18n.t().ui(Ui::NoPhotos)}</p> }.into_any()
            } else {
                let pick_left = pick.clone();
                let pick_right = pick.clone();
                let pick_a = pick.clone();
                let pick_b = pick.clone();
                let of_area_l = of_area.clone();
                let of_area_r = of_area.clone();
                view! {
                    <section class="file-section compare" data-test="compare">
                        <h2>{move || i18n.t().ui(Ui::CompareTitle)}</h2>
                        <div class="compare-controls">
                            <select data-test="compare-area" on:change=move |ev| {
                                if let Ok(a) = BodyArea::parse(&event_target_value(&ev)) {
                                    compare_area.set(a);
                                    left.set(None);
                                    right.set(None);
                                }
                            }>
                                {areas.iter().map(|a| {
                                    let a = *a;
                                    view! { <option value=a.key() selected=move || compare_area.get() == a>{move || i18n.t().body_area(a)}</option> }
                                }).collect_view()}
                            </select>
                            {move || {
                                let list = of_area_l(compare_area.get());
                                let current = pick_left(left, false).map(|p| p.id.as_str().to_owned());
                                view! { <select data-test="compare-left" on:change=move |ev| left.set(Some(event_target_value(&ev)))>
                                    {list.into_iter().map(|p| { let sel = current.as_deref() == Some(p.id.as_str()); view! {
                                        <option value=p.id.as_str().to_owned() selected=sel>{format!("{} · {}", p.taken_on, i18n.t().photo_stage(p.stage))}</option>
                                    }}).collect_view()}
                                </select> }
                            }}
                            {move || {
                                let list = of_area_r(compare_area.get());
                                let current = pick_right(right, true).map(|p| p.id.as_str().to_owned());
                                view! { <select data-test="compare-right" on:change=move |ev| right.set(Some(event_target_value(&ev)))>
                                    {list.into_iter().map(|p| { let sel = current.as_deref() == Some(p.id.as_str()); view! {
                                        <option value=p.id.as_str().to_owned() selected=sel>{format!("{} · {}", p.taken_on, i18n.t().photo_stage(p.stage))}</option>
                                    }}).collect_view()}
                                </select> }
                            }}
                        </div>
                        <div class="compare-pair">
                            {move || pick_a(left, false).map(|p| view! { <figure><PhotoImage blob=p.blob.clone() alt=p.taken_on.to_string()/><figcaption>{p.taken_on.to_string()}</figcaption></figure> })}
                            {move || pick_b(right, true).map(|p| view! { <figure><PhotoImage blob=p.blob.clone() alt=p.taken_on.to_string()/><figcaption>{p.taken_on.to_string()}</figcaption></figure> })}
                        </div>
                    </section>
                }.into_any()
            }}
            <div class="photo-grid" data-test="photo-grid">
                {photos.iter().rev().map(|p| {
                    let (area, stage) = (p.area, p.stage);
                    let (entry, customer) = (p.id.clone(), file.customer.id.clone());
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
                    view! {
                        <figure class="photo-card" data-test="photo-card">
                            <PhotoImage blob=p.blob.clone() alt=p.taken_on.to_string()/>
                            <figcaption>
                                {p.taken_on.to_string()} " · " {move || i18n.t().body_area(area)} " · " {move || i18n.t().photo_stage(stage)} " " {p.note.clone()}
                                <button type="button" class="link-button" on:click=void>{move || i18n.t().ui(Ui::Void)}</button>
                            </figcaption>
                        </figure>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}
