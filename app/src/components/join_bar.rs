//! The bar that says what became of a join code, under the header on every page: what is
//! wrong with a bad one, that a device joined, or a question before a working connection is
//! changed. A link opened on a tablet never silently drops it off its salon.

use leptos::prelude::*;

use crate::i18n::{Ui, use_i18n};
use crate::io::browser::{self, Role};
use crate::state::{Connection, JoinOutcome, use_app};

#[component]
pub fn JoinBar() -> impl IntoView {
    let i18n = use_i18n();
    let state = use_app();
    let accept = move |_| {
        leptos::task::spawn_local(async move { state.accept_join().await });
    };
    let wipe = move |_| {
        let names = state.join.with_untracked(|j| match j {
            Some(JoinOutcome::Refused { current, offered, .. }) => Some((current.clone(), offered.clone())),
            _ => None,
        });
        let Some((current, offered)) = names else { return };
        if browser::confirm(&(i18n.t().wipe_confirm)(&current, &offered)) {
            leptos::task::spawn_local(async move { state.wipe_and_join().await });
        }
    };
    move || {
        let outcome = state.join.get()?;
        // Joined, but the salon's files are sealed with a key this device lacks: say that, not
        // "syncing".
        let connection = state.sync.with(|s| s.connection);
        let keyless = matches!(connection, Connection::NeedsInvite | Connection::WrongKey);
        // Joined, and the relay refused the code (an invite used or past its ten minutes).
        let refused = match connection {
            Connection::Refused(code) => Some(code),
            _ => None,
        };
        let (class, asks) = match &outcome {
            JoinOutcome::Bad(_)
            | JoinOutcome::BadPairCode(_)
            | JoinOutcome::PairFailed(_)
            | JoinOutcome::Refused { .. } => ("problem-bar", false),
            JoinOutcome::Pairing => ("notice-bar", false),
            JoinOutcome::Joined(_) | JoinOutcome::AlreadyJoined(_) if keyless || refused.is_some() => {
                ("problem-bar", false)
            }
            JoinOutcome::Ask { .. } => ("notice-bar notice-ask", true),
            JoinOutcome::Joined(_) | JoinOutcome::AlreadyJoined(_) => ("notice-bar", false),
        };
        // Just joined, and nobody said who uses this device: offer to, so a beautician's
        // tablet opens on her own worklist from the start.
        let set_up = matches!(outcome, JoinOutcome::Joined(_))
            && browser::saved_role() == Role::Unset
            && !keyless
            && refused.is_none();
        let wrong_key = connection == Connection::WrongKey;
        // Another salon's link on a device whose files are all at its own salon's relay.
        let wipes = matches!(outcome, JoinOutcome::Refused { unsent: 0, .. });
        let message = move || match (&outcome, keyless, refused) {
            (JoinOutcome::Joined(_) | JoinOutcome::AlreadyJoined(_), _, Some(code)) => {
                i18n.t().refusal(code).to_owned()
            }
            (JoinOutcome::Joined(_) | JoinOutcome::AlreadyJoined(_), true, _) => {
                i18n.t().ui(if wrong_key { Ui::WrongKeyHelp } else { Ui::NeedsInviteHelp }).to_owned()
            }
            _ => i18n.t().join_outcome(&outcome),
        };
        Some(view! {
            <div class=class role="alert" data-test="join-bar">
                <span data-test="join-message">{message}</span>
                {set_up.then(|| view! {
                    <a href="/settings" class="button button-primary" data-test="join-set-up" on:click=move |_| state.join.set(None)>
                        {move || i18n.t().ui(Ui::ChooseRole)}
                    </a>
                })}
                {wipes.then(|| view! {
                    <button type="button" class="button button-danger" data-test="join-wipe" on:click=wipe>
                        {move || i18n.t().ui(Ui::JoinWipe)}
                    </button>
                })}
                {asks.then(|| view! {
                    <button type="button" class="button button-primary" data-test="join-accept" on:click=accept>
                        {move || i18n.t().ui(Ui::JoinSwitch)}
                    </button>
                })}
                <button type="button" class="button button-secondary" data-test="join-dismiss" on:click=move |_| state.join.set(None)>
                    {move || i18n.t().ui(if asks { Ui::JoinKeep } else { Ui::Close })}
                </button>
            </div>
        })
    }
}
