//! The classification policy the owner edits, and its form: every figure checked with a
//! specific problem, the AHP matrix refused when it is inconsistent.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ahp::{self, AhpError, AhpWeights, Judgement};
use super::composite::Indicator;
use super::grade::{self, Bar};
use crate::error::{FieldErrors, FieldProblem};
use crate::money::Fen;

/// The salon's classification settings. Defaults follow the seeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// The rolling period spend and frequency are counted over, in months (001: re-run monthly
    /// over the past year).
    pub period_months: i8,
    /// Share of ranked customers in class A, in basis points (500 = 5%).
    pub a_share_bp: u32,
    /// Share of ranked customers in A and B together (2000 = 20%).
    pub ab_share_bp: u32,
    /// New customers stay C, "in probation", this many months (001 制度 E: six months).
    pub probation_months: i8,
    /// A first treatment within this many days makes a customer "new" (the first month, when
    /// the seeds ask for a follow-up within a week and a second visit).
    pub new_days: i32,
    /// No visit for this many days makes a customer silent ...
    pub silent_days: i32,
    /// ... and for this many, lost.
    pub lost_days: i32,
    /// A customer with at least three visits is also silent (and RFM "at risk") when the
    /// time since her last visit exceeds her own average interval times this factor, in
    /// percent (200 = twice her usual interval).
    pub cadence_factor_pct: u32,
    pub grades: grade::Thresholds,
    /// The owner's pairwise comparisons of the composite score's indicators
    /// ([`Indicator::ALL`]), upper triangle row by row; always consistent (CR ≤ 0.1).
    pub comparisons: Vec<Judgement>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            period_months: 12,
            a_share_bp: 500,
            ab_share_bp: 2_000,
            probation_months: 6,
            new_days: 30,
            silent_days: 90,
            lost_days: 180,
            cadence_factor_pct: 200,
            grades: grade::Thresholds::default(),
            // 002's high-value weighting: spend about half, then frequency.
            comparisons: [(3, 1), (5, 1), (5, 1), (5, 1), (2, 1), (2, 1), (2, 1), (1, 1), (1, 1), (1, 1)]
                .into_iter()
                .filter_map(|(num, den)| Judgement::new(num, den))
                .collect(),
        }
    }
}

impl Policy {
    /// The composite score's weights. A stored policy was checked when saved; one that is not
    /// consistent any more (it cannot be, but a newer app may store more indicators) weighs
    /// the indicators equally.
    pub fn weights(&self) -> [f64; 5] {
        match ahp::weights(Indicator::ALL.len(), &self.comparisons) {
            Ok(AhpWeights { weights, .. }) if weights.len() == 5 => {
                [weights[0], weights[1], weights[2], weights[3], weights[4]]
            }
            _ => [0.2; 5],
        }
    }

    /// Checks a policy as a whole, the way the form does: for policies read from storage.
    pub fn check(&self) -> Result<(), PolicyErrors> {
        PolicyForm::from_policy(self).validate(&self.comparisons).map(|_| ())
    }
}

/// One figure of the policy form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PolicyField {
    PeriodMonths,
    AShare,
    AbShare,
    ProbationMonths,
    NewDays,
    SilentDays,
    LostDays,
    CadencePct,
    ASpend,
    AVisits,
    BSpend,
    BVisits,
    CSpend,
    CVisits,
    DebtLimit,
}

impl PolicyField {
    pub const ALL: [PolicyField; 15] = [
        PolicyField::PeriodMonths,
        PolicyField::AShare,
        PolicyField::AbShare,
        PolicyField::ProbationMonths,
        PolicyField::NewDays,
        PolicyField::SilentDays,
        PolicyField::LostDays,
        PolicyField::CadencePct,
        PolicyField::ASpend,
        PolicyField::AVisits,
        PolicyField::BSpend,
        PolicyField::BVisits,
        PolicyField::CSpend,
        PolicyField::CVisits,
        PolicyField::DebtLimit,
    ];

    /// A stable name, for element ids.
    pub fn key(self) -> &'static str {
        match self {
            PolicyField::PeriodMonths => "period-months",
            PolicyField::AShare => "a-share",
            PolicyField::AbShare => "ab-share",
            PolicyField::ProbationMonths => "probation-months",
            PolicyField::NewDays => "new-days",
            PolicyField::SilentDays => "silent-days",
            PolicyField::LostDays => "lost-days",
            PolicyField::CadencePct => "cadence-pct",
            PolicyField::ASpend => "a-spend",
            PolicyField::AVisits => "a-visits",
            PolicyField::BSpend => "b-spend",
            PolicyField::BVisits => "b-visits",
            PolicyField::CSpend => "c-spend",
            PolicyField::CVisits => "c-visits",
            PolicyField::DebtLimit => "debt-limit",
        }
    }

    fn is_money(self) -> bool {
        matches!(self, PolicyField::ASpend | PolicyField::BSpend | PolicyField::CSpend | PolicyField::DebtLimit)
    }
}

/// Everything wrong with a policy form: each bad figure, and the AHP matrix's refusal.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyErrors {
    pub fields: FieldErrors<PolicyField>,
    pub ahp: Option<AhpError>,
}

