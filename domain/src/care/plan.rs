//! The care plan's form: the owner edits when each kind of follow-up is due and the salon's
//! holidays, every figure checked with a specific problem.

use std::collections::BTreeMap;

use super::rules::{CarePolicy, Holiday};
use crate::error::{FieldErrors, FieldProblem};

/// One figure (or the holiday list) of the care-plan form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlanField {
    NewContactDays,
    ProductCallDays,
    CardExpiryDays,
    CardLowSessions,
    BirthdayDaysBefore,
    Holidays,
    HolidayDaysBefore,
    AEveryDays,
    BEveryDays,
    CEveryDays,
    PotentialAskDays,
    WinBackCallDays,
    HandoverDays,
}

impl PlanField {
    pub const ALL: [PlanField; 13] = [
        PlanField::NewContactDays,
        PlanField::ProductCallDays,
        PlanField::CardExpiryDays,
        PlanField::CardLowSessions,
        PlanField::BirthdayDaysBefore,
        PlanField::Holidays,
        PlanField::HolidayDaysBefore,
        PlanField::AEveryDays,
        PlanField::BEveryDays,
        PlanField::CEveryDays,
        PlanField::PotentialAskDays,
        PlanField::WinBackCallDays,
        PlanField::HandoverDays,
    ];

    pub fn key(self) -> &'static str {
        match self {
            PlanField::NewContactDays => "new-contact-days",
            PlanField::ProductCallDays => "product-call-days",
            PlanField::CardExpiryDays => "card-expiry-days",
            PlanField::CardLowSessions => "card-low-sessions",
            PlanField::BirthdayDaysBefore => "birthday-days-before",
            PlanField::Holidays => "holidays",
            PlanField::HolidayDaysBefore => "holiday-days-before",
            PlanField::AEveryDays => "a-every-days",
            PlanField::BEveryDays => "b-every-days",
            PlanField::CEveryDays => "c-every-days",
            PlanField::PotentialAskDays => "potential-ask-days",
            PlanField::WinBackCallDays => "win-back-call-days",
            PlanField::HandoverDays => "handover-days",
        }
    }
}

/// The care-plan form as typed: days as numbers, product calls as a list (`1, 7, 30`),
/// holidays one per line as `MM-DD name`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanForm(BTreeMap<PlanField, String>);

impl PlanForm {
    pub fn get(&self, field: PlanField) -> &str {
        self.0.get(&field).map(String::as_str).unwrap_or("")
    }

    pub fn set(&mut self, field: PlanField, value: impl Into<String>) {
        self.0.insert(field, value.into());
    }

    pub fn from_policy(p: &CarePolicy) -> Self {
        let mut form = PlanForm::default();
        let days = p.product_call_days.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
        let holidays =
            p.holidays.iter().map(|h| format!("{:02}-{:02} {}", h.month, h.day, h.name)).collect::<Vec<_>>().join("\n");
        for (field, value) in [
            (PlanField::NewContactDays, p.new_contact_days.to_string()),
            (PlanField::ProductCallDays, days),
            (PlanField::CardExpiryDays, p.card_expiry_days.to_string()),
            (PlanField::CardLowSessions, p.card_low_sessions.to_string()),
            (PlanField::BirthdayDaysBefore, p.birthday_days_before.to_string()),
            (PlanField::Holidays, holidays),
            (PlanField::HolidayDaysBefore, p.holiday_days_before.to_string()),
            (PlanField::AEveryDays, p.a_every_days.to_string()),
            (PlanField::BEveryDays, p.b_every_days.to_string()),
            (PlanField::CEveryDays, p.c_every_days.to_string()),
            (PlanField::PotentialAskDays, p.potential_ask_days.to_string()),
            (PlanField::WinBackCallDays, p.win_back_call_days.to_string()),
            (PlanField::HandoverDays, p.handover_days.to_string()),
        ] {
            form.set(field, value);
        }
        form
    }

