//! Classes as values the app can name, store and compare, and the owner's manual override
//! of any class: with a reason and an optional expiry, the computed class staying visible
//! beside it.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::abc::ValueClass;
use super::grade::Grade;
use super::lifecycle::Lifecycle;
use super::rfm::Segment;
use crate::error::{FieldErrors, FieldProblem};

/// The classifications a customer has, one class in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Dimension {
    /// A/B/C by spend (Pareto).
    Value,
    /// Potential, new, regular, silent, lost.
    Lifecycle,
    /// A–D by the grade bars.
    Grade,
    /// RFM segment.
    Segment,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [Dimension::Value, Dimension::Lifecycle, Dimension::Grade, Dimension::Segment];

    pub fn key(self) -> &'static str {
        match self {
            Dimension::Value => "value",
            Dimension::Lifecycle => "lifecycle",
            Dimension::Grade => "grade",
            Dimension::Segment => "segment",
        }
    }

    pub fn parse(key: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.key() == key)
    }

    /// Every class of this dimension, in display order.
    pub fn classes(self) -> Vec<Class> {
        match self {
            Dimension::Value => [ValueClass::A, ValueClass::B, ValueClass::C].map(Class::Value).to_vec(),
            Dimension::Lifecycle => [
                Lifecycle::New { free_card: false },
                Lifecycle::New { free_card: true },
                Lifecycle::Regular,
                Lifecycle::Silent,
                Lifecycle::Lost,
                Lifecycle::Potential(1),
                Lifecycle::Potential(2),
                Lifecycle::Potential(3),
                Lifecycle::Potential(4),
            ]
            .map(Class::Lifecycle)
            .to_vec(),
            Dimension::Grade => [Grade::A, Grade::B, Grade::C, Grade::D].map(Class::Grade).to_vec(),
            Dimension::Segment => [
                Segment::Champion,
                Segment::Loyal,
                Segment::Promising,
                Segment::NeedsAttention,
                Segment::AtRisk,
                Segment::Hibernating,
                Segment::NoHistory,
            ]
            .map(Class::Segment)
            .to_vec(),
        }
    }
}

/// One class of one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Class {
    Value(ValueClass),
    Lifecycle(Lifecycle),
    Grade(Grade),
    Segment(Segment),
}

impl Class {
    pub fn dimension(self) -> Dimension {
        match self {
            Class::Value(_) => Dimension::Value,
            Class::Lifecycle(_) => Dimension::Lifecycle,
            Class::Grade(_) => Dimension::Grade,
            Class::Segment(_) => Dimension::Segment,
        }
    }

    /// A stable name: stored in overrides, used in element ids and filters.
    pub fn key(self) -> &'static str {
        match self {
            Class::Value(ValueClass::A) | Class::Grade(Grade::A) => "a",
            Class::Value(ValueClass::B) | Class::Grade(Grade::B) => "b",
            Class::Value(ValueClass::C) | Class::Grade(Grade::C) => "c",
            Class::Grade(Grade::D) => "d",
            Class::Lifecycle(Lifecycle::Potential(1)) => "potential-1",
            Class::Lifecycle(Lifecycle::Potential(2)) => "potential-2",
            Class::Lifecycle(Lifecycle::Potential(3)) => "potential-3",
            Class::Lifecycle(Lifecycle::Potential(_)) => "potential-4",
            Class::Lifecycle(Lifecycle::New { free_card: false }) => "new",
            Class::Lifecycle(Lifecycle::New { free_card: true }) => "new-free",
            Class::Lifecycle(Lifecycle::Regular) => "regular",
            Class::Lifecycle(Lifecycle::Silent) => "silent",
            Class::Lifecycle(Lifecycle::Lost) => "lost",
            Class::Segment(Segment::Champion) => "champion",
            Class::Segment(Segment::Loyal) => "loyal",
            Class::Segment(Segment::Promising) => "promising",
            Class::Segment(Segment::NeedsAttention) => "needs-attention",
            Class::Segment(Segment::AtRisk) => "at-risk",
            Class::Segment(Segment::Hibernating) => "hibernating",
            Class::Segment(Segment::NoHistory) => "no-history",
        }
    }

    pub fn parse(dimension: Dimension, key: &str) -> Option<Class> {
        dimension.classes().into_iter().find(|c| c.key() == key)
    }

    /// A one-byte code for snapshots: the position in [`Dimension::classes`], from 1.
    pub fn code(self) -> u8 {
        let position = self.dimension().classes().iter().position(|c| *c == self).unwrap_or(0);
        position as u8 + 1
    }

    pub fn from_code(dimension: Dimension, code: u8) -> Option<Class> {
        dimension.classes().get(usize::from(code).checked_sub(1)?).copied()
    }
}

/// A customer's class in every dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClassSet {
    pub value: ValueClass,
    pub lifecycle: Lifecycle,
    pub grade: Grade,
    pub segment: Segment,
}

impl ClassSet {
    pub fn get(&self, dimension: Dimension) -> Class {
        match dimension {
            Dimension::Value => Class::Value(self.value),
            Dimension::Lifecycle => Class::Lifecycle(self.lifecycle),
            Dimension::Grade => Class::Grade(self.grade),
            Dimension::Segment => Class::Segment(self.segment),
        }
    }

