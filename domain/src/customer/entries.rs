//! What happens to a customer over time, as entries in her document (DOMAIN.md §3): visits,
//! package cards (次卡/疗程卡), money entries (储值 top-ups, 欠款 debts and repayments) and photos.
//!
//! Entries are only ever added, each under its own random id, so two offline devices never
//! write the same key; a mistake is corrected by voiding the entry, never by editing a number.
//! Balances and remaining sessions are *derived* from the entries ([`Account`]), so merging
//! two devices' entries always gives the right totals, and a session used twice offline shows
//! up as an overdrawn card instead of disappearing.

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

use super::fields::{bounded, limits, parse_date};
use crate::money::{Fen, Payment};
use crate::{DomainError, FieldErrors, FieldProblem};

/// An entry's id: 32 lowercase hex characters from 16 random bytes the caller draws.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntryId(String);

impl EntryId {
    pub fn from_random(bytes: [u8; 16]) -> Self {
        EntryId(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        if raw.len() == 32 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(EntryId(raw.to_owned()))
        } else {
            Err(DomainError::MalformedId { kind: "entry" })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Days before expiry from which a card counts as "expiring soon".
pub const EXPIRING_SOON_DAYS: i32 = 30;
/// Most sessions one card may hold.
pub const MAX_CARD_SESSIONS: u32 = 500;

/// One visit (到店消费): what was done, by whom, what was paid and which card sessions it used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: EntryId,
    /// Salon-local date and time, as written on the paper sheet.
    pub at: DateTime,
    /// Service items (面部护理, 肩颈按摩 ...).
    pub items: String,
    pub beautician: String,
    /// What was paid at this visit (services and products); zero when a card session covered it.
    pub amount: Fen,
    pub payment: Payment,
    /// Products bought to use at home.
    pub products: String,
    /// Sessions used per card.
    pub card_uses: BTreeMap<EntryId, u32>,
    pub notes: String,
    pub voided: bool,
}

/// A package card: N sessions of one item, paid up front.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: EntryId,
    pub item: String,
    pub sessions: u32,
    /// Sessions already used before the card came into Meike (a card carried over from the
    /// paper book or imported from another salon).
    pub used_before: u32,
    pub price: Fen,
    pub payment: Payment,
    pub bought_on: Date,
    pub expires_on: Option<Date>,
    pub voided: bool,
}

crate::customer::fields::choice! {
    /// A money entry of the prepaid (储值) or debt (欠款) book.
    MoneyKind {
        TopUp => "top_up",
        Repayment => "repayment",
        Debt => "debt",
    }
}

/// A money entry that is not a purchase: a top-up of the prepaid balance, a repayment of
/// debt, or a debt recorded outside a visit (an opening balance from the paper book, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyEntry {
    pub id: EntryId,
    pub on: Date,
    pub kind: MoneyKind,
    pub amount: Fen,
    /// How the money came in. A debt brings no money in: its stored placeholder (cash)
    /// means nothing, see [`MoneyEntry::paid_by`].
    pub payment: Payment,
    pub note: String,
    pub voided: bool,
}

impl MoneyEntry {
    /// How the money came in; `None` for a debt, which records money that did not.
    pub fn paid_by(&self) -> Option<Payment> {
        (self.kind != MoneyKind::Debt).then_some(self.payment)
    }
}

crate::customer::fields::choice! {
    /// Where on the body a photo was taken (DOMAIN.md §2; 003 第三节).
    BodyArea {
        Face => "face",
        Forehead => "forehead",
        Eyes => "eyes",
        Cheeks => "cheeks",
        Chin => "chin",
        Neck => "neck",
        Crown => "crown",
        Back => "back",
        Abdomen => "abdomen",
        Arms => "arms",
        Legs => "legs",
        Other => "other",
    }
}

crate::customer::fields::choice! {
    PhotoStage {
        Before => "before",
        After => "after",
        CloseUp => "close_up",
    }
}

/// A photo's record in the document. The image itself is a blob on the devices and the relay,
/// named by the SHA-256 of its bytes (`blob`, 64 hex characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Photo {
    pub id: EntryId,
    pub blob: String,
    pub area: BodyArea,
    pub stage: PhotoStage,
    pub taken_on: Date,
    pub note: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u32,
    pub voided: bool,
}

/// The fields of the visit, card, money and photo forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryField {
    Date,
    Time,
    Items,
    Beautician,
    Amount,
    Payment,
    Products,
    Card,
    Notes,
    Item,
    Sessions,
    Price,
    Expiry,
    Kind,
}

