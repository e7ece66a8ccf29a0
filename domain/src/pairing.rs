//! Pairing by a short typed code (issue 11 §1): for a device without a camera, or when the QR
//! code can't be scanned. This is the part both devices compute; the relay's meeting point is
//! `server/src/pairing.rs`, the messages [`crate::wire::ClientMsg::PairOffer`] and
//! [`crate::wire::PairReply`].
//!
//! The owner's (or a manager's) device shows a 10-character code, `K7QX-4M2P-9D`: the first
//! four characters name a meeting point at the relay (the rendezvous), the last six are a
//! password that never leaves the two devices. They run SPAKE2 (RustCrypto's `spake2`) through
//! the relay, which only forwards the two messages: from them it learns nothing that would let
//! it test passwords offline, and an active relay gets one guess per code (each code is used
//! once). With the shared key the owner's device seals the invite link (relay address, invite
//! and salon keys) and the new device opens it; a wrong code shows as a payload that does not
//! open.
//!
//! The 30-bit password is enough because guessing is online only: one try per code, codes
//! live ten minutes. Randomness comes from the caller (`seed`), as everywhere in this crate.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha512};
use spake2::{Ed25519Group, Identity, Password, Spake2};
use zeroize::{Zeroize, Zeroizing};

/// Crockford's base 32: no I, L, O or U, so nothing is read two ways.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters naming the meeting point at the relay.
pub const RENDEZVOUS_CHARS: usize = 4;
/// Characters of the password only the two devices know.
pub const PASSWORD_CHARS: usize = 6;
const CODE_CHARS: usize = RENDEZVOUS_CHARS + PASSWORD_CHARS;
pub const NONCE_BYTES: usize = 24;

/// What is wrong with a typed pairing code, or with the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PairingProblem {
    /// Not 10 characters once spaces and dashes are left out.
    #[error("a pairing code has 10 characters, this has {0}")]
    Length(usize),
    /// A character that is in no code (a code has digits and letters but I, L, O and U).
    #[error("{0:?} is in no pairing code")]
    Character(char),
    /// The other device's message is not a SPAKE2 message.
    #[error("the other device's message is malformed")]
    Malformed,
    /// The sealed invite does not open: the code typed is not the one shown (or the relay
    /// tampered with the exchange).
    #[error("the code does not match")]
    WrongCode,
}

/// A pairing code as shown and typed.
#[derive(Clone, PartialEq, Eq)]
pub struct PairingCode {
    /// The 10 characters, upper case, without the dashes.
    chars: String,
}

impl std::fmt::Debug for PairingCode {
    // The password is a secret: only the meeting point is printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PairingCode({}-…)", self.rendezvous())
    }
}

impl PairingCode {
    /// A fresh code from 8 random bytes (50 of their bits are used).
    pub fn from_random(random: [u8; 8]) -> Self {
        let bits = u64::from_le_bytes(random);
        let chars = (0..CODE_CHARS).map(|i| char::from(ALPHABET[((bits >> (5 * i)) & 31) as usize])).collect();
        PairingCode { chars }
    }

