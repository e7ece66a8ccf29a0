//! The invite's short pairing code (`domain::pairing`), for a new device whose camera can't
//! scan the QR code: `K7QX-4M2P-9D`, typed into its Settings. This device opens a meeting
//! point at the relay with the code's first four characters and its SPAKE2 message; when the
//! new device answers, it seals the invite link under the key both now share and hands it
//! over. The relay forwards, and learns neither the code's last six characters nor the link.
//!
//! A code lives while this page is open and the device online (its meeting point closes with
//! the connection: a new code is made when the connection comes back), takes one try, and
//! never outlives the invite it carries.

use domain::pairing::{Exchange, NONCE_BYTES, PairingCode};
use domain::sync::PairingEvent;
use domain::wire::ClientMsg;
use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser;
use crate::state::{Connection, use_app};

/// How often a code is made again when the relay says its first characters are taken.
const TRIES: u32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Offered, waiting for the relay to open the meeting point.
    Making,
    /// Open at the relay until this time (ms).
    Open(u64),
    /// A device typed it and was handed the sealed invite.
    Answered,
    /// The relay has no room for another code of this salon.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    display: String,
    rendezvous: String,
    stage: Stage,
}

/// `invite` is the invite link this code hands over and when the invite expires (ms), once
/// the relay has recorded it.
#[component]
pub fn PairCode(invite: Signal<Option<(String, u64)>>) -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    // This device's half of the exchange, until a new device answers.
    let exchange = StoredValue::new_local(None::<Exchange>);
    let shown = RwSignal::new(None::<Shown>);
    let tries = StoredValue::new(0u32);
    let offer = move || {
        let (Some(random), Some(seed)) = (browser::secret_bytes::<8>(), browser::secret_bytes::<32>()) else {
            return;
        };
        let code = PairingCode::from_random(random);
        let (mine, msg) = Exchange::offer(&code, seed);
        exchange.set_value(Some(mine));
        let rendezvous = code.rendezvous().to_owned();
        shown.set(Some(Shown { display: code.display(), rendezvous: rendezvous.clone(), stage: Stage::Making }));
        state.manage(ClientMsg::PairOffer { rendezvous, msg });
    };
    let renew = move |_| {
        tries.set_value(0);
        offer();
    };
    // A code while the invite is ready and the device online; none otherwise.
    Effect::new(move |_| {
        let ready = invite.with(Option::is_some) && state.sync.with(|s| s.connection) == Connection::Online;
        match (ready, shown.with_untracked(Option::is_some)) {
            (true, false) => offer(),
            (false, true) => {
                shown.set(None);
                exchange.set_value(None);
            }
            _ => {}
        }
    });
    // The relay's news of this device's code.
    Effect::new(move |_| {
        let Some(news) = state.devices.with(|d| d.pairing.clone()) else { return };
        let Some(current) = shown.get_untracked() else { return };
        let set_stage = |stage| shown.update(|s| s.iter_mut().for_each(|s| s.stage = stage));
        match news {
            PairingEvent::Opened { rendezvous, expires_at_ms }
                if rendezvous == current.rendezvous && current.stage == Stage::Making =>
            {
                set_stage(Stage::Open(expires_at_ms));
            }
            PairingEvent::Taken { rendezvous }
                if rendezvous == current.rendezvous && current.stage == Stage::Making =>
            {
                tries.update_value(|t| *t += 1);
                if tries.get_value() < TRIES {
                    offer();
                } else {
                    exchange.set_value(None);
                    set_stage(Stage::Unavailable);
                }
            }
            PairingEvent::Answer { rendezvous, msg } if rendezvous == current.rendezvous => {
                let Some(mine) = exchange.try_update_value(Option::take).flatten() else { return };
                set_stage(Stage::Answered);
                let (Some((link, _)), Some(nonce)) = (invite.get_untracked(), browser::secret_bytes::<NONCE_BYTES>())
                else {
                    return;
                };
                // A message that is not SPAKE2's gets nothing: the new device's wait ends
                // without an invite.
                if let Ok(sealed) = mine.seal_invite(&msg, &link, nonce) {
                    state.manage(ClientMsg::PairSeal { rendezvous, sealed });
                }
            }
            _ => {}
        }
    });
    move || {
        let current = shown.get()?;
        let invite_until = invite.with(|i| i.as_ref().map(|(_, until)| *until)).unwrap_or(u64::MAX);
        let body = match current.stage {
            Stage::Making => view! {
                <p class="field-hint" role="status" data-test="pair-code-making">{move || i18n.t().ui(Ui::PairCodeMaking)}</p>
            }
            .into_any(),
            Stage::Open(until) => {
                let until = browser::local_time_label(i64::try_from(until.min(invite_until)).unwrap_or(i64::MAX));
                view! {
                    <p class="pair-code" data-test="pair-code" lang="en">{current.display.clone()}</p>
                    <p class="field-ok" data-test="pair-code-expiry">
                        {move || format!("{} {until}", i18n.t().ui(Ui::InviteValidUntil))}
                    </p>
                    <p class="field-hint">{move || i18n.t().ui(Ui::PairCodeHelp)}</p>
                }
                .into_any()
            }
            stage => {
                let said = if stage == Stage::Answered { Ui::PairCodeAnswered } else { Ui::PairCodeUnavailable };
                view! {
                    <p class="field-hint" role="status" data-test="pair-code-used">{move || i18n.t().ui(said)}</p>
                    <button type="button" class="button" data-test="pair-code-new" on:click=renew>
                        {move || i18n.t().ui(Ui::PairCodeNew)}
                    </button>
                }
                .into_any()
            }
        };
        Some(view! {
            <div class="pair-code-block" data-test="pair-code-block">
                <h3>{move || i18n.t().ui(Ui::PairCodeTitle)}</h3>
                {body}
            </div>
        })
    }
}
