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

/// The relay's sync endpoint: the same host that served the app.
pub fn relay_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}/v1/sync", location.host().ok()?))
}