/// The visit form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitForm {
    pub date: String,
    pub time: String,
    pub items: String,
    pub beautician: String,
    pub amount: String,
    pub payment: String,
    pub products: String,
    /// Cards to take one session each from.
    pub cards: Vec<String>,
    pub notes: String,
}

impl VisitForm {
    /// Checks the form against the file as this device sees it: a card must exist, not be
    /// voided or expired on the visit's date, and have a session left. (Two devices can still
    /// both use the last session offline; [`Account`] then shows the card as overdrawn.)
    pub fn validate(&self, id: EntryId, account: &Account, now: DateTime) -> Result<Visit, FieldErrors<EntryField>> {
        let mut errors = FieldErrors::default();
        let date = parse_date(&self.date).map_err(|p| errors.push(EntryField::Date, p)).ok();
        let time = parse_time(&self.time).map_err(|p| errors.push(EntryField::Time, p)).ok();
        let at = match (date, time) {
            (Some(date), Some(time)) => {
                let at = date.to_datetime(time);
                // A visit is recorded during or after it; allow a day for a clock that is off.
                if at.date() > now.date().tomorrow().unwrap_or(now.date()) {
                    errors.push(EntryField::Date, FieldProblem::DateInFuture);
                }
                Some(at)
            }
            _ => None,
        };
        let items = bounded(&self.items, limits::LINE).map_err(|p| errors.push(EntryField::Items, p)).ok();
        let products = bounded(&self.products, limits::LINE).map_err(|p| errors.push(EntryField::Products, p)).ok();
        if items.as_deref() == Some("") && products.as_deref() == Some("") {
            errors.push(EntryField::Items, FieldProblem::Missing);
        }
        let beautician =
            bounded(&self.beautician, limits::SHORT).map_err(|p| errors.push(EntryField::Beautician, p)).ok();
        let amount = if self.amount.trim().is_empty() {
            Some(Fen::ZERO)
        } else {
            Fen::parse(&self.amount).map_err(|p| errors.push(EntryField::Amount, p)).ok()
        };
        let payment = Payment::parse(&self.payment).map_err(|p| errors.push(EntryField::Payment, p)).ok();
        let notes = bounded(&self.notes, limits::TEXT).map_err(|p| errors.push(EntryField::Notes, p)).ok();
        // One device never takes the prepaid balance below zero (two offline devices still
        // can; the account then shows it as overdrawn).
        if let (Some(amount), Some(Payment::Prepaid)) = (amount, payment)
            && amount > Fen::ZERO
            && amount > account.prepaid
        {
            errors.push(EntryField::Amount, FieldProblem::PrepaidShort { balance: account.prepaid.max(Fen::ZERO) });
        }
        let mut card_uses = BTreeMap::new();
        for raw in &self.cards {
            let status = EntryId::parse(raw).ok().and_then(|id| account.card(&id));
            let problem = match (status, at) {
                (None, _) => Some(FieldProblem::NotFound),
                (Some(status), _) if status.remaining < 1 => Some(FieldProblem::CardUsedUp),
                (Some(status), Some(at)) if status.card.expires_on.is_some_and(|e| e < at.date()) => {
                    Some(FieldProblem::CardExpired)
                }
                (Some(status), _) => {
                    card_uses.insert(status.card.id.clone(), 1);
                    None
                }
            };
            if let Some(problem) = problem {
                errors.push(EntryField::Card, problem);
            }
        }
        match (at, items, beautician, amount, payment, products, notes) {
            (Some(at), Some(items), Some(beautician), Some(amount), Some(payment), Some(products), Some(notes))
                if errors.is_empty() =>
            {
                Ok(Visit { id, at, items, beautician, amount, payment, products, card_uses, notes, voided: false })
            }
            _ => Err(errors),
        }
    }
}

/// A form date that has happened (a purchase, a payment): the date or the problem with it.
fn day_not_after(raw: &str, today: Date) -> Result<Date, FieldProblem> {
    match parse_date(raw)? {
        date if date > today => Err(FieldProblem::DateInFuture),
        date => Ok(date),
    }
}

fn parse_time(raw: &str) -> Result<jiff::civil::Time, FieldProblem> {
    let raw = raw.trim();
    let shaped = raw.len() == 5 && raw.as_bytes()[2] == b':';
    let parsed = shaped.then(|| Some((raw[..2].parse::<i8>().ok()?, raw[3..].parse::<i8>().ok()?))).flatten();
    match parsed {
        Some((h, m)) => jiff::civil::Time::new(h, m, 0, 0).map_err(|_| FieldProblem::NotADate),
        None => Err(FieldProblem::NotADate),
    }
}

