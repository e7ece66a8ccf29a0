//! Browser services the rest of the app must not call directly: the clock, random ids, the
//! page URL and small UI preferences.

use domain::ids::{CustomerId, DeviceId, DeviceTag};
use jiff::Timestamp;
use jiff::civil::Date;
use wasm_bindgen::JsValue;

use crate::i18n::Locale;

/// Now, from the browser clock.
pub fn now() -> Timestamp {
    let ms = js_sys::Date::now() as i64;
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Today's date on the device's own calendar (the salon's local day).
/// A monotonic clock in milliseconds, for measuring how long work takes.
pub fn elapsed_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_default()
}

pub fn today() -> Date {
    let d = js_sys::Date::new_0();
    Date::new(d.get_full_year() as i16, (d.get_month() + 1) as i8, d.get_date() as i8).unwrap_or(Date::MIN)
}

/// A local date from a timestamp, for showing "file opened on".
pub fn local_date(ts: Timestamp) -> Date {
    let d = js_sys::Date::new(&JsValue::from_f64(ts.as_millisecond() as f64));
    Date::new(d.get_full_year() as i16, (d.get_month() + 1) as i8, d.get_date() as i8).unwrap_or(Date::MIN)
}

/// A local "HH:MM" (today) or "YYYY-MM-DD HH:MM" for a past day.
pub fn local_time_label(ms: i64) -> String {
    let d = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    let day = Date::new(d.get_full_year() as i16, (d.get_month() + 1) as i8, d.get_date() as i8).unwrap_or(Date::MIN);
    let time = format!("{:02}:{:02}", d.get_hours(), d.get_minutes());
    if day == today() { time } else { format!("{day} {time}") }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok())
        .unwrap_or(false);
    if !filled {
        // Every browser that runs WASM has crypto.getRandomValues; this fallback only keeps
        // ids distinct should it ever be missing.
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = ((js_sys::Math::random() * 256.0) as u8) ^ (i as u8);
        }
    }
    bytes
}

/// Bytes from the browser's cryptographic generator, for keys and nonces; `None` when it
/// gives none (never a weaker stand-in).
pub fn secret_bytes<const N: usize>() -> Option<[u8; N]> {
    let mut bytes = [0u8; N];
    let crypto = web_sys::window()?.crypto().ok()?;
    crypto.get_random_values_with_u8_array(&mut bytes).ok()?;
    Some(bytes)
}

pub fn new_customer_id() -> CustomerId {
    CustomerId::from_random(random_bytes())
}

pub fn new_device() -> (DeviceId, DeviceTag) {
    (DeviceId::from_random(random_bytes()), DeviceTag::from_random(random_bytes()))
}

const LOCALE_KEY: &str = "meike.locale";

/// The language chosen on this device; zh-CN until someone picks another.
pub fn saved_locale() -> Locale {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(LOCALE_KEY).ok().flatten())
        .and_then(|code| Locale::parse(&code))
        .unwrap_or_default()
}

pub fn save_locale(locale: Locale) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(LOCALE_KEY, locale.code());
    }
    set_document_lang(locale);
}

pub fn set_document_lang(locale: Locale) {
    if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = html.set_attribute("lang", locale.code());
    }
}

/// Takes a join code out of the address (`#join=salon:token`) and removes it from the URL
/// and history, so the token is not left in the address bar.
pub fn take_join_fragment() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let code = hash.strip_prefix("#join=")?.to_owned();
    let location = window.location();
    let clean = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&clean));
    }
    Some(code)
}

/// Whether the browser thinks it has a network at all (`navigator.onLine`); when false, no
/// connection can work.
pub fn online() -> bool {
    web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
}

/// Where this app was loaded from (`https://host:port`), for links to it.
pub fn origin() -> Option<String> {
    web_sys::window()?.location().origin().ok()
}

/// The relay's sync endpoint: the same host that served the app.
pub fn relay_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}/v1/sync", location.host().ok()?))
}

/// An object URL for bytes (a photo), valid until the page unloads.
pub fn object_url(bytes: &[u8], mime: &str) -> Option<String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Saves bytes as a file through the browser's download.
pub fn download(filename: &str, mime: &str, bytes: &[u8]) {
    use wasm_bindgen::JsCast;
    let Some(url) = object_url(bytes, mime) else { return };
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(anchor) = anchor {
        anchor.set_href(&url);
        anchor.set_download(filename);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// Asks a yes/no question with the browser's own dialog.
pub fn confirm(question: &str) -> bool {
    web_sys::window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false)
}

/// Puts text on the clipboard (for a message the beautician sends from her own phone).
pub fn copy_text(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

const BEAUTICIAN_KEY: &str = "meike.beautician";
const ROLE_KEY: &str = "meike.role";

pub use domain::staff::Role;

pub fn saved_role() -> Role {
    let key = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(ROLE_KEY).ok().flatten())
        .unwrap_or_default();
    Role::parse(&key)
}

/// Files as this device may hand them out: the psychology screening is left out unless its
/// role may see it (an export is a copy of what the screen shows).
pub fn for_export(mut files: Vec<domain::customer::CustomerFile>) -> Vec<domain::customer::CustomerFile> {
    if !saved_role().sees_psychology() {
        for file in &mut files {
            file.customer.profile = file.customer.profile.without(domain::customer::Field::PsychType);
        }
    }
    files
}

pub fn save_role(role: Role) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(ROLE_KEY, role.key());
    }
}

const CONSENT_BY_KEY: &str = "meike.consent_by";