    /// Reads a typed code: any case, spaces and dashes anywhere, the full-width letters and
    /// digits a Chinese input method types (`Ｋ７ＱＸ`), and the letters people type for digits
    /// (O for 0, I and L for 1) accepted.
    pub fn parse(raw: &str) -> Result<Self, PairingProblem> {
        let mut chars = String::with_capacity(CODE_CHARS);
        for c in raw.chars().map(half_width).filter(|c| !c.is_whitespace() && !matches!(c, '-' | '—' | '_')) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
                _ => return Err(PairingProblem::Character(c)),
            };
            chars.push(c);
        }
        match chars.chars().count() {
            CODE_CHARS => Ok(PairingCode { chars }),
            n => Err(PairingProblem::Length(n)),
        }
    }

    /// The code as shown: `K7QX-4M2P-9D`.
    pub fn display(&self) -> String {
        format!("{}-{}-{}", &self.chars[..4], &self.chars[4..8], &self.chars[8..])
    }

    /// The meeting point at the relay (the first four characters): all the relay sees.
    pub fn rendezvous(&self) -> &str {
        &self.chars[..RENDEZVOUS_CHARS]
    }

    /// Whether `raw` can be a meeting point: four characters of the code's alphabet, as
    /// [`PairingCode::rendezvous`] gives them (upper case). The relay checks what it is sent.
    pub fn valid_rendezvous(raw: &str) -> bool {
        raw.len() == RENDEZVOUS_CHARS && raw.bytes().all(|b| ALPHABET.contains(&b))
    }

    /// What was typed into Settings' one join field, if it is meant as a pairing code rather
    /// than a link or `salon:token`: no `:`, `#` or `/`, and short (a code with a character
    /// too many or too few still reads as a code, so its problem is named as a code's).
    pub fn typed(raw: &str) -> Option<Result<Self, PairingProblem>> {
        const LONGEST_TYPO: usize = CODE_CHARS + 4;
        let significant = raw.chars().map(half_width).filter(|c| !c.is_whitespace() && !matches!(c, '-' | '—' | '_'));
        let short = (1..=LONGEST_TYPO).contains(&significant.count());
        (short && !raw.contains([':', '#', '/'])).then(|| PairingCode::parse(raw))
    }

    fn password(&self) -> Password {
        Password::new(&self.chars.as_bytes()[RENDEZVOUS_CHARS..])
    }

    fn identities(&self) -> (Identity, Identity) {
        let r = self.rendezvous();
        (
            Identity::new(format!("meike-owner:{r}").as_bytes()),
            Identity::new(format!("meike-new-device:{r}").as_bytes()),
        )
    }
}

/// Full-width forms (U+FF01..U+FF5E, and the ideographic space) as their ASCII twins.
fn half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Which way a sealed payload goes: each direction has its own key, so nothing sealed one way
/// can be replayed the other way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the device showing the code to the one it was typed into (the invite).
    ToNewDevice,
    /// Back the other way (unused so far; reserved so the key stays separate).
    ToOwner,
}

impl Direction {
    fn label(self) -> &'static [u8] {
        match self {
            Direction::ToNewDevice => b"owner-to-new-device",
            Direction::ToOwner => b"new-device-to-owner",
        }
    }
}

/// One side of the exchange, waiting for the other side's message.
pub struct Exchange {
    state: Spake2<Ed25519Group>,
    rendezvous: String,
}

impl Exchange {
    /// The device showing the code starts: its message goes to the relay with the rendezvous.
    pub fn offer(code: &PairingCode, seed: [u8; 32]) -> (Exchange, Vec<u8>) {
        let (a, b) = code.identities();
        let (state, msg) = Spake2::<Ed25519Group>::start_a_with_rng(&code.password(), &a, &b, SeededRng::new(seed));
        (Exchange { state, rendezvous: code.rendezvous().to_owned() }, msg)
    }

    /// The device the code was typed into answers.
    pub fn answer(code: &PairingCode, seed: [u8; 32]) -> (Exchange, Vec<u8>) {
        let (a, b) = code.identities();
        let (state, msg) = Spake2::<Ed25519Group>::start_b_with_rng(&code.password(), &a, &b, SeededRng::new(seed));
        (Exchange { state, rendezvous: code.rendezvous().to_owned() }, msg)
    }

    /// The key for sealing in `direction`, from the other side's message. Both sides get the
    /// same key only when they used the same code; otherwise [`PairKey::open`] fails.
    ///
    /// SPAKE2's shared secret is not used as a key itself: a key per direction is derived
    /// from it with HMAC-SHA256 under a label naming the direction and the meeting point.
    pub fn finish(self, theirs: &[u8], direction: Direction) -> Result<PairKey, PairingProblem> {
        let secret = Zeroizing::new(self.state.finish(theirs).map_err(|_| PairingProblem::Malformed)?);
        let label: &[&[u8]] = &[b"meike-pair-v1", direction.label(), self.rendezvous.as_bytes()];
        let bytes = crate::crypto::prf(&secret, label);
        Ok(PairKey { bytes, rendezvous: self.rendezvous })
    }
}

