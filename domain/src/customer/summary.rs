//! The customer list's entries: a projection of each document, stored beside the documents so
//! the list opens without loading every document; the paper books as views over them; and
//! the search.

use crate::care::complaints::Complaint;
use crate::care::rules::CareFacts;
use crate::classify::overrides::Override;
use crate::classify::{Facts, Ledger, Policy};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::doc::CustomerFile;
use super::entries::EXPIRING_SOON_DAYS;
use super::fields::Field;
use super::pinyin::{NameKeys, normalize};
use crate::FieldProblem;
use crate::ids::CustomerId;
use crate::money::{Fen, Payment};

/// One row of the customer list. Derived from a [`CustomerFile`]; never edited directly.
/// Holds nothing that depends on the day it was derived: day-dependent views (cards expiring)
/// are computed from stored dates when shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub id: String,
    pub number: String,
    pub name: String,
    /// Digits with an optional leading `+`, as stored; searched by any part.
    pub phone: String,
    /// The same number grouped for reading.
    pub phone_display: String,
    pub gender: String,
    pub beautician: String,
    pub has_health_alert: bool,
    /// Allergies recorded (the list's 过敏 badge).
    pub has_allergy: bool,
    /// Contraindications recorded (the list's 禁忌 badge: pregnancy, after surgery ...).
    pub has_contraindication: bool,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub tags: Vec<String>,
    pub source: String,
    pub pinyin: NameKeys,
    /// Milliseconds since the Unix epoch when moved to the bin.
    pub deleted_at: Option<i64>,
    pub visits: u32,
    /// Salon-local `YYYY-MM-DDTHH:MM:SS` of the last visit.
    pub last_visit: Option<String>,
    pub spent: Fen,
    pub prepaid: Fen,
    pub debt: Fen,
    /// Sessions left over all open cards, and what they are worth.
    pub open_sessions: i64,
    pub open_value: Fen,
    /// Open cards with an expiry date: (expiry, sessions left), soonest first.
    pub card_expiries: Vec<(Date, i64)>,
    /// A card or the prepaid balance was overdrawn by offline devices.
    pub overdrawn: bool,
    /// Has bought a card, topped up, been given a "member since" date, or visited twice:
    /// in the member book (会员本) rather than the potential-customer book (潜在客户本).
    pub member: bool,
    /// The outcome class staff set (疗效 A–D; blank when not assessed).
    pub outcome: String,
    /// What classification reads, so classifying the salon opens no document.
    pub ledger: Ledger,
    /// The owner's class overrides (expired ones included; the rules skip them).
    pub overrides: Vec<Override>,
    /// What the follow-up rules read.
    pub care: CareFacts,
    /// Her complaints not yet resolved, for the owner's home screen.
    pub open_complaints: Vec<Complaint>,
}

impl CustomerSummary {
    /// The list entry of a file. `today` only decides nothing stored; it is needed to read the
    /// account (expiry flags are recomputed when shown).
    pub fn of(file: &CustomerFile, today: Date) -> Self {
        let customer = &file.customer;
        let profile = &customer.profile;
        let account = file.account(today);
        let ledger = Ledger::with(file, &account, today);
        let care = CareFacts::with(file, &ledger, &account);
        let phone = profile.phone();
        let mut card_expiries: Vec<(Date, i64)> =
            account.open_cards().filter_map(|c| c.card.expires_on.map(|e| (e, c.remaining))).collect();
        card_expiries.sort();
        let topped_up = file.money.iter().any(|m| !m.voided && m.kind == super::entries::MoneyKind::TopUp);
        let member = !account.cards.is_empty()
            || topped_up
            || account.visits >= 2
            || profile.member_since().is_some()
            || file.visits.iter().any(|v| !v.voided && v.payment == Payment::Prepaid);
        CustomerSummary {
            id: customer.id.as_str().to_owned(),
            number: customer.number.to_string(),
            name: profile.name().to_owned(),
            phone: phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            phone_display: phone.as_ref().map(|p| p.display()).unwrap_or_default(),
            gender: profile.gender().key().to_owned(),
            beautician: profile.beautician().to_owned(),
            has_health_alert: profile.has_health_alert(),
            has_allergy: !profile.get(Field::Allergies).is_empty(),
            has_contraindication: !profile.get(Field::Contraindications).is_empty(),
            created_at: customer.created_at.as_millisecond(),
            tags: profile.tags().iter().map(|t| t.as_str().to_owned()).collect(),
            source: profile.get(Field::Source).to_owned(),
            pinyin: NameKeys::of(profile.name()),
            deleted_at: file.deleted_at.map(|t| t.as_millisecond()),
            visits: account.visits,
            last_visit: account.last_visit.map(|v| v.to_string()),
            spent: account.spent,
            prepaid: account.prepaid,
            debt: account.debt,
            open_sessions: account.open_cards().map(|c| c.remaining).sum(),
            open_value: account.liability,
            card_expiries,
            overdrawn: account.overdrawn(),
            member,
            outcome: profile.outcome().key().to_owned(),
            ledger,
            overrides: file.overrides.clone(),
            care,
            open_complaints: file.complaints.iter().filter(|c| c.is_open()).map(|c| c.complaint.clone()).collect(),
        }
    }

