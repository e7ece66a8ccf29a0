//! Pairing by a typed code, the new device's one request: its SPAKE2 message to the relay's
//! meeting point (`POST /pair/{rendezvous}`), answered with the message of the device showing
//! the code and the invite link it sealed (`domain::pairing`). The relay never sees the link.

use domain::pairing::{Exchange, PairFailure, PairingCode};
use domain::wire::PairReply;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::io::browser;

/// Asks the device showing `code` for the invite link, through the relay this app came from.
pub async fn invite_for(code: &PairingCode) -> Result<String, PairFailure> {
    let seed = browser::secret_bytes::<32>().ok_or(PairFailure::Unreachable)?;
    let (exchange, answer) = Exchange::answer(code, seed);
    let url = format!("{}/pair/{}", browser::origin().ok_or(PairFailure::Unreachable)?, code.rendezvous());
    let (status, body) = post(&url, &answer).await.ok_or(PairFailure::Unreachable)?;
    if status != 200 {
        return Err(PairFailure::from_status(status));
    }
    let reply = PairReply::decode(&body).map_err(|_| PairFailure::Malformed)?;
    Ok(exchange.open_invite(&reply.offer, &reply.sealed)?)
}

/// A POST of `body`: the status and the answer's bytes, or `None` when the relay could not
/// be reached.
async fn post(url: &str, body: &[u8]) -> Option<(u16, Vec<u8>)> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let bytes = js_sys::Uint8Array::from(body);
    init.set_body(&bytes.into());
    let window = web_sys::window()?;
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.ok()?;
    let response: web_sys::Response = response.dyn_into().ok()?;
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    Some((response.status(), js_sys::Uint8Array::new(&buffer).to_vec()))
}