/// The card form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardForm {
    pub item: String,
    pub sessions: String,
    pub price: String,
    pub payment: String,
    pub bought_on: String,
    pub expires_on: String,
}

impl CardForm {
    /// Checks the form; a card paid from the prepaid balance must fit in it (`account` is
    /// the file as this device sees it).
    pub fn validate(&self, id: EntryId, account: &Account, today: Date) -> Result<Card, FieldErrors<EntryField>> {
        let mut errors = FieldErrors::default();
        let item = match bounded(&self.item, limits::SHORT) {
            Ok(item) if item.is_empty() => {
                errors.push(EntryField::Item, FieldProblem::Required);
                None
            }
            Ok(item) => Some(item),
            Err(p) => {
                errors.push(EntryField::Item, p);
                None
            }
        };
        let range = FieldProblem::NotInRange { min: 1, max: i64::from(MAX_CARD_SESSIONS) };
        let sessions = match self.sessions.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_CARD_SESSIONS).contains(&n) => Some(n),
            _ => {
                errors.push(EntryField::Sessions, range);
                None
            }
        };
        let price = Fen::parse(&self.price).map_err(|p| errors.push(EntryField::Price, p)).ok();
        let payment = Payment::parse(&self.payment).map_err(|p| errors.push(EntryField::Payment, p)).ok();
        if let (Some(price), Some(Payment::Prepaid)) = (price, payment)
            && price > Fen::ZERO
            && price > account.prepaid
        {
            errors.push(EntryField::Price, FieldProblem::PrepaidShort { balance: account.prepaid.max(Fen::ZERO) });
        }
        let bought_on = day_not_after(&self.bought_on, today).map_err(|p| errors.push(EntryField::Date, p)).ok();
        let expires_on = if self.expires_on.trim().is_empty() {
            Some(None)
        } else {
            match (parse_date(&self.expires_on), bought_on) {
                (Ok(expiry), Some(bought)) if expiry < bought => {
                    errors.push(EntryField::Expiry, FieldProblem::DateBeforeStart);
                    None
                }
                (Ok(expiry), _) => Some(Some(expiry)),
                (Err(p), _) => {
                    errors.push(EntryField::Expiry, p);
                    None
                }
            }
        };
        match (item, sessions, price, payment, bought_on, expires_on) {
            (Some(item), Some(sessions), Some(price), Some(payment), Some(bought_on), Some(expires_on))
                if errors.is_empty() =>
            {
                Ok(Card { id, item, sessions, used_before: 0, price, payment, bought_on, expires_on, voided: false })
            }
            _ => Err(errors),
        }
    }
}

/// The money form as typed (top-up, repayment, or a debt outside a visit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyForm {
    pub kind: String,
    pub amount: String,
    pub payment: String,
    pub on: String,
    pub note: String,
}

impl MoneyForm {
    pub fn validate(&self, id: EntryId, today: Date) -> Result<MoneyEntry, FieldErrors<EntryField>> {
        let mut errors = FieldErrors::default();
        let kind = MoneyKind::parse(&self.kind).map_err(|p| errors.push(EntryField::Kind, p)).ok();
        let amount = match Fen::parse(&self.amount) {
            Ok(amount) if amount == Fen::ZERO => {
                errors.push(EntryField::Amount, FieldProblem::NotPositive);
                None
            }
            Ok(amount) => Some(amount),
            Err(p) => {
                errors.push(EntryField::Amount, p);
                None
            }
        };
        // Money comes in as money: a top-up paid from the prepaid balance, or on account, is
        // not a top-up. A debt entry records no payment (cash is the stored placeholder).
        let payment = match (kind, Payment::parse(&self.payment)) {
            (Some(MoneyKind::Debt), _) => Some(Payment::Cash),
            (_, Ok(Payment::Prepaid | Payment::OnAccount)) | (_, Err(_)) => {
                errors.push(EntryField::Payment, FieldProblem::UnknownChoice);
                None
            }
            (_, Ok(payment)) => Some(payment),
        };
        let on = day_not_after(&self.on, today).map_err(|p| errors.push(EntryField::Date, p)).ok();
        let note = bounded(&self.note, limits::LINE).map_err(|p| errors.push(EntryField::Notes, p)).ok();
        match (kind, amount, payment, on, note) {
            (Some(kind), Some(amount), Some(payment), Some(on), Some(note)) if errors.is_empty() => {
                Ok(MoneyEntry { id, on, kind, amount, payment, note, voided: false })
            }
            _ => Err(errors),
        }
    }
}

