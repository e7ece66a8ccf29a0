//! Follow-ups (回访, DOMAIN.md §5): the care-plan rules that say whom to contact and why, the
//! worklist they make, and the follow-up log (回访登记表) that closes tasks.
//!
//! Tasks are not stored: they are generated from a customer's history, her classes, the care
//! policy and `today`. A task's id is its customer, its reason and its due date, so two
//! tablets offline generate the same task, never two. What is stored is what people did:
//! contacts (add-only entries) and a task's state (done, snoozed, skipped) under its id.

pub mod complaints;
pub mod plan;
pub mod rules;

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

use crate::customer::EntryId;
use crate::error::{FieldErrors, FieldProblem};

crate::customer::choice! {
    /// How a contact was made.
    Channel {
        Call => "call",
        Message => "message",
        Visit => "visit",
        InStore => "in_store",
    }
}

/// One line of the follow-up log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: EntryId,
    pub at: DateTime,
    /// Who made the contact (a beautician's name).
    pub by: String,
    pub channel: Channel,
    /// What was said.
    pub said: String,
    /// The customer's response.
    pub response: String,
    pub result: String,
    pub next_step: String,
    /// The task this contact answers, if any: recording it closes that task.
    pub answers: Option<String>,
    pub voided: bool,
}

/// A field of the contact form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactField {
    Date,
    Time,
    By,
    Channel,
    Said,
    Response,
    Result,
    NextStep,
}

/// The contact form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactForm {
    pub date: String,
    pub time: String,
    pub by: String,
    pub channel: String,
    pub said: String,
    pub response: String,
    pub result: String,
    pub next_step: String,
    pub answers: Option<String>,
}

const MAX_TEXT: usize = 500;

impl ContactForm {
    pub fn validate(&self, id: EntryId, now: DateTime) -> Result<Contact, FieldErrors<ContactField>> {
        let mut errors = FieldErrors::default();
        let date = match self.date.trim().parse::<Date>() {
            Ok(day) if day > now.date() => {
                errors.push(ContactField::Date, FieldProblem::DateInFuture);
                None
            }
            Ok(day) => Some(day),
            Err(_) => {
                errors.push(ContactField::Date, FieldProblem::NotADate);
                None
            }
        };
        let time = match self.time.trim() {
            "" => Some(jiff::civil::Time::midnight()),
            raw => match raw.parse::<jiff::civil::Time>() {
                Ok(t) => Some(t),
                Err(_) => {
                    errors.push(ContactField::Time, FieldProblem::NotADate);
                    None
                }
            },
        };
        let channel = Channel::parse(self.channel.trim()).map_err(|p| errors.push(ContactField::Channel, p)).ok();
        if self.by.trim().is_empty() {
            errors.push(ContactField::By, FieldProblem::Required);
        }
        if self.said.trim().is_empty() {
            errors.push(ContactField::Said, FieldProblem::Required);
        }
        for (field, text) in [
            (ContactField::By, &self.by),
            (ContactField::Said, &self.said),
            (ContactField::Response, &self.response),
            (ContactField::Result, &self.result),
            (ContactField::NextStep, &self.next_step),
        ] {
            if text.trim().chars().count() > MAX_TEXT {
                errors.push(field, FieldProblem::TooLong { max: MAX_TEXT });
            }
        }
        match (date, time, channel) {
            (Some(date), Some(time), Some(channel)) if errors.is_empty() => Ok(Contact {
                id,
                at: date.to_datetime(time),
                by: self.by.trim().to_owned(),
                channel,
                said: self.said.trim().to_owned(),
                response: self.response.trim().to_owned(),
                result: self.result.trim().to_owned(),
                next_step: self.next_step.trim().to_owned(),
                answers: self.answers.clone(),
                voided: false,
            }),
            _ => Err(errors),
        }
    }
}

/// What someone decided about a task without (or besides) a contact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskState {
    Done,
    /// Hidden until this day, then due on it.
    Snoozed {
        until: Date,
    },
    /// Not worth doing, and why; who decided and on which day, for the follow-up log.
    Skipped {
        reason: String,
        #[serde(default)]
        on: Option<Date>,
        #[serde(default)]
        by: String,
    },
}

/// Task states by task id, as stored in the customer's document.
pub type TaskStates = BTreeMap<String, TaskState>;