    /// Her classification facts under `policy` on `today`.
    pub fn facts(&self, policy: &Policy, today: Date) -> Facts {
        Facts::of_ledger(&self.id, &self.number, &self.ledger, policy, today)
    }

    /// The soonest expiry among open cards that is on or before `today` + the warning window.
    pub fn expiring_card(&self, today: Date) -> Option<Date> {
        let soon = today.checked_add(jiff::Span::new().days(EXPIRING_SOON_DAYS)).unwrap_or(today);
        self.card_expiries.iter().map(|(date, _)| *date).find(|date| *date <= soon)
    }
}

/// The salon's paper books, as views of the same customers (DOMAIN.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Book {
    /// Everyone not in the bin.
    #[default]
    All,
    /// 会员本.
    Members,
    /// 潜在客户本: not (yet) a member.
    Potential,
    /// 欠款本: owes money.
    Debtors,
    /// Open cards expired or expiring within [`EXPIRING_SOON_DAYS`].
    CardsExpiring,
    /// Deleted customers, restorable.
    Bin,
}

impl Book {
    pub const ALL: &'static [Book] =
        &[Book::All, Book::Members, Book::Potential, Book::Debtors, Book::CardsExpiring, Book::Bin];

    pub fn key(self) -> &'static str {
        match self {
            Book::All => "all",
            Book::Members => "members",
            Book::Potential => "potential",
            Book::Debtors => "debtors",
            Book::CardsExpiring => "expiring",
            Book::Bin => "bin",
        }
    }

    pub fn from_key(key: &str) -> Book {
        Book::ALL.iter().copied().find(|b| b.key() == key).unwrap_or_default()
    }

    pub fn contains(self, summary: &CustomerSummary, today: Date) -> bool {
        let live = summary.deleted_at.is_none();
        match self {
            Book::All => live,
            Book::Members => live && summary.member,
            Book::Potential => live && !summary.member,
            Book::Debtors => live && summary.debt > Fen::ZERO,
            Book::CardsExpiring => live && summary.expiring_card(today).is_some(),
            Book::Bin => !live,
        }
    }
}

/// A search box's content, prepared once per keystroke rather than once per customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    lowered: String,
    /// The query's digits when it reads as (part of) a phone number.
    digits: Option<String>,
    /// The query as pinyin letters, when it is only letters.
    pinyin: Option<String>,
}

impl SearchQuery {
    pub fn parse(raw: &str) -> Self {
        let trimmed = raw.trim().trim_start_matches('#');
        let lowered = trimmed.to_lowercase();
        let phone_like = !trimmed.is_empty()
            && trimmed.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')'));
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        SearchQuery {
            lowered,
            digits: (phone_like && !digits.is_empty()).then_some(digits),
            pinyin: normalize(trimmed),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lowered.is_empty()
    }

    /// Name (any part, any case, or its pinyin: initials, whole syllables or a mix), customer
    /// number, any run of digits of the phone, a tag, or the assigned beautician.
    pub fn matches(&self, summary: &CustomerSummary) -> bool {
        if self.is_empty() {
            return true;
        }
        if let Some(digits) = &self.digits
            && summary.phone.contains(digits.as_str())
        {
            return true;
        }
        if let Some(pinyin) = &self.pinyin
            && summary.pinyin.matches(pinyin)
        {
            return true;
        }
        let contains = |s: &str| contains_folded(s, &self.lowered);
        contains(&summary.name)
            || contains(&summary.number)
            || summary.tags.iter().any(|t| contains(t))
            || (!summary.beautician.is_empty() && contains(&summary.beautician))
    }
}

