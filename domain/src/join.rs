//! Salon join codes: how a device learns which salon it belongs to, the token the relay asks
//! for, and the salon key. The relay prints a link per salon without a key (it never has
//! one): the salon's first device opens it and makes the key. Every other device is invited
//! from a device of the salon, whose invite link adds `;key=…` (in the link's `#` part, which
//! browsers never send to a server). Staff open the link or paste it (or `salon:token`) into
//! Settings. A bad code says what is wrong with it, and a code for another salon than the one
//! a device already syncs with is only taken when the person says so.

use crate::crypto::Keyring;
use crate::ids::SalonId;
use crate::wire::limits;

/// Where an invite's key starts.
const KEY_MARK: &str = ";key=";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinCode {
    pub salon: SalonId,
    pub token: String,
    /// The salon's keys (every epoch), in an invite from a device of the salon (not in the
    /// relay's link).
    pub key: Option<Keyring>,
}

/// What is wrong with a join code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinProblem {
    /// Nothing was pasted (or the link ends at `#join=`).
    Empty,
    /// No `:` between the salon and the token: the code was cut short.
    Incomplete,
    /// The salon part is not a salon id (letters, digits, `-`, `_`).
    BadSalon,
    /// The token is missing, too long or has spaces or other characters a token never has.
    BadToken,
    /// The invite's key is cut short or garbled.
    BadKey,
}

/// What taking a valid code would do on a device that may already sync with a salon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinEffect {
    /// The device syncs with no salon yet: take it.
    First,
    /// The device already uses exactly this code: nothing to do.
    Same,
    /// The device syncs with this salon but lacks the salon key, which this invite carries:
    /// take it at once (the device could read nothing without it).
    Invited,
    /// The device syncs with this salon under another token (a new link for it).
    NewToken,
    /// The device syncs with another salon: ask before switching.
    OtherSalon,
}

impl JoinCode {
    /// Accepts `salon:token`, `#join=salon:token`, or a whole link containing `#join=` (also
    /// when a chat app percent-encoded its `:`).
    pub fn parse(raw: &str) -> Result<JoinCode, JoinProblem> {
        let raw = raw.trim();
        let code = match raw.find("#join=") {
            Some(at) => &raw[at + "#join=".len()..],
            None => raw,
        };
        let code = code.replace("%3A", ":").replace("%3a", ":");
        let code = code.trim();
        if code.is_empty() {
            return Err(JoinProblem::Empty);
        }
        let (code, key) = match code.rfind(KEY_MARK) {
            Some(at) => {
                let key = Keyring::parse(&code[at + KEY_MARK.len()..]).map_err(|_| JoinProblem::BadKey)?;
                (&code[..at], Some(key))
            }
            None => (code, None),
        };
        let (salon, token) = code.split_once(':').ok_or(JoinProblem::Incomplete)?;
        let token = token.trim();
        let token_ok =
            !token.is_empty() && token.len() <= limits::MAX_TOKEN_LEN && token.bytes().all(|b| b.is_ascii_graphic());
        let salon = SalonId::parse(salon.trim()).map_err(|_| JoinProblem::BadSalon)?;
        if !token_ok {
            return Err(JoinProblem::BadToken);
        }
        Ok(JoinCode { salon, token: token.to_owned(), key })
    }

    /// The code as the part of a link after `#join=`.
    pub fn to_text(&self) -> String {
        match &self.key {
            Some(key) => format!("{}:{}{KEY_MARK}{}", self.salon, self.token, key.to_text()),
            None => format!("{}:{}", self.salon, self.token),
        }
    }

