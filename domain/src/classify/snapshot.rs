//! Monthly class snapshots: on the first use in a new month (or on demand) the classes in
//! effect for every customer are recorded, so the app can show each customer's class moves
//! and the salon's transition table (how many moved B→A, A→B …).
//!
//! A snapshot is stored as 16 byte strings, one per first hex digit of the customer id
//! (`rows-0` … `rows-f`), each a run of 20-byte rows: the 16-byte id and one class code per
//! dimension. Two devices taking the same month's snapshot offline write the same keys; the
//! merge keeps one value per key, so every customer appears exactly once.

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::overrides::{Class, ClassSet, Dimension};
use super::run::Classification;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    pub year: i16,
    pub month: i8,
}

impl Month {
    pub fn of(day: Date) -> Month {
        Month { year: day.year(), month: day.month() }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month { year: self.year - 1, month: 12 }
        } else {
            Month { year: self.year, month: self.month - 1 }
        }
    }

    /// Reads `YYYY-MM`.
    pub fn parse(raw: &str) -> Option<Month> {
        let (year, month) = raw.split_once('-')?;
        let (year, month): (i16, i8) = (year.parse().ok()?, month.parse().ok()?);
        ((1900..=9999).contains(&year) && (1..=12).contains(&month) && raw.len() == 7).then_some(Month { year, month })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The classes in effect for every customer in one month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub month: Month,
    pub taken_on: Date,
    /// Customer id → classes.
    pub rows: BTreeMap<String, ClassSet>,
}

const ROW: usize = 16 + 4;
/// The keys the rows are spread over, by the first hex digit of the customer id.
pub const CHUNKS: [&str; 16] = [
    "rows-0", "rows-1", "rows-2", "rows-3", "rows-4", "rows-5", "rows-6", "rows-7", "rows-8", "rows-9", "rows-a",
    "rows-b", "rows-c", "rows-d", "rows-e", "rows-f",
];

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

impl Snapshot {
    /// The classes in effect today (overrides included) of every classified customer.
    pub fn take(classes: &Classification, today: Date) -> Snapshot {
        let rows = classes.customers.iter().map(|c| (c.id.clone(), c.effective)).collect();
        Snapshot { month: Month::of(today), taken_on: today, rows }
    }

    /// The rows as 16 chunks keyed by [`CHUNKS`]; customers whose id is not 32 lower-hex
    /// digits (none are) are left out.
    pub fn encode(&self) -> Vec<(&'static str, Vec<u8>)> {
        let mut chunks: Vec<Vec<u8>> = vec![Vec::new(); 16];
        for (id, classes) in &self.rows {
            let bytes = id.as_bytes();
            let nibbles: Option<Vec<u8>> = bytes.iter().map(|b| hex_value(*b)).collect();
            let Some(nibbles) = nibbles.filter(|n| n.len() == 32) else { continue };
            let chunk = &mut chunks[usize::from(nibbles[0])];
            chunk.extend(nibbles.chunks(2).map(|pair| pair[0] << 4 | pair[1]));
            chunk.extend(Dimension::ALL.map(|d| classes.get(d).code()));
        }
        CHUNKS.iter().copied().zip(chunks).collect()
    }

    /// Reads chunks written by [`Snapshot::encode`]; rows with a code this version does not
    /// know are skipped.
    pub fn decode(month: Month, taken_on: Date, chunks: &[Vec<u8>]) -> Snapshot {
        let mut rows = BTreeMap::new();
        for chunk in chunks {
            for row in chunk.chunks_exact(ROW) {
                let id: String = row[..16].iter().map(|b| format!("{b:02x}")).collect();
                let codes = &row[16..];
                let class = |k: usize| Class::from_code(Dimension::ALL[k], codes[k]);
                if let (
                    Some(Class::Value(value)),
                    Some(Class::Lifecycle(lifecycle)),
                    Some(Class::Grade(grade)),
                    Some(Class::Segment(segment)),
                ) = (class(0), class(1), class(2), class(3))
                {
                    rows.insert(id, ClassSet { value, lifecycle, grade, segment });
                }
            }
        }
        Snapshot { month, taken_on, rows }
    }
}

/// How many customers went from each class to each class of `dimension` between two
/// snapshots (customers in both). Staying put counts too (the diagonal).
pub fn transitions(from: &Snapshot, to: &Snapshot, dimension: Dimension) -> BTreeMap<(Class, Class), u32> {
    let mut table = BTreeMap::new();
    for (id, before) in &from.rows {
        if let Some(after) = to.rows.get(id) {
            *table.entry((before.get(dimension), after.get(dimension))).or_insert(0) += 1;
        }
    }
    table
}