/// Case-insensitive `contains` for a lowercased needle, allocating only for text that has
/// upper-case letters (most Chinese names have none): search runs on every keystroke over
/// thousands of customers.
fn contains_folded(hay: &str, needle: &str) -> bool {
    if hay.chars().any(char::is_uppercase) { hay.to_lowercase().contains(needle) } else { hay.contains(needle) }
}

/// The beauticians customers are assigned to (not in the bin), sorted, each once: who a
/// worklist or a hand-over can be for.
pub fn beauticians(all: &[CustomerSummary]) -> Vec<String> {
    let names: std::collections::BTreeSet<&str> = all
        .iter()
        .filter(|s| s.deleted_at.is_none() && !s.beautician.is_empty())
        .map(|s| s.beautician.as_str())
        .collect();
    names.into_iter().map(str::to_owned).collect()
}

/// The customer someone typed into a field that names a customer (the referrer): her number
/// (any case, bin included: she still referred), or else her exact name when exactly one
/// customer not in the bin has it. Several with that name: pick by number.
pub fn find_customer(all: &[CustomerSummary], typed: &str) -> Result<CustomerId, FieldProblem> {
    let typed = typed.trim();
    let id = |s: &CustomerSummary| CustomerId::parse(&s.id).map_err(|_| FieldProblem::UnknownCustomer);
    if let Some(by_number) = all.iter().find(|s| s.number.eq_ignore_ascii_case(typed)) {
        return id(by_number);
    }
    let named: Vec<&CustomerSummary> = all.iter().filter(|s| s.deleted_at.is_none() && s.name == typed).collect();
    match named.as_slice() {
        [one] => id(one),
        // Her id as stored: a referrer whose file this device has not received yet.
        [] => CustomerId::parse(typed).map_err(|_| FieldProblem::UnknownCustomer),
        many => Err(FieldProblem::AmbiguousCustomer { count: many.len() }),
    }
}

/// The customers, not in the bin, who already have this phone number (other than `except`,
/// the file being edited): a second file for one person is usually a mistake, sometimes not
/// (a mother and daughter sharing a phone), so the form warns and lets it be saved on purpose.
/// `+86` numbers and the same number without it are one number.
pub fn same_phone<'a>(all: &'a [CustomerSummary], phone: &str, except: Option<&str>) -> Vec<&'a CustomerSummary> {
    let national = |p: &str| p.strip_prefix("+86").unwrap_or(p).to_owned();
    let Ok(phone) = super::fields::Phone::parse(phone) else { return Vec::new() };
    let wanted = national(phone.as_str());
    all.iter()
        .filter(|s| s.deleted_at.is_none() && Some(s.id.as_str()) != except)
        .filter(|s| !s.phone.is_empty() && national(&s.phone) == wanted)
        .collect()
}

/// A book as shown: its customers matching the query. The general books list the newest
/// first; the debt book the largest debt first; the expiring book the soonest expiry first;
/// the bin the latest deletion first. Ties are broken by number so every device shows the
/// same order.
pub fn search<'a>(
    all: &'a [CustomerSummary],
    book: Book,
    query: &SearchQuery,
    today: Date,
) -> Vec<&'a CustomerSummary> {
    let mut hits: Vec<&CustomerSummary> = all.iter().filter(|s| book.contains(s, today) && query.matches(s)).collect();
    hits.sort_by(|a, b| {
        let order = match book {
            Book::Debtors => b.debt.cmp(&a.debt),
            Book::CardsExpiring => a.expiring_card(today).cmp(&b.expiring_card(today)),
            Book::Bin => b.deleted_at.cmp(&a.deleted_at),
            _ => b.created_at.cmp(&a.created_at),
        };
        order.then_with(|| a.number.cmp(&b.number))
    });
    hits
}
