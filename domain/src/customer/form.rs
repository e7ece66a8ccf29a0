//! The customer form as typed: raw strings in, a valid [`Profile`] or per-field problems out.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::fields::{Field, Kind, Profile, Tag, canonical};
use crate::ids::CustomerId;
use crate::{FieldErrors, FieldProblem};

/// What the create/edit form holds while someone types: one plain string per [`Field`], so the
/// form can show exactly what was typed next to the problem with it. Tags are typed in one
/// box, separated by commas or spaces; the referrer is typed as her customer number or name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerForm(BTreeMap<Field, String>);

impl CustomerForm {
    pub fn get(&self, field: Field) -> &str {
        self.0.get(&field).map(String::as_str).unwrap_or("")
    }

    pub fn set(&mut self, field: Field, value: impl Into<String>) {
        self.0.insert(field, value.into());
    }

    /// A form with these fields typed in, for tests and imports.
    pub fn with(fields: &[(Field, &str)]) -> Self {
        let mut form = CustomerForm::default();
        for (field, value) in fields {
            form.set(*field, *value);
        }
        form
    }

    /// The form pre-filled from a saved profile, for editing. `number_of` gives a referrer's
    /// customer number; a referrer this device does not know yet (her file not synced here)
    /// keeps her id, which saves back as it was ([`crate::customer::find_customer`] reads it).
    pub fn from_profile(profile: &Profile, number_of: &dyn Fn(&CustomerId) -> Option<String>) -> Self {
        let mut form = CustomerForm::default();
        for field in Field::ALL.iter().copied() {
            let value = match field.kind() {
                Kind::Tags => Tag::join(profile.tags()),
                Kind::Customer => profile
                    .referrer()
                    .map(|id| number_of(&id).unwrap_or_else(|| id.as_str().to_owned()))
                    .unwrap_or_default(),
                _ => profile.get(field).to_owned(),
            };
            form.set(field, value);
        }
        form
    }

    /// Validates every field (not just the first bad one) so the form can mark them all at
    /// once. `referrer` finds the customer typed in the referrer field (by number or name; see
    /// [`crate::customer::find_customer`]).
    pub fn validate(
        &self,
        today: Date,
        referrer: &dyn Fn(&str) -> Result<CustomerId, FieldProblem>,
    ) -> Result<Profile, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut values = BTreeMap::new();
        let mut tags = Default::default();
        for field in Field::ALL.iter().copied() {
            let raw = self.get(field);
            if field.kind() == Kind::Tags {
                match Tag::parse_list(raw) {
                    Ok(parsed) => tags = parsed,
                    Err(problem) => errors.push(field, problem),
                }
                continue;
            }
            match canonical(field, raw, today, referrer) {
                Ok(value) if value.is_empty() => {}
                Ok(value) => {
                    values.insert(field, value);
                }
                Err(problem) => errors.push(field, problem),
            }
        }
        if errors.is_empty() { Ok(Profile { values, tags }) } else { Err(errors) }
    }
}