/// The policy form as typed: shares in percent (`5`, `2.5`), amounts in yuan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyForm(BTreeMap<PolicyField, String>);

/// Parses a share in percent with at most two decimals into basis points.
fn percent_bp(raw: &str) -> Option<u32> {
    let raw = raw.trim().trim_end_matches(['%', '％']).trim();
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !(fraction.is_empty() || (digits(fraction) && fraction.len() <= 2)) || whole.len() > 3 {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let fraction: u32 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole * 100 + fraction)
}

/// Basis points as a percentage for reading and for the form: 145 → "1.45", 2000 → "20".
pub fn percent_text(bp: u32) -> String {
    match bp % 100 {
        0 => format!("{}", bp / 100),
        f if f % 10 == 0 => format!("{}.{}", bp / 100, f / 10),
        f => format!("{}.{f:02}", bp / 100),
    }
}

impl PolicyForm {
    pub fn get(&self, field: PolicyField) -> &str {
        self.0.get(&field).map(String::as_str).unwrap_or("")
    }

    pub fn set(&mut self, field: PolicyField, value: impl Into<String>) {
        self.0.insert(field, value.into());
    }

    pub fn from_policy(policy: &Policy) -> Self {
        let g = &policy.grades;
        let mut form = PolicyForm::default();
        for field in PolicyField::ALL {
            let value = match field {
                PolicyField::PeriodMonths => policy.period_months.to_string(),
                PolicyField::AShare => percent_text(policy.a_share_bp),
                PolicyField::AbShare => percent_text(policy.ab_share_bp),
                PolicyField::ProbationMonths => policy.probation_months.to_string(),
                PolicyField::NewDays => policy.new_days.to_string(),
                PolicyField::SilentDays => policy.silent_days.to_string(),
                PolicyField::LostDays => policy.lost_days.to_string(),
                PolicyField::CadencePct => policy.cadence_factor_pct.to_string(),
                PolicyField::ASpend => g.a.spend.plain(),
                PolicyField::AVisits => g.a.visits.to_string(),
                PolicyField::BSpend => g.b.spend.plain(),
                PolicyField::BVisits => g.b.visits.to_string(),
                PolicyField::CSpend => g.c.spend.plain(),
                PolicyField::CVisits => g.c.visits.to_string(),
                PolicyField::DebtLimit => g.debt_limit.plain(),
            };
            form.set(field, value);
        }
        form
    }

