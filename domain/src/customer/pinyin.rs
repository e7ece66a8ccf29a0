//! Pinyin search keys for Chinese names: "zs", "zhangs", "zhang" and "san" all find 张三.
//!
//! Each character of a name becomes the toneless readings it may have (polyphonic characters
//! such as 单 shan/dan or 曾 zeng/ceng keep every reading, because a surname's reading is
//! exactly the one a dictionary's first choice gets wrong). Letters and digits stay as
//! themselves. A query matches when, starting at any character, each following character is
//! matched by either its whole reading or its first letter, and the query may end part-way
//! through a reading.

use pinyin::ToPinyinMulti;
use serde::{Deserialize, Serialize};

/// A name's readings, one list of alternatives per character.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NameKeys(Vec<Vec<String>>);

impl NameKeys {
    pub fn of(name: &str) -> Self {
        let mut keys = Vec::new();
        for c in name.chars() {
            if let Some(readings) = c.to_pinyin_multi() {
                let mut alternatives: Vec<String> = Vec::new();
                for reading in readings {
                    let plain = reading.plain().replace('ü', "v");
                    if !alternatives.contains(&plain) {
                        alternatives.push(plain);
                    }
                }
                keys.push(alternatives);
            } else if c.is_ascii_alphanumeric() {
                keys.push(vec![c.to_ascii_lowercase().to_string()]);
            }
        }
        NameKeys(keys)
    }

    /// True when the name has at least one character with a reading.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first letter of each character's first reading: "zs" for 张三.
    pub fn initials(&self) -> String {
        self.0.iter().filter_map(|alternatives| alternatives.first()?.chars().next()).collect()
    }

    /// `query` must already be lowercase ASCII letters (see [`normalize`]).
    pub fn matches(&self, query: &str) -> bool {
        !query.is_empty() && (0..self.0.len()).any(|start| self.matches_from(query.as_bytes(), start))
    }

    fn matches_from(&self, query: &[u8], at: usize) -> bool {
        if query.is_empty() {
            return true;
        }
        let Some(alternatives) = self.0.get(at) else { return false };
        alternatives.iter().any(|reading| {
            let reading = reading.as_bytes();
            (query.len() <= reading.len() && reading.starts_with(query))
                || (query.starts_with(reading) && self.matches_from(&query[reading.len()..], at + 1))
                || (reading.first() == query.first() && self.matches_from(&query[1..], at + 1))
        })
    }
}

/// A search box's content as a pinyin query: lowercase ASCII letters with spaces and
/// apostrophes (xi'an) dropped; `None` when it holds anything else.
pub fn normalize(raw: &str) -> Option<String> {
    let mut query = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            'a'..='z' => query.push(c),
            'A'..='Z' => query.push(c.to_ascii_lowercase()),
            ' ' | '\'' => {}
            _ => return None,
        }
    }
    (!query.is_empty()).then_some(query)
}
