//! The one error type of the domain crate, plus the per-field validation problems a form shows.

use serde::{Deserialize, Serialize};

pub use crate::customer::Field;

/// What is wrong with one field's input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldProblem {
    /// The field must not be blank.
    Required,
    /// The input has more characters than the field allows.
    TooLong { max: usize },
    /// A phone number with characters other than digits, spaces, dashes, dots, brackets and a
    /// leading `+`.
    PhoneCharacters,
    /// A phone number with too few or too many digits.
    PhoneLength { min: usize, max: usize },
    /// A phone number a spreadsheet turned into scientific notation (`1.39E+10`): its digits
    /// are lost and must be typed again.
    PhoneScientific,
    /// Not a calendar date in `YYYY-MM-DD` form.
    NotADate,
    /// A birthday after today.
    DateInFuture,
    /// A birthday before the earliest plausible year.
    DateTooEarly { earliest_year: i16 },
    /// A value that is not one of the allowed choices.
    UnknownChoice,
    /// More items (tags ...) than the field holds.
    TooMany { max: usize },
    /// A customer number that belongs to no customer of this salon.
    UnknownCustomer,
    /// Not an amount of money: digits with at most two decimals (`128`, `128.5`, `1,280.00`).
    NotAnAmount,
    /// An amount above the largest one a salon plausibly records.
    AmountTooLarge { max_yuan: i64 },
    /// A number of sessions, a quantity ... that must be a whole number in a range.
    NotInRange { min: i64, max: i64 },
    /// An amount or count that must be above zero.
    NotPositive,
    /// A date (expiry ...) before the date it must follow (purchase).
    DateBeforeStart,
    /// A package card with no sessions left.
    CardUsedUp,
    /// A package card past its expiry date.
    CardExpired,
    /// A card, entry or customer that the file does not have (any more).
    NotFound,
    /// A customer number already used by another customer.
    DuplicateNumber,
    /// A value that must be given for this kind of entry.
    Missing,
    /// Not a percentage from 0 to 100 with at most two decimals.
    NotAPercent,
    /// A class bar set below the next lower class's bar (B asks more than A ...).
    BarOutOfOrder,
    /// A share or number not larger than the one it must exceed (lost after silent ...).
    MustExceed { min: i64 },
    /// Paid from the prepaid balance, but the balance is smaller than the amount.
    PrepaidShort { balance: crate::money::Fen },
    /// The A+B share is below the A share (A+B includes A), in basis points.
    AbBelowA { a_bp: u32 },
    /// "Lost after" must be more days than "silent after".
    LostNotAfterSilent { silent_days: i64 },
    /// A name typed for a customer that several customers have: pick one by number.
    AmbiguousCustomer { count: usize },
    /// An imported row's number is a customer here, but neither her name nor her phone:
    /// probably another salon's number, not an update of `name`.
    NumberOfAnother { name: String },
    /// Health notes written while she has not given (or has withdrawn) her health consent.
    NeedsConsent,
}

/// Every problem found in one form submission, in field order. Empty means valid. `F` names
/// the form's fields: customer fields by default, or a visit/card/money form's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldErrors<F = Field>(Vec<(F, FieldProblem)>);

impl<F> Default for FieldErrors<F> {
    fn default() -> Self {
        FieldErrors(Vec::new())
    }
}

impl<F: Copy + PartialEq> FieldErrors<F> {
    pub fn push(&mut self, field: F, problem: FieldProblem) {
        self.0.push((field, problem));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problem with `field`, if there is one.
    pub fn get(&self, field: F) -> Option<&FieldProblem> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, p)| p)
    }

    pub fn iter(&self) -> impl Iterator<Item = &(F, FieldProblem)> {
        self.0.iter()
    }
}

/// The domain crate's error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// User input failed validation; the app shows each problem next to its field.
    #[error("invalid input in {} field(s)", .0.iter().count())]
    Invalid(FieldErrors),
    /// An id string that is not of the expected shape.
    #[error("malformed {kind} id")]
    MalformedId { kind: &'static str },
    /// Bytes that automerge cannot load, or a change that cannot be applied.
    #[error("corrupt document data: {0}")]
    Corrupt(String),
    /// A loaded document that lacks what every customer document has.
    #[error("not a customer document: missing {0}")]
    NotACustomer(&'static str),
    /// A health note or photo saved without her consent to it (PIPL art. 29).
    #[error("no consent to {}", .0.key())]
    NoConsent(crate::customer::Purpose),
    /// A wire frame that cannot be decoded.
    #[error("malformed frame: {0}")]
    Frame(String),
}

impl From<automerge::AutomergeError> for DomainError {
    fn from(error: automerge::AutomergeError) -> Self {
        DomainError::Corrupt(error.to_string())
    }
}