impl Exchange {
    /// The device showing the code: the new device answered with `answer`; seals the invite
    /// `link` for it under a fresh `nonce`.
    pub fn seal_invite(self, answer: &[u8], link: &str, nonce: [u8; NONCE_BYTES]) -> Result<Vec<u8>, PairingProblem> {
        Ok(self.finish(answer, Direction::ToNewDevice)?.seal(link.as_bytes(), nonce))
    }

    /// The device the code was typed into: opens the invite link the relay passed on with the
    /// other device's message `offer`. [`PairingProblem::WrongCode`] when the codes differ.
    pub fn open_invite(self, offer: &[u8], sealed: &[u8]) -> Result<String, PairingProblem> {
        let link = self.finish(offer, Direction::ToNewDevice)?.open(sealed)?;
        String::from_utf8(link).map_err(|_| PairingProblem::WrongCode)
    }
}

/// Why a device that was typed a code got no invite: what the relay answered
/// (`POST /pair/{rendezvous}`), or what opening its reply showed. Each tells the person what
/// to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairFailure {
    /// No such code is open: mistyped in its first four characters, past its ten minutes, or
    /// the device showing it went offline (404).
    Unknown,
    /// The code was tried already: each takes one try (410).
    Used,
    /// The device showing the code did not answer in time (504).
    NoAnswer,
    /// Too many failed tries from this address lately (429).
    TooMany,
    /// The request or the reply is out of shape (400, or a reply that does not decode).
    Malformed,
    /// The reply did not open: the last six characters differ from the code shown.
    WrongCode,
    /// The relay could not be reached, or answered something else.
    Unreachable,
}

impl PairFailure {
    /// What the relay's answer means, by its HTTP status (not called for 200).
    pub fn from_status(status: u16) -> Self {
        match status {
            404 => PairFailure::Unknown,
            410 => PairFailure::Used,
            504 => PairFailure::NoAnswer,
            429 => PairFailure::TooMany,
            400 => PairFailure::Malformed,
            _ => PairFailure::Unreachable,
        }
    }
}

impl From<PairingProblem> for PairFailure {
    fn from(problem: PairingProblem) -> Self {
        match problem {
            PairingProblem::WrongCode => PairFailure::WrongCode,
            PairingProblem::Length(_) | PairingProblem::Character(_) | PairingProblem::Malformed => {
                PairFailure::Malformed
            }
        }
    }
}

/// The key both devices share after the exchange: it seals what the owner's device hands over.
/// Its bytes are wiped when it is dropped.
pub struct PairKey {
    bytes: [u8; 32],
    rendezvous: String,
}

impl Drop for PairKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl PairKey {
    /// Seals `payload` (the invite link) under a fresh `nonce`: `nonce (24) | ciphertext`.
    pub fn seal(&self, payload: &[u8], nonce: [u8; NONCE_BYTES]) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new((&self.bytes).into());
        let sealed = cipher.encrypt(&XNonce::from(nonce), Payload { msg: payload, aad: &self.aad() });
        let mut out = nonce.to_vec();
        // Sealing into memory cannot fail.
        out.extend(sealed.unwrap_or_default());
        out
    }

    /// Opens what the other device sealed; [`PairingProblem::WrongCode`] when the codes differ.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, PairingProblem> {
        if sealed.len() < NONCE_BYTES {
            return Err(PairingProblem::WrongCode);
        }
        let (nonce, body) = sealed.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| PairingProblem::WrongCode)?;
        let cipher = XChaCha20Poly1305::new((&self.bytes).into());
        cipher
            .decrypt(&XNonce::from(nonce), Payload { msg: body, aad: &self.aad() })
            .map_err(|_| PairingProblem::WrongCode)
    }

    fn aad(&self) -> Vec<u8> {
        [b"meike-pair-v1:".as_slice(), self.rendezvous.as_bytes()].concat()
    }
}

/// The randomness SPAKE2 draws (one scalar), expanded from the caller's seed with SHA-512 in
/// counter mode.
struct SeededRng {
    seed: [u8; 32],
    counter: u64,
    buffer: Vec<u8>,
}

impl SeededRng {
    fn new(seed: [u8; 32]) -> Self {
        SeededRng { seed, counter: 0, buffer: Vec::new() }
    }
}

