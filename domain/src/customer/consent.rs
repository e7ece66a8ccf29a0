//! Her separate consents (PIPL art. 29 单独同意): to keep a health record, to take photos and
//! to receive marketing messages. Each decision is an event (given or withdrawn, who, when),
//! kept forever in her file as the log art. 15 asks for; her current answer for a purpose is
//! the latest event. Events are add-only root registers (`consent_<entry id>`), so decisions
//! made on two offline tablets both stay and the later one counts.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::entries::EntryId;
use super::fields::{Field, Profile, Section};
use crate::{FieldErrors, FieldProblem};

/// What she consents to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Allergies, contraindications, medical history and sub-health notes.
    Health,
    /// Before/after photos of her face and body.
    Photos,
    /// Greetings and offers: birthday and holiday messages, win-back letters.
    Marketing,
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::Health, Purpose::Photos, Purpose::Marketing];

    pub fn key(self) -> &'static str {
        match self {
            Purpose::Health => "health",
            Purpose::Photos => "photos",
            Purpose::Marketing => "marketing",
        }
    }

    pub fn parse(raw: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.key() == raw)
    }
}

/// The most a "who" may hold: a person's name or a device's.
pub const MAX_BY_CHARS: usize = 40;

/// One decision: she gave or withdrew her consent to `purpose`, recorded by `by` at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvent {
    pub id: EntryId,
    pub purpose: Purpose,
    pub given: bool,
    /// Who recorded it (the beautician or front desk who asked her).
    pub by: String,
    pub at: Timestamp,
}

impl ConsentEvent {
    /// A decision recorded now by `by` (required, at most [`MAX_BY_CHARS`]).
    pub fn new(id: EntryId, purpose: Purpose, given: bool, by: &str, at: Timestamp) -> Result<Self, FieldProblem> {
        let by = by.trim();
        if by.is_empty() {
            return Err(FieldProblem::Required);
        }
        if by.chars().count() > MAX_BY_CHARS {
            return Err(FieldProblem::TooLong { max: MAX_BY_CHARS });
        }
        Ok(ConsentEvent { id, purpose, given, by: by.to_owned(), at })
    }
}

/// Where she stands on one purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentStatus<'a> {
    /// Never asked (files from before consents were recorded).
    NotRecorded,
    Given(&'a ConsentEvent),
    Withdrawn(&'a ConsentEvent),
    /// Her file holds a decision this build cannot read (a newer app's): it may be the
    /// latest, and a withdrawal, so it is shown as unknown until the app is updated.
    Unreadable,
}

/// Every consent decision in her file, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consents {
    events: Vec<ConsentEvent>,
    /// Decisions this build could not read (a newer app's): any of them may be a withdrawal.
    unreadable: usize,
}

impl Consents {
    /// Orders the events (by time, then id, so every device agrees on the latest).
    pub fn new(mut events: Vec<ConsentEvent>) -> Self {
        events.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        Consents { events, unreadable: 0 }
    }

    /// The same decisions, alongside `unreadable` ones this build could not read.
    pub fn with_unreadable(self, unreadable: usize) -> Self {
        Consents { unreadable, ..self }
    }

    pub fn events(&self) -> &[ConsentEvent] {
        &self.events
    }

    pub fn status(&self, purpose: Purpose) -> ConsentStatus<'_> {
        if self.unreadable > 0 {
            return ConsentStatus::Unreadable;
        }
        match self.events.iter().rev().find(|e| e.purpose == purpose) {
            None => ConsentStatus::NotRecorded,
            Some(e) if e.given => ConsentStatus::Given(e),
            Some(e) => ConsentStatus::Withdrawn(e),
        }
    }

    /// True when she has consented to `purpose` and not withdrawn since. A decision this
    /// build cannot read may have withdrawn it, so then nothing is allowed until the app is
    /// updated (health notes and photos can't be added meanwhile).
    pub fn allows(&self, purpose: Purpose) -> bool {
        matches!(self.status(purpose), ConsentStatus::Given(_))
    }

    /// True when she said no (withdrew) to `purpose`; false when given or never asked. A
    /// decision this build cannot read may be that no, so it counts as one until the app is
    /// updated (no greeting or offer goes out meanwhile).
    pub fn refuses(&self, purpose: Purpose) -> bool {
        matches!(self.status(purpose), ConsentStatus::Withdrawn(_) | ConsentStatus::Unreadable)
    }
}

impl Field {
    /// Health information in the law's sense: what needs her health consent to be kept.
    pub fn is_health(self) -> bool {
        self.section() == Section::Health || self == Field::SubHealth
    }
}

/// The health fields an edit from `before` (`None`: a new file) to `after` fills in or
/// changes to something not blank: each needs her health consent. Clearing a field never
/// does, and a legacy file's health notes left as they were never block saving the rest.
pub fn health_written(before: Option<&Profile>, after: &Profile) -> Vec<Field> {
    Field::ALL
        .iter()
        .copied()
        .filter(|f| {
            f.is_health() && !after.get(*f).trim().is_empty() && before.is_none_or(|b| b.get(*f) != after.get(*f))
        })
        .collect()
}

/// The form's verdict on consent: each health field written without it gets
/// [`FieldProblem::NeedsConsent`].
pub fn check_health(before: Option<&Profile>, after: &Profile, consented: bool) -> Result<(), FieldErrors> {
    let written = health_written(before, after);
    if consented || written.is_empty() {
        return Ok(());
    }
    let mut errors = FieldErrors::default();
    for field in written {
        errors.push(field, FieldProblem::NeedsConsent);
    }
    Err(errors)
}
