//! Salon join codes: how a device learns which salon it belongs to and the token the relay
//! asks for. Until device pairing exists, the relay prints a link per salon; staff open it or
//! paste it (or just `salon:token`) into Settings. A bad code says what is wrong with it, and
//! a code for another salon than the one a device already syncs with is only taken when the
//! person says so.

use crate::ids::SalonId;
use crate::wire::limits;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinCode {
    pub salon: SalonId,
    pub token: String,
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
}

/// What taking a valid code would do on a device that may already sync with a salon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinEffect {
    /// The device syncs with no salon yet: take it.
    First,
    /// The device already uses exactly this code: nothing to do.
    Same,
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
        let (salon, token) = code.split_once(':').ok_or(JoinProblem::Incomplete)?;
        let token = token.trim();
        let token_ok =
            !token.is_empty() && token.len() <= limits::MAX_TOKEN_LEN && token.bytes().all(|b| b.is_ascii_graphic());
        let salon = SalonId::parse(salon.trim()).map_err(|_| JoinProblem::BadSalon)?;
        if !token_ok {
            return Err(JoinProblem::BadToken);
        }
        Ok(JoinCode { salon, token: token.to_owned() })
    }

    /// What taking this code does on a device whose current salon and token are `current`.
    pub fn effect(&self, current: Option<(&SalonId, &str)>) -> JoinEffect {
        match current {
            None => JoinEffect::First,
            Some((salon, token)) if *salon == self.salon && token == self.token => JoinEffect::Same,
            Some((salon, _)) if *salon == self.salon => JoinEffect::NewToken,
            Some(_) => JoinEffect::OtherSalon,
        }
    }
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
    }

    #[test]
    fn another_salon_is_only_taken_when_asked() {
        let code = JoinCode::parse("demo:t1").expect("valid");
        let (demo, other) = (SalonId::parse("demo").expect("id"), SalonId::parse("other").expect("id"));
        assert_eq!(code.effect(None), JoinEffect::First);
        assert_eq!(code.effect(Some((&demo, "t1"))), JoinEffect::Same);
        assert_eq!(code.effect(Some((&demo, "t0"))), JoinEffect::NewToken);
        assert_eq!(code.effect(Some((&other, "t1"))), JoinEffect::OtherSalon);
    }
}
