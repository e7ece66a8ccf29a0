//! The customer form as typed: raw strings in, a valid [`Profile`] or per-field problems out.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::fields::{Birthday, Gender, Name, Phone, Profile, Source};
use crate::{Field, FieldErrors};

/// What the create/edit form holds while someone types. Every field is a plain string so the
/// form can show exactly what was typed next to the problem with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerForm {
    pub name: String,
    pub gender: String,
    pub phone: String,
    pub birthday: String,
    pub source: String,
    pub allergies: String,
    pub notes: String,
    pub beautician: String,
}

impl CustomerForm {
    /// The form pre-filled from a saved profile, for editing.
    pub fn from_profile(profile: &Profile) -> Self {
        CustomerForm {
            name: profile.name.as_str().to_owned(),
            gender: profile.gender.key().to_owned(),
            phone: profile.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            birthday: profile.birthday.map(Birthday::to_iso).unwrap_or_default(),
            source: profile.source.key().to_owned(),
            allergies: profile.allergies.clone(),
            notes: profile.notes.clone(),
            beautician: profile.beautician.clone(),
        }
    }

    /// Validates every field (not just the first bad one) so the form can mark them all at once.
    pub fn validate(&self, today: Date) -> Result<Profile, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = Name::parse(&self.name).map_err(|p| errors.push(Field::Name, p)).ok();
        let gender = Gender::parse(&self.gender).map_err(|p| errors.push(Field::Gender, p)).ok();
        let phone = if self.phone.trim().is_empty() {
            Some(None)
        } else {
            Phone::parse(&self.phone).map(Some).map_err(|p| errors.push(Field::Phone, p)).ok()
        };
        let birthday = if self.birthday.trim().is_empty() {
            Some(None)
        } else {
            Birthday::parse(&self.birthday, today)
                .map(Some)
                .map_err(|p| errors.push(Field::Birthday, p))
                .ok()
        };
        let source = Source::parse(&self.source).map_err(|p| errors.push(Field::Source, p)).ok();
        let allergies =
            Profile::bounded_allergies(&self.allergies).map_err(|p| errors.push(Field::Allergies, p)).ok();
        let notes = Profile::bounded_notes(&self.notes).map_err(|p| errors.push(Field::Notes, p)).ok();
        let beautician =
            Profile::bounded_beautician(&self.beautician).map_err(|p| errors.push(Field::Beautician, p)).ok();

        match (name, gender, phone, birthday, source, allergies, notes, beautician) {
            (
                Some(name),
                Some(gender),
                Some(phone),
                Some(birthday),
                Some(source),
                Some(allergies),
                Some(notes),
                Some(beautician),
            ) if errors.is_empty() => {
                Ok(Profile { name, gender, phone, birthday, source, allergies, notes, beautician })
            }
            _ => Err(errors),
        }
    }
}
