//! Money as an exact count of fen (分, 1/100 yuan): classification ranks customers by spend,
//! so amounts are integers end to end. No floating point anywhere.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Neg, Sub};

use serde::{Deserialize, Serialize};

use crate::FieldProblem;
use crate::customer::choice;

/// An amount in fen. Entries hold non-negative amounts; derived balances may be negative.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Fen(i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);
    /// The largest single amount accepted from a form: ¥10,000,000.
    pub const MAX_ENTRY: Fen = Fen(1_000_000_000);

    pub const fn new(fen: i64) -> Self {
        Fen(fen)
    }

    pub const fn yuan(yuan: i64) -> Self {
        Fen(yuan * 100)
    }

    pub fn as_fen(self) -> i64 {
        self.0
    }

    /// Parses an amount as people type it: `128`, `128.5`, `128.50`, `1,280.00`, `¥128`,
    /// `￥ 128`. At most two decimals, not negative, at most [`Fen::MAX_ENTRY`].
    pub fn parse(raw: &str) -> Result<Self, FieldProblem> {
        let raw = raw.trim().trim_start_matches(['¥', '￥']).trim();
        if raw.is_empty() {
            return Err(FieldProblem::NotAnAmount);
        }
        let (whole, frac) = match raw.split_once('.') {
            Some((whole, frac)) => (whole, frac),
            None => (raw, ""),
        };
        let whole: String = whole.chars().filter(|c| !matches!(c, ',' | '，' | ' ')).collect();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(&whole) || (raw.contains('.') && !digits(frac)) || frac.len() > 2 {
            return Err(FieldProblem::NotAnAmount);
        }
        let too_large = FieldProblem::AmountTooLarge { max_yuan: Fen::MAX_ENTRY.0 / 100 };
        if whole.len() > 12 {
            return Err(too_large);
        }
        let yuan: i64 = whole.parse().map_err(|_| FieldProblem::NotAnAmount)?;
        let cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| FieldProblem::NotAnAmount)? * 10,
            _ => frac.parse().map_err(|_| FieldProblem::NotAnAmount)?,
        };
        let fen = Fen(yuan * 100 + cents);
        if fen > Fen::MAX_ENTRY {
            return Err(too_large);
        }
        Ok(fen)
    }

    /// `1280.00`, `-35.50`: plain, for CSV cells and form boxes.
    pub fn plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// `¥1,280.00`: for reading.
    pub fn display(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let yuan = (abs / 100).to_string();
        let mut grouped = String::with_capacity(yuan.len() + yuan.len() / 3);
        for (i, c) in yuan.chars().enumerate() {
            if i > 0 && (yuan.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}¥{grouped}.{:02}", abs % 100)
    }

    /// `self × numerator ÷ denominator`, rounded down; zero when `denominator` is zero.
    pub fn share(self, numerator: i64, denominator: i64) -> Fen {
        if denominator == 0 {
            return Fen::ZERO;
        }
        Fen(((self.0 as i128 * numerator as i128) / denominator as i128) as i64)
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, other: Fen) -> Fen {
        Fen(self.0.saturating_add(other.0))
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, other: Fen) -> Fen {
        Fen(self.0.saturating_sub(other.0))
    }
}

impl Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, Add::add)
    }
}

choice! {
    /// How something was paid. `Prepaid` draws on the customer's stored balance (储值);
    /// `OnAccount` is not paid yet and goes into the debt book (欠款).
    Payment {
        Cash => "cash",
        WeChat => "wechat",
        Alipay => "alipay",
        BankCard => "bank_card",
        Prepaid => "prepaid",
        OnAccount => "on_account",
    }
}
