//! The one error type of the domain crate, plus the per-field validation problems a form shows.

use serde::{Deserialize, Serialize};

/// A form field that validation can complain about. The app turns these into labels and
/// messages in the user's language; the domain never produces user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    Name,
    Phone,
    Birthday,
    Gender,
    Source,
    Allergies,
    Notes,
    Beautician,
}

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
    /// Not a calendar date in `YYYY-MM-DD` form.
    NotADate,
    /// A birthday after today.
    DateInFuture,
    /// A birthday before the earliest plausible year.
    DateTooEarly { earliest_year: i16 },
    /// A value that is not one of the allowed choices.
    UnknownChoice,
}

/// Every problem found in one form submission, in field order. Empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(Field, FieldProblem)>);

impl FieldErrors {
    pub fn push(&mut self, field: Field, problem: FieldProblem) {
        self.0.push((field, problem));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problem with `field`, if there is one.
    pub fn get(&self, field: Field) -> Option<&FieldProblem> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, p)| p)
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Field, FieldProblem)> {
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
    /// A wire frame that cannot be decoded.
    #[error("malformed frame: {0}")]
    Frame(String),
}

impl From<automerge::AutomergeError> for DomainError {
    fn from(error: automerge::AutomergeError) -> Self {
        DomainError::Corrupt(error.to_string())
    }
}
