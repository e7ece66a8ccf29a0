//! Salon join codes: how a device learns which salon it belongs to and the token the relay
//! asks for. Until device pairing exists, the relay prints a link per salon; staff open it or
//! paste it (or just `salon:token`) into Settings.

use crate::ids::SalonId;
use crate::wire::limits;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinCode {
    pub salon: SalonId,
    pub token: String,
}

impl JoinCode {
    /// Accepts `salon:token`, `#join=salon:token`, or a whole link containing `#join=`.
    pub fn parse(raw: &str) -> Option<JoinCode> {
        let raw = raw.trim();
        let code = match raw.find("#join=") {
            Some(at) => &raw[at + "#join=".len()..],
            None => raw,
        };
        let (salon, token) = code.split_once(':')?;
        let token = token.trim();
        let token_ok =
            !token.is_empty() && token.len() <= limits::MAX_TOKEN_LEN && token.bytes().all(|b| b.is_ascii_graphic());
        if !token_ok {
            return None;
        }
        Some(JoinCode { salon: SalonId::parse(salon.trim()).ok()?, token: token.to_owned() })
    }
}