/// Who recorded the last consent on this device (else whose device it is): the "经办人"
/// a consent form starts with.
pub fn saved_consent_by() -> String {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(CONSENT_BY_KEY).ok().flatten())
        .unwrap_or_else(saved_beautician)
}

/// Forgets who uses this device (role, beautician, consent recorder): said for one salon, they
/// are asked again when the device moves to another.
pub fn forget_salon_choices() {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        for key in [ROLE_KEY, BEAUTICIAN_KEY, CONSENT_BY_KEY] {
            let _ = storage.remove_item(key);
        }
    }
}

pub fn save_consent_by(by: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(CONSENT_BY_KEY, by);
    }
}

/// Whose worklist this device shows (blank: the whole salon).
pub fn saved_beautician() -> String {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(BEAUTICIAN_KEY).ok().flatten())
        .unwrap_or_default()
}

pub fn save_beautician(name: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(BEAUTICIAN_KEY, name);
    }
}

/// GBK (GB18030) bytes as text with the browser's own decoder (the WHATWG one: no tables to
/// download), strictly: `None` when the bytes are not GBK.
pub fn decode_gbk(bytes: &[u8]) -> Option<String> {
    let options = web_sys::TextDecoderOptions::new();
    options.set_fatal(true);
    let decoder = web_sys::TextDecoder::new_with_label_and_options("gb18030", &options).ok()?;
    decoder.decode_with_u8_array(bytes).ok()
}

/// The bytes of a file the user picked.
pub async fn read_file(file: &web_sys::File) -> Option<Vec<u8>> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await.ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Longest side of a stored photo, in pixels: sharp on a tablet, about 150–300 KB as JPEG.
const PHOTO_MAX_SIDE: f64 = 1280.0;

/// A picture the user took or chose, decoded by the browser, scaled down to at most
/// [`PHOTO_MAX_SIDE`] and re-encoded as JPEG: (bytes, width, height).
pub async fn resize_photo(file: &web_sys::File) -> Option<(Vec<u8>, u32, u32)> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window()?.document()?;
    let url = web_sys::Url::create_object_url_with_blob(file).ok()?;
    let image = web_sys::HtmlImageElement::new().ok()?;
    image.set_src(&url);
    let decoded = wasm_bindgen_futures::JsFuture::from(image.decode()).await;
    let _ = web_sys::Url::revoke_object_url(&url);
    decoded.ok()?;
    let (w, h) = (f64::from(image.natural_width()), f64::from(image.natural_height()));
    if w < 1.0 || h < 1.0 {
        return None;
    }
    let scale = (PHOTO_MAX_SIDE / w.max(h)).min(1.0);
    let (width, height) = ((w * scale).round() as u32, (h * scale).round() as u32);
    let canvas = document.create_element("canvas").ok()?.dyn_into::<web_sys::HtmlCanvasElement>().ok()?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context = canvas.get_context("2d").ok()??.dyn_into::<web_sys::CanvasRenderingContext2d>().ok()?;
    context
        .draw_image_with_html_image_element_and_dw_and_dh(&image, 0.0, 0.0, f64::from(width), f64::from(height))
        .ok()?;
    let data_url = canvas.to_data_url_with_type_and_encoder_options("image/jpeg", &JsValue::from_f64(0.82)).ok()?;
    let base64 = data_url.split_once(',')?.1;
    let binary = web_sys::window()?.atob(base64).ok()?;
    let bytes: Vec<u8> = binary.chars().map(|c| c as u32 as u8).collect();
    Some((bytes, width, height))
}

/// A fresh random entry id (visit, card, money entry, photo).
pub fn new_entry_id() -> domain::customer::EntryId {
    domain::customer::EntryId::from_random(random_bytes())
}

/// 16 fresh random bytes, for ids the domain builds.
pub fn random_16() -> [u8; 16] {
    random_bytes()
}

/// Now as the salon's wall clock reads it (the device's local date and time).
pub fn local_now() -> jiff::civil::DateTime {
    let d = js_sys::Date::new_0();
    today().at(d.get_hours() as i8, d.get_minutes() as i8, 0, 0)
}

fn storage_manager() -> Option<web_sys::StorageManager> {
    web_sys::window().map(|w| w.navigator().storage())
}

async fn promised(promise: Result<js_sys::Promise, JsValue>) -> Option<JsValue> {
    wasm_bindgen_futures::JsFuture::from(promise.ok()?).await.ok()
}

/// Asks the browser to keep this site's data even when space runs low (no prompt in
/// Chromium; granted to installed apps and sites in use). True when it is kept.
pub async fn persist_storage() -> bool {
    let Some(manager) = storage_manager() else { return false };
    promised(manager.persist()).await.and_then(|granted| granted.as_bool()).unwrap_or(false)
}

/// How much this site stores, how much it may, and whether it is kept persistently.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageFigures {
    pub used_bytes: f64,
    pub quota_bytes: f64,
    pub persisted: bool,
}

pub async fn storage_use() -> Option<StorageFigures> {
    let manager = storage_manager()?;
    let estimate = promised(manager.estimate()).await?;
    let number = |name: &str| js_sys::Reflect::get(&estimate, &JsValue::from_str(name)).ok().and_then(|v| v.as_f64());
    let persisted = promised(manager.persisted()).await.and_then(|p| p.as_bool()).unwrap_or(false);
    Some(StorageFigures { used_bytes: number("usage")?, quota_bytes: number("quota")?, persisted })
}
