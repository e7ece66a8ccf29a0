//! The complaint / opinion book (000 篇1 四): a complaint or suggestion is recorded with the
//! customer, a category and a severity, assigned, and tracked to resolution through the
//! actions taken. Both are add-only entries in the customer's document (a complaint is
//! written once; actions follow it), so devices offline never overwrite each other.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::customer::EntryId;
use crate::error::{FieldErrors, FieldProblem};

crate::customer::choice! {
    /// What a complaint is about.
    Category {
        Allergy => "allergy",
        Result => "result",
        Service => "service",
        Price => "price",
        Hygiene => "hygiene",
        Suggestion => "suggestion",
        Other => "other",
    }
}

crate::customer::choice! {
    Severity {
        Low => "low",
        Medium => "medium",
        High => "high",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Complaint {
    pub id: EntryId,
    pub opened_on: Date,
    pub category: Category,
    pub severity: Severity,
    pub text: String,
    /// Who handles it (blank: the owner).
    pub assigned_to: String,
}

/// Something done about a complaint; the one that `resolves` it closes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ComplaintAction {
    pub id: EntryId,
    pub complaint: EntryId,
    pub on: Date,
    pub by: String,
    pub text: String,
    pub resolves: bool,
}

/// A complaint with what was done about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ComplaintStatus {
    pub complaint: Complaint,
    pub actions: Vec<ComplaintAction>,
    pub resolved_on: Option<Date>,
}

impl ComplaintStatus {
    /// Each complaint with its actions (oldest first); resolved when any action resolves it.
    pub fn of(complaints: &[Complaint], actions: &[ComplaintAction]) -> Vec<ComplaintStatus> {
        let mut out: Vec<ComplaintStatus> = complaints
            .iter()
            .map(|c| {
                let mut mine: Vec<ComplaintAction> = actions.iter().filter(|a| a.complaint == c.id).cloned().collect();
                mine.sort_by(|a, b| (a.on, &a.id).cmp(&(b.on, &b.id)));
                let resolved_on = mine.iter().filter(|a| a.resolves).map(|a| a.on).min();
                ComplaintStatus { complaint: c.clone(), actions: mine, resolved_on }
            })
            .collect();
        out.sort_by(|a, b| (a.complaint.opened_on, &a.complaint.id).cmp(&(b.complaint.opened_on, &b.complaint.id)));
        out
    }

    pub fn is_open(&self) -> bool {
        self.resolved_on.is_none()
    }
}

/// The open complaints of the salon in the order the owner handles them (000 篇1 四; 001:
/// A customers' complaints come first): by the customer's value class, then the most
/// severe, then the oldest. `class_of` gives a customer's value class in effect.
pub fn for_owner(
    customers: &[crate::customer::CustomerSummary],
    class_of: impl Fn(&str) -> crate::classify::abc::ValueClass,
) -> Vec<(crate::classify::abc::ValueClass, &crate::customer::CustomerSummary, &Complaint)> {
    let mut open: Vec<_> = customers
        .iter()
        .filter(|s| s.deleted_at.is_none())
        .flat_map(|s| {
            let class = class_of(&s.id);
            s.open_complaints.iter().map(move |c| (class, s, c))
        })
        .collect();
    open.sort_by_key(|(class, s, c)| (*class, std::cmp::Reverse(c.severity as u8), c.opened_on, s.number.clone()));
    open
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintField {
    Category,
    Severity,
    Text,
    AssignedTo,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComplaintForm {
    pub category: String,
    pub severity: String,
    pub text: String,
    pub assigned_to: String,
}

const MAX_TEXT: usize = 500;

impl ComplaintForm {
    pub fn validate(&self, id: EntryId, today: Date) -> Result<Complaint, FieldErrors<ComplaintField>> {
        let mut errors = FieldErrors::default();
        let category = Category::parse(self.category.trim()).map_err(|p| errors.push(ComplaintField::Category, p)).ok();
        let severity = Severity::parse(self.severity.trim()).map_err(|p| errors.push(ComplaintField::Severity, p)).ok();
        let text = self.text.trim();
        if text.is_empty() {
            errors.push(ComplaintField::Text, FieldProblem::Required);
        } else if text.chars().count() > MAX_TEXT {
            errors.push(ComplaintField::Text, FieldProblem::TooLong { max: MAX_TEXT });
        }
        if self.assigned_to.trim().chars().count() > 40 {
            errors.push(ComplaintField::AssignedTo, FieldProblem::TooLong { max: 40 });
        }
        match (category, severity) {
            (Some(category), Some(severity)) if errors.is_empty() => Ok(Complaint {
                id,
                opened_on: today,
                category,
                severity,
                text: text.to_owned(),
                assigned_to: self.assigned_to.trim().to_owned(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn id(n: u8) -> EntryId {
        EntryId::from_random([n; 16])
    }

    #[test]
    fn a_complaint_is_open_until_an_action_resolves_it_whichever_device_recorded_what() {
        let form = ComplaintForm {
            category: "allergy".into(),
            severity: "high".into(),
            text: "做完面部后脸颊发红".into(),
            assigned_to: "店长".into(),
        };
        let complaint = form.validate(id(1), date(2026, 11, 20)).expect("valid");
        let call = ComplaintAction {
            id: id(2),
            complaint: id(1),
            on: date(2026, 11, 21),
            by: "店长".into(),
            text: "电话道歉，约复诊".into(),
            resolves: false,
        };
        let fixed = ComplaintAction {
            id: id(3),
            complaint: id(1),
            on: date(2026, 11, 23),
            by: "店长".into(),
            text: "复诊后已消退，赠送修护护理".into(),
            resolves: true,
        };
        let open = ComplaintStatus::of(std::slice::from_ref(&complaint), std::slice::from_ref(&call));
        assert!(open[0].is_open());
        let both = ComplaintStatus::of(std::slice::from_ref(&complaint), &[fixed.clone(), call.clone()]);
        assert_eq!(both[0].resolved_on, Some(date(2026, 11, 23)));
        assert_eq!(both[0].actions, vec![call, fixed], "actions in order, whatever order they merged in");
    }

    #[test]
    fn the_form_names_each_problem() {
        let errors = ComplaintForm {
            category: "noise".into(),
            severity: String::new(),
            text: " ".into(),
            assigned_to: String::new(),
        }
        .validate(id(1), date(2026, 11, 20))
        .expect_err("refused");
        assert_eq!(errors.get(ComplaintField::Category), Some(&FieldProblem::UnknownChoice));
        assert_eq!(errors.get(ComplaintField::Severity), Some(&FieldProblem::UnknownChoice));
        assert_eq!(errors.get(ComplaintField::Text), Some(&FieldProblem::Required));
    }
}