    /// The plan, or every problem at once. `overdue_days` is kept from `base`.
    pub fn validate(&self, base: &CarePolicy) -> Result<CarePolicy, FieldErrors<PlanField>> {
        let mut errors = FieldErrors::default();
        let mut number = |field: PlanField, min: i64, max: i64| -> i64 {
            match self.get(field).trim().parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => n,
                _ if self.get(field).trim().is_empty() => {
                    errors.push(field, FieldProblem::Required);
                    0
                }
                _ => {
                    errors.push(field, FieldProblem::NotInRange { min, max });
                    0
                }
            }
        };
        let mut plan = CarePolicy {
            new_contact_days: number(PlanField::NewContactDays, 1, 60) as i32,
            product_call_days: Vec::new(),
            card_expiry_days: number(PlanField::CardExpiryDays, 1, 365) as i32,
            card_low_sessions: number(PlanField::CardLowSessions, 0, 20),
            birthday_days_before: number(PlanField::BirthdayDaysBefore, 0, 30) as i32,
            holidays: Vec::new(),
            holiday_days_before: number(PlanField::HolidayDaysBefore, 0, 30) as i32,
            a_every_days: number(PlanField::AEveryDays, 1, 365) as i32,
            b_every_days: number(PlanField::BEveryDays, 1, 365) as i32,
            c_every_days: number(PlanField::CEveryDays, 1, 365) as i32,
            potential_ask_days: number(PlanField::PotentialAskDays, 0, 90) as i32,
            win_back_call_days: number(PlanField::WinBackCallDays, 0, 90) as i32,
            handover_days: number(PlanField::HandoverDays, 0, 30) as i32,
            overdue_days: base.overdue_days,
        };
        let calls: Result<Vec<i32>, ()> = self
            .get(PlanField::ProductCallDays)
            .split([',', '，', ' ', '、'])
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<i32>().ok().filter(|d| (1..=365).contains(d)).ok_or(()))
            .collect();
        match calls {
            Ok(mut days) if days.len() <= 12 => {
                days.sort_unstable();
                days.dedup();
                plan.product_call_days = days;
            }
            Ok(_) => errors.push(PlanField::ProductCallDays, FieldProblem::TooMany { max: 12 }),
            Err(()) => errors.push(PlanField::ProductCallDays, FieldProblem::NotInRange { min: 1, max: 365 }),
        }
        for line in self.get(PlanField::Holidays).lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (day, name) = line.split_once([' ', '　']).unwrap_or((line, ""));
            let parsed = day.split_once('-').and_then(|(m, d)| Some((m.parse::<i8>().ok()?, d.parse::<i8>().ok()?)));
            let valid = parsed.filter(|(m, d)| jiff::civil::Date::new(2024, *m, *d).is_ok());
            match (valid, name.trim()) {
                (Some((month, day)), name) if !name.is_empty() && name.chars().count() <= 20 => {
                    plan.holidays.push(Holiday { month, day, name: name.to_owned() })
                }
                _ => {
                    errors.push(PlanField::Holidays, FieldProblem::NotADate);
                    break;
                }
            }
        }
        if errors.is_empty() { Ok(plan) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_plan_round_trips_through_its_form() {
        let plan = CarePolicy::default();
        let form = PlanForm::from_policy(&plan);
        assert_eq!(form.get(PlanField::ProductCallDays), "1, 7, 30, 60, 90");
        assert!(form.get(PlanField::Holidays).contains("03-08 妇女节"));
        assert_eq!(form.validate(&plan), Ok(plan));
    }

    #[test]
    fn bad_figures_and_holiday_lines_are_reported_and_a_good_plan_is_read() {
        let base = CarePolicy::default();
        let mut form = PlanForm::from_policy(&base);
        form.set(PlanField::NewContactDays, "0");
        form.set(PlanField::ProductCallDays, "1, x");
        form.set(PlanField::Holidays, "02-30 不存在的日子");
        form.set(PlanField::AEveryDays, "");
        let errors = form.validate(&base).expect_err("refused");
        assert_eq!(errors.get(PlanField::NewContactDays), Some(&FieldProblem::NotInRange { min: 1, max: 60 }));
        assert_eq!(errors.get(PlanField::ProductCallDays), Some(&FieldProblem::NotInRange { min: 1, max: 365 }));
        assert_eq!(errors.get(PlanField::Holidays), Some(&FieldProblem::NotADate));
        assert_eq!(errors.get(PlanField::AEveryDays), Some(&FieldProblem::Required));

        let mut form = PlanForm::from_policy(&base);
        form.set(PlanField::ProductCallDays, "7，1、14");
        form.set(PlanField::Holidays, "09-10 教师节\n\n05-10 母亲节");
        let plan = form.validate(&base).expect("valid");
        assert_eq!(plan.product_call_days, vec![1, 7, 14]);
        assert_eq!(plan.holidays.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(), ["教师节", "母亲节"]);
    }
}