    pub fn set(&mut self, class: Class) {
        match class {
            Class::Value(v) => self.value = v,
            Class::Lifecycle(l) => self.lifecycle = l,
            Class::Grade(g) => self.grade = g,
            Class::Segment(s) => self.segment = s,
        }
    }
}

/// The owner's decision to put a customer in a class whatever the rules say.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "StoredOverride", into = "StoredOverride")]
pub struct Override {
    pub class: Class,
    pub reason: String,
    /// The last day it holds; `None` until it is removed.
    pub until: Option<Date>,
    pub set_on: Date,
}

impl Override {
    pub const MAX_REASON: usize = 200;

    pub fn is_active(&self, today: Date) -> bool {
        self.until.is_none_or(|until| until >= today)
    }
}

/// How an override is stored: class keys, not enum shapes, so the format outlives renames.
#[derive(Serialize, Deserialize)]
struct StoredOverride {
    dimension: String,
    class: String,
    reason: String,
    until: Option<Date>,
    set_on: Date,
}

impl From<Override> for StoredOverride {
    fn from(o: Override) -> Self {
        StoredOverride {
            dimension: o.class.dimension().key().to_owned(),
            class: o.class.key().to_owned(),
            reason: o.reason,
            until: o.until,
            set_on: o.set_on,
        }
    }
}

impl TryFrom<StoredOverride> for Override {
    type Error = String;
    fn try_from(s: StoredOverride) -> Result<Self, String> {
        let dimension = Dimension::parse(&s.dimension).ok_or_else(|| format!("unknown dimension {}", s.dimension))?;
        let class = Class::parse(dimension, &s.class).ok_or_else(|| format!("unknown class {}", s.class))?;
        Ok(Override { class, reason: s.reason, until: s.until, set_on: s.set_on })
    }
}

/// A field of the override form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverrideField {
    Class,
    Reason,
    Until,
}

/// The override form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverrideForm {
    pub class: String,
    pub reason: String,
    /// `YYYY-MM-DD`, or blank for no expiry.
    pub until: String,
}

impl OverrideForm {
    pub fn validate(&self, dimension: Dimension, today: Date) -> Result<Override, FieldErrors<OverrideField>> {
        let mut errors = FieldErrors::default();
        let class = Class::parse(dimension, self.class.trim());
        if class.is_none() {
            errors.push(OverrideField::Class, FieldProblem::UnknownChoice);
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            errors.push(OverrideField::Reason, FieldProblem::Required);
        } else if reason.chars().count() > Override::MAX_REASON {
            errors.push(OverrideField::Reason, FieldProblem::TooLong { max: Override::MAX_REASON });
        }
        let until = match self.until.trim() {
            "" => None,
            raw => match raw.parse::<Date>() {
                Ok(day) if day < today => {
                    errors.push(OverrideField::Until, FieldProblem::DateBeforeStart);
                    None
                }
                Ok(day) => Some(day),
                Err(_) => {
                    errors.push(OverrideField::Until, FieldProblem::NotADate);
                    None
                }
            },
        };
        match class {
            Some(class) if errors.is_empty() => Ok(Override { class, reason: reason.to_owned(), until, set_on: today }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn every_class_has_a_distinct_key_and_code_that_read_back() {
        for dimension in Dimension::ALL {
            let classes = dimension.classes();
            for class in &classes {
                assert_eq!(class.dimension(), dimension);
                assert_eq!(Class::parse(dimension, class.key()), Some(*class));
                assert_eq!(Class::from_code(dimension, class.code()), Some(*class));
            }
            let mut keys: Vec<&str> = classes.iter().map(|c| c.key()).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), classes.len(), "{dimension:?} keys are distinct");
        }
        assert_eq!(Class::from_code(Dimension::Value, 0), None);
        assert_eq!(Class::from_code(Dimension::Value, 4), None);
    }

    #[test]
    fn an_override_needs_a_known_class_a_reason_and_an_expiry_not_in_the_past() {
        let today = date(2026, 11, 24);
        let form = OverrideForm { class: "x".into(), reason: " ".into(), until: "2026-11-23".into() };
        let errors = form.validate(Dimension::Value, today).expect_err("refused");
        assert_eq!(errors.get(OverrideField::Class), Some(&FieldProblem::UnknownChoice));
        assert_eq!(errors.get(OverrideField::Reason), Some(&FieldProblem::Required));
        assert_eq!(errors.get(OverrideField::Until), Some(&FieldProblem::DateBeforeStart));
        let form = OverrideForm { class: "a".into(), reason: "老板的朋友".into(), until: "2026-11-24".into() };
        let set = form.validate(Dimension::Value, today).expect("valid");
        assert_eq!(set.class, Class::Value(ValueClass::A));
        assert!(set.is_active(today));
        assert!(!set.is_active(date(2026, 11, 25)), "it ends after its last day");
        let json = serde_json::to_string(&set).expect("json");
        assert!(json.contains("\"class\":\"a\""), "{json}");
        assert_eq!(serde_json::from_str::<Override>(&json).expect("read back"), set);
    }
}