/// One customer's classes as recorded, oldest first, only the records where some class
/// differs from the one before (the first always): (month, the day it was recorded, classes).
/// A record is the classes on the day it was taken (early in its month, usually), so the app
/// labels it with that day, not as the month's result.
pub fn moves(snapshots: &[Snapshot], id: &str) -> Vec<(Month, Date, ClassSet)> {
    let mut ordered: Vec<&Snapshot> = snapshots.iter().collect();
    ordered.sort_by_key(|s| s.month);
    let mut out: Vec<(Month, Date, ClassSet)> = Vec::new();
    for snapshot in ordered {
        if let Some(classes) = snapshot.rows.get(id)
            && out.last().is_none_or(|(_, _, last)| last != classes)
        {
            out.push((snapshot.month, snapshot.taken_on, *classes));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::abc::ValueClass;
    use crate::classify::grade::Grade;
    use crate::classify::lifecycle::Lifecycle;
    use crate::classify::rfm::Segment;
    use jiff::civil::date;

    fn set(value: ValueClass, grade: Grade) -> ClassSet {
        ClassSet { value, lifecycle: Lifecycle::Regular, grade, segment: Segment::Loyal }
    }

    fn snapshot(month: Month, rows: &[(&str, ClassSet)]) -> Snapshot {
        Snapshot { month, taken_on: date(2026, 11, 1), rows: rows.iter().map(|(id, c)| (id.repeat(32), *c)).collect() }
    }

    #[test]
    fn months_parse_print_and_step_back_over_the_year() {
        let m = Month::parse("2026-01").expect("month");
        assert_eq!(m.to_string(), "2026-01");
        assert_eq!(m.previous().to_string(), "2025-12");
        assert_eq!(Month::of(date(2026, 11, 30)).to_string(), "2026-11");
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", ""] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_snapshot_reads_back_from_its_chunks() {
        let month = Month::parse("2026-11").expect("month");
        let s = snapshot(
            month,
            &[
                ("a", set(ValueClass::A, Grade::B)),
                ("0", set(ValueClass::C, Grade::D)),
                ("f", set(ValueClass::B, Grade::A)),
            ],
        );
        let chunks = s.encode();
        assert_eq!(chunks.len(), 16);
        assert_eq!(chunks[10].1.len(), ROW, "the a… customer is in rows-a");
        let bytes: Vec<Vec<u8>> = chunks.into_iter().map(|(_, b)| b).collect();
        assert_eq!(Snapshot::decode(month, s.taken_on, &bytes), s);
    }

    #[test]
    fn transitions_count_moves_between_months_and_moves_list_a_customers_changes() {
        let (oct, nov) = (Month::parse("2026-10").expect("m"), Month::parse("2026-11").expect("m"));
        let before = snapshot(
            oct,
            &[
                ("1", set(ValueClass::B, Grade::B)),
                ("2", set(ValueClass::A, Grade::A)),
                ("3", set(ValueClass::B, Grade::C)),
            ],
        );
        let after = snapshot(
            nov,
            &[
                ("1", set(ValueClass::A, Grade::B)),
                ("2", set(ValueClass::B, Grade::A)),
                ("3", set(ValueClass::B, Grade::C)),
                ("4", set(ValueClass::C, Grade::D)),
            ],
        );
        let table = transitions(&before, &after, Dimension::Value);
        let v = Class::Value;
        assert_eq!(table.get(&(v(ValueClass::B), v(ValueClass::A))), Some(&1));
        assert_eq!(table.get(&(v(ValueClass::A), v(ValueClass::B))), Some(&1));
        assert_eq!(table.get(&(v(ValueClass::B), v(ValueClass::B))), Some(&1));
        assert_eq!(table.values().sum::<u32>(), 3, "the customer new in November moved from nowhere");
        let moved = moves(&[after.clone(), before.clone()], &"1".repeat(32));
        assert_eq!(
            moved.iter().map(|(m, _, c)| (*m, c.value)).collect::<Vec<_>>(),
            vec![(oct, ValueClass::B), (nov, ValueClass::A)]
        );
        assert_eq!(moves(&[before, after], &"3".repeat(32)).len(), 1, "no move, one line");
    }
}