impl rand_core::RngCore for SeededRng {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0; 4];
        self.fill_bytes(&mut bytes);
        u32::from_le_bytes(bytes)
    }

    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0; 8];
        self.fill_bytes(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for byte in dest {
            if self.buffer.is_empty() {
                let block = Sha512::new().chain_update(self.seed).chain_update(self.counter.to_le_bytes()).finalize();
                self.counter += 1;
                self.buffer = block.to_vec();
            }
            *byte = self.buffer.pop().unwrap_or_default();
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for SeededRng {}

impl Drop for SeededRng {
    fn drop(&mut self) {
        self.seed.zeroize();
        self.buffer.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> PairingCode {
        PairingCode::from_random([0x5a, 0x13, 0xc7, 0x29, 0xe4, 0x01, 0x9b, 0x77])
    }

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let code = code();
        let shown = code.display();
        assert_eq!(shown.len(), 12, "{shown}");
        assert_eq!(PairingCode::parse(&shown), Ok(code.clone()));
        assert_eq!(PairingCode::parse(&shown.to_lowercase().replace('-', " ")), Ok(code.clone()));
        let typed_with_letters = shown.replace('0', "o").replace('1', "l");
        assert_eq!(PairingCode::parse(&typed_with_letters), Ok(code));
        assert_eq!(PairingCode::parse("K7QX-4M2P"), Err(PairingProblem::Length(8)));
        assert_eq!(PairingCode::parse("K7QX-4M2P-9U"), Err(PairingProblem::Character('U')));
        assert_eq!(PairingCode::parse("K7QX-4M2P-9天"), Err(PairingProblem::Character('天')));
        assert!(
            !format!("{:?}", PairingCode::parse("K7QX-4M2P-9D").expect("code")).contains("4M2P"),
            "no password in logs"
        );
    }

    #[test]
    fn a_code_typed_with_a_chinese_input_method_reads_the_same() {
        let code = code();
        let full_width: String =
            code.display().chars().map(|c| char::from_u32(c as u32 + 0xFEE0).expect("full-width")).collect();
        assert_eq!(PairingCode::parse(&full_width), Ok(code.clone()), "{full_width}");
        assert_eq!(
            PairingCode::parse(&format!("\u{3000}{}\u{3000}", code.display().replace('-', "\u{3000}"))),
            Ok(code)
        );
        assert_eq!(PairingCode::typed("k7qx 4m2p 9d"), Some(PairingCode::parse("K7QX4M2P9D")));
        assert_eq!(
            PairingCode::typed("K7QX-4M2P-9"),
            Some(Err(PairingProblem::Length(9))),
            "one short: a code's problem"
        );
        assert_eq!(PairingCode::typed("demo:tok"), None, "a salon:token code is not a pairing code");
        assert_eq!(PairingCode::typed("https://salon.example/#join=demo:t"), None);
        assert_eq!(PairingCode::typed("Zb3kq8Vd0x1R2mWQy7cFhJ5nTpL9sA4eGuBvXo6iKwE"), None, "a token is long");
        assert_eq!(PairingCode::typed("  "), None);
        assert!(PairingCode::valid_rendezvous("K7QX"));
        assert!(!PairingCode::valid_rendezvous("k7qx"), "the relay is sent upper case only");
        assert!(!PairingCode::valid_rendezvous("K7QXY"));
        assert!(!PairingCode::valid_rendezvous("K7QU"));
    }

    #[test]
    fn each_direction_has_its_own_key() {
        let code = code();
        let (owner, to_new) = Exchange::offer(&code, [1; 32]);
        let (new_device, to_owner) = Exchange::answer(&code, [2; 32]);
        let sealed = owner.finish(&to_owner, Direction::ToNewDevice).expect("owner").seal(b"invite", [3; 24]);
        let backwards = new_device.finish(&to_new, Direction::ToOwner).expect("new device");
        assert_eq!(backwards.open(&sealed), Err(PairingProblem::WrongCode));
    }

    #[test]
    fn codes_differ_and_use_every_character_of_the_alphabet() {
        let codes: std::collections::BTreeSet<String> = (0u64..2_000)
            .map(|i| PairingCode::from_random(i.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_le_bytes()).display())
            .collect();
        assert_eq!(codes.len(), 2_000);
        let used: std::collections::BTreeSet<char> =
            codes.iter().flat_map(|c| c.chars()).filter(|c| *c != '-').collect();
        assert_eq!(used.len(), 32);
    }

    #[test]
    fn two_devices_with_the_same_code_share_a_key_and_the_invite_opens() {
        let code = code();
        let (owner, to_new) = Exchange::offer(&code, [1; 32]);
        let typed = PairingCode::parse(&code.display()).expect("typed");
        let (new_device, to_owner) = Exchange::answer(&typed, [2; 32]);
        let owner_key = owner.finish(&to_owner, Direction::ToNewDevice).expect("owner");
        let new_key = new_device.finish(&to_new, Direction::ToNewDevice).expect("new device");
        let invite = b"https://salon.example/#join=demo:invite;key=...";
        let sealed = owner_key.seal(invite, [3; 24]);
        assert!(!sealed.windows(8).any(|w| w == b"#join=de"), "the relay sees no invite");
        assert_eq!(new_key.open(&sealed).expect("opens"), invite);
    }

    #[test]
    fn the_invite_link_goes_over_whole_and_a_wrong_code_is_told_apart_from_the_relay_s_answers() {
        let code = code();
        let (owner, offer) = Exchange::offer(&code, [1; 32]);
        let (new_device, answer) = Exchange::answer(&code, [2; 32]);
        let link = "https://salon.example/#join=demo:invite;key=1.abc";
        let sealed = owner.seal_invite(&answer, link, [3; 24]).expect("sealed");
        assert_eq!(new_device.open_invite(&offer, &sealed).as_deref(), Ok(link));
        let (stranger, _) = Exchange::answer(&PairingCode::from_random([7; 8]), [4; 32]);
        assert_eq!(
            PairFailure::from(stranger.open_invite(&offer, &sealed).expect_err("wrong")),
            PairFailure::WrongCode
        );
        let statuses = [(404, PairFailure::Unknown), (410, PairFailure::Used), (504, PairFailure::NoAnswer)];
        for (status, failure) in
            statuses.into_iter().chain([(429, PairFailure::TooMany), (400, PairFailure::Malformed)])
        {
            assert_eq!(PairFailure::from_status(status), failure);
        }
        assert_eq!(PairFailure::from_status(502), PairFailure::Unreachable);
    }

    #[test]
    fn a_mistyped_code_opens_nothing_and_says_so() {
        let code = code();
        let (owner, to_new) = Exchange::offer(&code, [1; 32]);
        let mut shown = code.display().into_bytes();
        let last = shown.len() - 1;
        shown[last] = if shown[last] == b'2' { b'3' } else { b'2' };
        let typo = PairingCode::parse(std::str::from_utf8(&shown).expect("ascii")).expect("a code");
        assert_eq!(typo.rendezvous(), code.rendezvous(), "same meeting point, other password");
        let (new_device, to_owner) = Exchange::answer(&typo, [2; 32]);
        let sealed = owner.finish(&to_owner, Direction::ToNewDevice).expect("owner").seal(b"invite", [3; 24]);
        assert_eq!(
            new_device.finish(&to_new, Direction::ToNewDevice).expect("new").open(&sealed),
            Err(PairingProblem::WrongCode)
        );
    }

    #[test]
    fn the_relay_knowing_both_messages_and_even_the_password_cannot_open_the_invite() {
        // A passive relay sees both messages; with the right password but without either
        // device's secret it is no better off than with a wrong one: it can only start its
        // own exchange, whose key differs.
        let code = code();
        let (owner, to_new) = Exchange::offer(&code, [1; 32]);
        let (_, to_owner) = Exchange::answer(&code, [2; 32]);
        let sealed = owner.finish(&to_owner, Direction::ToNewDevice).expect("owner").seal(b"invite", [3; 24]);
        let (relay, _) = Exchange::answer(&code, [9; 32]);
        assert_eq!(
            relay.finish(&to_new, Direction::ToNewDevice).expect("relay").open(&sealed),
            Err(PairingProblem::WrongCode)
        );
        assert_eq!(
            Exchange::answer(&code, [2; 32]).0.finish(b"garbage", Direction::ToNewDevice).err(),
            Some(PairingProblem::Malformed)
        );
    }
}