    /// The policy, or every problem at once. `comparisons` is the AHP matrix's upper triangle
    /// (chosen from the 1–9 scale, so only its consistency can be wrong).
    pub fn validate(&self, comparisons: &[Judgement]) -> Result<Policy, PolicyErrors> {
        let mut errors = PolicyErrors::default();
        let mut numbers: BTreeMap<PolicyField, i64> = BTreeMap::new();
        for field in PolicyField::ALL {
            let raw = self.get(field).trim();
            let (min, max) = match field {
                PolicyField::PeriodMonths => (1, 36),
                PolicyField::AShare | PolicyField::AbShare => (1, 10_000),
                PolicyField::ProbationMonths => (0, 24),
                PolicyField::NewDays => (1, 365),
                PolicyField::SilentDays | PolicyField::LostDays => (7, 3_650),
                PolicyField::CadencePct => (100, 1_000),
                PolicyField::AVisits | PolicyField::BVisits | PolicyField::CVisits => (0, 366),
                _ => (0, i64::MAX),
            };
            let parsed = if raw.is_empty() {
                Err(FieldProblem::Required)
            } else if field.is_money() {
                Fen::parse(raw).map(Fen::as_fen)
            } else if matches!(field, PolicyField::AShare | PolicyField::AbShare) {
                match percent_bp(raw).map(i64::from) {
                    Some(bp) if (min..=max).contains(&bp) => Ok(bp),
                    _ => Err(FieldProblem::NotAPercent),
                }
            } else {
                match raw.parse::<i64>() {
                    Ok(n) if (min..=max).contains(&n) => Ok(n),
                    _ => Err(FieldProblem::NotInRange { min, max }),
                }
            };
            match parsed {
                Ok(n) => {
                    numbers.insert(field, n);
                }
                Err(problem) => errors.fields.push(field, problem),
            }
        }
        let n = |f: PolicyField| numbers.get(&f).copied();
        if let (Some(a), Some(ab)) = (n(PolicyField::AShare), n(PolicyField::AbShare))
            && ab < a
        {
            errors.fields.push(PolicyField::AbShare, FieldProblem::AbBelowA { a_bp: a as u32 });
        }
        if let (Some(silent), Some(lost)) = (n(PolicyField::SilentDays), n(PolicyField::LostDays))
            && lost <= silent
        {
            errors.fields.push(PolicyField::LostDays, FieldProblem::LostNotAfterSilent { silent_days: silent });
        }
        for (higher, lower) in [
            (PolicyField::ASpend, PolicyField::BSpend),
            (PolicyField::BSpend, PolicyField::CSpend),
            (PolicyField::AVisits, PolicyField::BVisits),
            (PolicyField::BVisits, PolicyField::CVisits),
        ] {
            if let (Some(h), Some(l)) = (n(higher), n(lower))
                && l > h
            {
                errors.fields.push(lower, FieldProblem::BarOutOfOrder);
            }
        }
        if let Err(refusal) = ahp::weights(Indicator::ALL.len(), comparisons) {
            errors.ahp = Some(refusal);
        }
        if !errors.fields.is_empty() || errors.ahp.is_some() {
            return Err(errors);
        }
        let get = |f: PolicyField| numbers.get(&f).copied().unwrap_or_default();
        let bar =
            |spend: PolicyField, visits: PolicyField| Bar { spend: Fen::new(get(spend)), visits: get(visits) as u32 };
        Ok(Policy {
            period_months: get(PolicyField::PeriodMonths) as i8,
            a_share_bp: get(PolicyField::AShare) as u32,
            ab_share_bp: get(PolicyField::AbShare) as u32,
            probation_months: get(PolicyField::ProbationMonths) as i8,
            new_days: get(PolicyField::NewDays) as i32,
            silent_days: get(PolicyField::SilentDays) as i32,
            lost_days: get(PolicyField::LostDays) as i32,
            cadence_factor_pct: get(PolicyField::CadencePct) as u32,
            grades: grade::Thresholds {
                a: bar(PolicyField::ASpend, PolicyField::AVisits),
                b: bar(PolicyField::BSpend, PolicyField::BVisits),
                c: bar(PolicyField::CSpend, PolicyField::CVisits),
                debt_limit: Fen::new(get(PolicyField::DebtLimit)),
            },
            comparisons: comparisons.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_round_trips_through_its_form_and_is_consistent() {
        let policy = Policy::default();
        let form = PolicyForm::from_policy(&policy);
        assert_eq!(form.get(PolicyField::AShare), "5");
        assert_eq!(form.get(PolicyField::ASpend), "20000.00");
        assert_eq!(form.validate(&policy.comparisons), Ok(policy.clone()));
        assert!(policy.check().is_ok());
        let w = policy.weights();
        assert!(w[0] > 0.45 && w[0] < 0.55, "{w:?}");
    }

    #[test]
    fn shares_are_read_in_percent_with_two_decimals() {
        assert_eq!(percent_bp("5"), Some(500));
        assert_eq!(percent_bp("2.5"), Some(250));
        assert_eq!(percent_bp("12.75%"), Some(1275));
        assert_eq!(percent_bp("1.234"), None);
        assert_eq!(percent_bp("-3"), None);
        assert_eq!(percent_text(1275), "12.75");
        assert_eq!(percent_text(250), "2.5");
    }

    #[test]
    fn every_bad_figure_is_reported_at_once_and_nothing_is_returned() {
        let policy = Policy::default();
        let mut form = PolicyForm::from_policy(&policy);
        form.set(PolicyField::PeriodMonths, "0");
        form.set(PolicyField::AShare, "30");
        form.set(PolicyField::AbShare, "20");
        form.set(PolicyField::SilentDays, "200");
        form.set(PolicyField::LostDays, "180");
        form.set(PolicyField::BSpend, "30000");
        form.set(PolicyField::DebtLimit, "lots");
        form.set(PolicyField::NewDays, "");
        let errors = form.validate(&policy.comparisons).expect_err("refused");
        let f = &errors.fields;
        assert_eq!(f.get(PolicyField::PeriodMonths), Some(&FieldProblem::NotInRange { min: 1, max: 36 }));
        assert_eq!(
            f.get(PolicyField::AbShare),
            Some(&FieldProblem::AbBelowA { a_bp: 3_000 }),
            "A+B includes A: not below it"
        );
        assert_eq!(f.get(PolicyField::LostDays), Some(&FieldProblem::LostNotAfterSilent { silent_days: 200 }));
        assert_eq!(f.get(PolicyField::BSpend), Some(&FieldProblem::BarOutOfOrder));
        assert_eq!(f.get(PolicyField::DebtLimit), Some(&FieldProblem::NotAnAmount));
        assert_eq!(f.get(PolicyField::NewDays), Some(&FieldProblem::Required));
        assert_eq!(f.iter().count(), 6);
        assert_eq!(errors.ahp, None);
    }

    #[test]
    fn an_inconsistent_matrix_is_refused_with_its_ratio() {
        let policy = Policy::default();
        let j = |n, d| Judgement::new(n, d).expect("judgement");
        // Spend ≫ frequency ≫ referrals, yet referrals ≫ spend.
        let circular = [j(9, 1), j(1, 9), j(1, 1), j(1, 1), j(9, 1), j(1, 1), j(1, 1), j(1, 1), j(1, 1), j(1, 1)];
        let errors = PolicyForm::from_policy(&policy).validate(&circular).expect_err("refused");
        assert!(errors.fields.is_empty());
        assert!(matches!(errors.ahp, Some(AhpError::Inconsistent { ratio, .. }) if ratio > 0.1), "{:?}", errors.ahp);
    }
}