    /// What taking this code does on a device whose current salon, token and key are
    /// `current`. A code without a key never takes the device's key away.
    pub fn effect(&self, current: Option<(&SalonId, &str, Option<&Keyring>)>) -> JoinEffect {
        match current {
            None => JoinEffect::First,
            Some((salon, token, key))
                if *salon == self.salon && token == self.token && (self.key.is_none() || self.key.as_ref() == key) =>
            {
                JoinEffect::Same
            }
            // A device of this salon without the key takes an invite that brings it at once:
            // it could read nothing without it, and holds nothing another code could misplace.
            Some((salon, _, None)) if *salon == self.salon && self.key.is_some() => JoinEffect::Invited,
            Some((salon, _, _)) if *salon == self.salon => JoinEffect::NewToken,
            Some(_) => JoinEffect::OtherSalon,
        }
    }
}

/// A random secret as text for a link (43 URL-safe base64 characters for 32 bytes): the
/// invites a device makes, and each device's own token.
pub fn secret_text(bytes: [u8; 32]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_code_says_what_is_wrong_with_it() {
        let ok = JoinCode::parse("http://192.168.1.5:8787/#join=demo:e2e-token").expect("valid link");
        assert_eq!((ok.salon.as_str(), ok.token.as_str()), ("demo", "e2e-token"));
        assert_eq!(JoinCode::parse(" demo%3Atok ").map(|c| c.token), Ok("tok".to_owned()), "percent-encoded colon");
        assert_eq!(JoinCode::parse(""), Err(JoinProblem::Empty));
        assert_eq!(JoinCode::parse("http://x/#join="), Err(JoinProblem::Empty));
        assert_eq!(JoinCode::parse("http://x/#join=demo"), Err(JoinProblem::Incomplete), "cut short");
        assert_eq!(JoinCode::parse("de mo:token"), Err(JoinProblem::BadSalon));
        assert_eq!(JoinCode::parse("demo:"), Err(JoinProblem::BadToken));
        assert_eq!(JoinCode::parse("demo:tok en"), Err(JoinProblem::BadToken));
        assert_eq!(JoinCode::parse("demo:tok;key=1.short"), Err(JoinProblem::BadKey), "a key cut short");
    }

    #[test]
    fn an_invite_carries_the_salon_key_and_the_relays_link_does_not() {
        let first = crate::crypto::SalonKey::new([6; 32]);
        let mut key = Keyring::new(first.clone());
        key.add(first.next([7; 32]));
        let invite =
            JoinCode { salon: SalonId::parse("demo").expect("id"), token: "t1".into(), key: Some(key.clone()) };
        let link = format!("https://salon.example/#join={}", invite.to_text());
        assert_eq!(JoinCode::parse(&link), Ok(invite.clone()));
        let plain = JoinCode::parse("demo:t1").expect("the relay's code");
        assert_eq!(plain.key, None);
        let demo = SalonId::parse("demo").expect("id");
        // A device with the key that opens the relay's link again keeps its key.
        assert_eq!(plain.effect(Some((&demo, "t1", Some(&key)))), JoinEffect::Same);
        // A device without the key takes it from an invite for its salon, keeping its data.
        assert_eq!(invite.effect(Some((&demo, "t1", None))), JoinEffect::Invited);
        assert_eq!(invite.effect(Some((&demo, "t0", None))), JoinEffect::Invited, "another invite with the key too");
        assert_eq!(invite.effect(Some((&demo, "t0", Some(&key)))), JoinEffect::NewToken, "a device with the key asks");
        assert_eq!(invite.effect(Some((&demo, "t1", Some(&key)))), JoinEffect::Same);
    }

    #[test]
    fn another_salon_is_only_taken_when_asked() {
        let code = JoinCode::parse("demo:t1").expect("valid");
        let (demo, other) = (SalonId::parse("demo").expect("id"), SalonId::parse("other").expect("id"));
        assert_eq!(code.effect(None), JoinEffect::First);
        assert_eq!(code.effect(Some((&demo, "t1", None))), JoinEffect::Same);
        assert_eq!(code.effect(Some((&demo, "t0", None))), JoinEffect::NewToken);
        assert_eq!(code.effect(Some((&other, "t1", None))), JoinEffect::OtherSalon);
    }
}