/// A card with its derived state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardStatus {
    pub card: Card,
    pub used: u32,
    /// Sessions left; negative when offline devices used more sessions than the card had.
    pub remaining: i64,
    /// What the remaining sessions are worth (price × remaining ÷ sessions, rounded down):
    /// the salon owes this to the customer.
    pub value: Fen,
    pub expired: bool,
    pub expiring_soon: bool,
}

impl CardStatus {
    /// More sessions used than bought: two devices used the last session(s) offline.
    pub fn overdrawn(&self) -> bool {
        self.remaining < 0
    }

    /// Not voided and sessions left.
    pub fn is_open(&self) -> bool {
        !self.card.voided && self.remaining > 0
    }
}

/// Everything derived from a customer's entries on a given day. Never stored in the document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Prepaid balance (储值余额): top-ups minus what was paid from it.
    pub prepaid: Fen,
    /// Debt (欠款): unpaid purchases and recorded debts minus repayments.
    pub debt: Fen,
    /// Non-voided cards, oldest first.
    pub cards: Vec<CardStatus>,
    /// Value of all remaining sessions (the salon's liability to this customer).
    pub liability: Fen,
    /// Everything she spent: visits and cards, whatever the means of payment (top-ups are
    /// prepayments, not spend).
    pub spent: Fen,
    pub visits: u32,
    pub first_visit: Option<DateTime>,
    pub last_visit: Option<DateTime>,
}

impl Account {
    pub fn of(visits: &[Visit], cards: &[Card], money: &[MoneyEntry], today: Date) -> Self {
        let mut account = Account::default();
        let mut used: BTreeMap<&EntryId, u32> = BTreeMap::new();
        for visit in visits.iter().filter(|v| !v.voided) {
            account.visits += 1;
            account.spent = account.spent + visit.amount;
            account.charge(visit.payment, visit.amount);
            for (card, n) in &visit.card_uses {
                *used.entry(card).or_default() += n;
            }
            account.first_visit = Some(account.first_visit.map_or(visit.at, |f| f.min(visit.at)));
            account.last_visit = Some(account.last_visit.map_or(visit.at, |l| l.max(visit.at)));
        }
        let soon = today.checked_add(jiff::Span::new().days(EXPIRING_SOON_DAYS)).unwrap_or(today);
        let mut cards: Vec<&Card> = cards.iter().filter(|c| !c.voided).collect();
        cards.sort_by(|a, b| (a.bought_on, &a.id).cmp(&(b.bought_on, &b.id)));
        for card in cards {
            account.spent = account.spent + card.price;
            account.charge(card.payment, card.price);
            let used = card.used_before.saturating_add(used.get(&card.id).copied().unwrap_or(0));
            let remaining = i64::from(card.sessions) - i64::from(used);
            let value = card.price.share(remaining.max(0), i64::from(card.sessions));
            account.liability = account.liability + value;
            let expired = card.expires_on.is_some_and(|e| e < today);
            let expiring_soon = !expired && card.expires_on.is_some_and(|e| e <= soon);
            account.cards.push(CardStatus { card: card.clone(), used, remaining, value, expired, expiring_soon });
        }
        for entry in money.iter().filter(|m| !m.voided) {
            match entry.kind {
                MoneyKind::TopUp => account.prepaid = account.prepaid + entry.amount,
                MoneyKind::Repayment => account.debt = account.debt - entry.amount,
                MoneyKind::Debt => account.debt = account.debt + entry.amount,
            }
        }
        account
    }

    fn charge(&mut self, payment: Payment, amount: Fen) {
        match payment {
            Payment::Prepaid => self.prepaid = self.prepaid - amount,
            Payment::OnAccount => self.debt = self.debt + amount,
            _ => {}
        }
    }

    pub fn card(&self, id: &EntryId) -> Option<&CardStatus> {
        self.cards.iter().find(|c| &c.card.id == id)
    }

    /// Cards with sessions left.
    pub fn open_cards(&self) -> impl Iterator<Item = &CardStatus> {
        self.cards.iter().filter(|c| c.is_open())
    }

    /// Something merged from offline devices overdrew a card or the prepaid balance.
    pub fn overdrawn(&self) -> bool {
        self.prepaid_overdrawn() || self.cards.iter().any(CardStatus::overdrawn)
    }

    /// More was paid from the prepaid balance than was topped up: offline devices each took
    /// from the same balance (one device refuses to).
    pub fn prepaid_overdrawn(&self) -> bool {
        self.prepaid < Fen::ZERO
    }
}
