//! One type per customer field, each built only through `parse`, so a `Profile` is valid by
//! construction.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::FieldProblem;

/// Field length limits, in characters (not bytes: Chinese text is three bytes a character).
pub mod limits {
    pub const NAME: usize = 40;
    pub const BEAUTICIAN: usize = 40;
    pub const ALLERGIES: usize = 1_000;
    pub const NOTES: usize = 4_000;
    pub const PHONE_MIN_DIGITS: usize = 5;
    /// E.164 allows at most 15 digits including the country code.
    pub const PHONE_MAX_DIGITS: usize = 15;
    pub const EARLIEST_BIRTH_YEAR: i16 = 1900;
}

fn bounded(raw: &str, max: usize) -> Result<String, FieldProblem> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > max {
        return Err(FieldProblem::TooLong { max });
    }
    Ok(trimmed.to_owned())
}

/// A customer's name: not blank, at most [`limits::NAME`] characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name(String);

impl Name {
    pub fn parse(raw: &str) -> Result<Self, FieldProblem> {
        let name = bounded(raw, limits::NAME)?;
        if name.is_empty() {
            return Err(FieldProblem::Required);
        }
        Ok(Name(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number kept as digits with an optional leading `+` (country code). People type
/// numbers with spaces, dashes, dots and brackets; those are accepted and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    /// Parses a non-blank phone number. Blank input is the caller's business (the phone is
    /// optional on the form).
    pub fn parse(raw: &str) -> Result<Self, FieldProblem> {
        let trimmed = raw.trim();
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(FieldProblem::PhoneCharacters),
            }
        }
        if !(limits::PHONE_MIN_DIGITS..=limits::PHONE_MAX_DIGITS).contains(&digits.len()) {
            return Err(FieldProblem::PhoneLength {
                min: limits::PHONE_MIN_DIGITS,
                max: limits::PHONE_MAX_DIGITS,
            });
        }
        Ok(Phone(if plus { format!("+{digits}") } else { digits }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number grouped the way people read it aloud: mobiles 3-4-4 (`139 1234 5678`,
    /// `+86 139 1234 5678`), mainland landlines area code then 4-4 or 3-4 (`021 6552 1234`).
    /// Anything else is shown as stored.
    pub fn display(&self) -> String {
        let (prefix, national) = match self.0.strip_prefix("+86") {
            Some(rest) => ("+86 ", rest),
            None => ("", self.0.as_str()),
        };
        let group = |parts: &[&str]| format!("{prefix}{}", parts.join(" "));
        let bytes = national.as_bytes();
        match (bytes.first(), bytes.len()) {
            (Some(b'1'), 11) => group(&[&national[..3], &national[3..7], &national[7..]]),
            (Some(b'0'), 10..=12) if prefix.is_empty() => {
                let area = if matches!(bytes[1], b'1' | b'2') { 3 } else { 4 };
                let local = &national[area..];
                match local.len() {
                    8 => group(&[&national[..area], &local[..4], &local[4..]]),
                    7 => group(&[&national[..area], &local[..3], &local[3..]]),
                    _ => self.0.clone(),
                }
            }
            _ => self.0.clone(),
        }
    }

    /// The digits alone, for searching by any part of the number.
    pub fn digits(&self) -> &str {
        self.0.trim_start_matches('+')
    }
}

/// A birthday: a real calendar date, not after today, not before [`limits::EARLIEST_BIRTH_YEAR`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Birthday(Date);

impl Birthday {
    pub fn parse(raw: &str, today: Date) -> Result<Self, FieldProblem> {
        let raw = raw.trim();
        // jiff accepts more than one layout; a form sends exactly `YYYY-MM-DD`.
        let shaped = raw.len() == 10
            && raw.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        let date: Date = match shaped.then(|| raw.parse::<Date>()) {
            Some(Ok(date)) => date,
            _ => return Err(FieldProblem::NotADate),
        };
        if date > today {
            return Err(FieldProblem::DateInFuture);
        }
        if date.year() < limits::EARLIEST_BIRTH_YEAR {
            return Err(FieldProblem::DateTooEarly { earliest_year: limits::EARLIEST_BIRTH_YEAR });
        }
        Ok(Birthday(date))
    }

    pub fn date(self) -> Date {
        self.0
    }

    /// Completed years of age on `today`.
    pub fn age_on(self, today: Date) -> i16 {
        let mut age = today.year() - self.0.year();
        if (today.month(), today.day()) < (self.0.month(), self.0.day()) {
            age -= 1;
        }
        age.max(0)
    }

    pub fn to_iso(self) -> String {
        self.0.to_string()
    }
}

macro_rules! choice {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
        pub enum $name {
            #[default]
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable key stored in documents and sent by forms.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn parse(raw: &str) -> Result<Self, FieldProblem> {
                match raw { $($key => Ok($name::$variant),)+ _ => Err(FieldProblem::UnknownChoice) }
            }
        }
    };
}

choice! {
    /// Gender as the customer gives it; unspecified by default.
    Gender {
        Unspecified => "",
        Female => "female",
        Male => "male",
        Other => "other",
    }
}

choice! {
    /// How the customer heard of the salon (DOMAIN.md §2, acquisition).
    Source {
        Unspecified => "",
        FriendReferral => "friend_referral",
        WalkedPast => "walked_past",
        Newspaper => "newspaper",
        Tv => "tv",
        Online => "online",
        FreeCard => "free_card",
        FamilyCard => "family_card",
        Other => "other",
    }
}

/// Everything a person can type about a customer in this version of the file, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: Name,
    pub gender: Gender,
    pub phone: Option<Phone>,
    pub birthday: Option<Birthday>,
    pub source: Source,
    /// Drug or product allergies and contraindications; non-empty means "alert before treating".
    pub allergies: String,
    pub notes: String,
    /// The beautician the customer belongs to (归属), by name until staff records exist.
    pub beautician: String,
}

impl Profile {
    pub(crate) fn bounded_allergies(raw: &str) -> Result<String, FieldProblem> {
        bounded(raw, limits::ALLERGIES)
    }

    pub(crate) fn bounded_notes(raw: &str) -> Result<String, FieldProblem> {
        bounded(raw, limits::NOTES)
    }

    pub(crate) fn bounded_beautician(raw: &str) -> Result<String, FieldProblem> {
        bounded(raw, limits::BEAUTICIAN)
    }

    /// True when the file carries an allergy or contraindication that must be seen before
    /// any treatment.
    pub fn has_health_alert(&self) -> bool {
        !self.allergies.is_empty()
    }
}
