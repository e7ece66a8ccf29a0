//! The customer list's class filter: `dimension:class` (a computed class in effect, such as
//! `value:a` or `lifecycle:silent`) or `outcome:a` for the outcome class staff set.

use super::overrides::{Class, Dimension};
use super::run::Classification;
use crate::customer::{CustomerSummary, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassFilter {
    Computed(Dimension, Class),
    Outcome(Outcome),
}

impl ClassFilter {
    /// The filter a value names; `None` for blank ("every class") or a value this version
    /// does not know.
    pub fn parse(filter: &str) -> Option<ClassFilter> {
        let (dimension, class) = filter.split_once(':')?;
        if dimension == "outcome" {
            return Outcome::parse(class).ok().map(ClassFilter::Outcome);
        }
        let dimension = Dimension::parse(dimension)?;
        Some(ClassFilter::Computed(dimension, Class::parse(dimension, class)?))
    }

    pub fn keeps(self, summary: &CustomerSummary, classes: &Classification) -> bool {
        match self {
            ClassFilter::Computed(dimension, class) => {
                classes.get(&summary.id).is_some_and(|c| c.effective.get(dimension) == class)
            }
            ClassFilter::Outcome(outcome) => summary.outcome == outcome.key(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::abc::ValueClass;
    use crate::classify::lifecycle::Lifecycle;

    #[test]
    fn filter_values_name_a_dimension_and_class_or_an_outcome() {
        assert_eq!(
            ClassFilter::parse("value:a"),
            Some(ClassFilter::Computed(Dimension::Value, Class::Value(ValueClass::A)))
        );
        assert_eq!(
            ClassFilter::parse("lifecycle:silent"),
            Some(ClassFilter::Computed(Dimension::Lifecycle, Class::Lifecycle(Lifecycle::Silent)))
        );
        assert_eq!(ClassFilter::parse("outcome:d"), Some(ClassFilter::Outcome(Outcome::D)));
        for unknown in ["", "value", "value:z", "colour:a", "outcome:z"] {
            assert_eq!(ClassFilter::parse(unknown), None, "{unknown}");
        }
    }
}
