//! The customer list's entries: a projection of each document, stored beside the documents so
//! the list opens without loading every document, and the search over them.

use serde::{Deserialize, Serialize};

use super::doc::Customer;

/// One row of the customer list. Derived from a [`Customer`]; never edited directly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub id: String,
    pub number: String,
    pub name: String,
    /// Digits with an optional leading `+`, as stored; searched by any part.
    pub phone: String,
    /// The same number grouped for reading.
    pub phone_display: String,
    pub gender: String,
    pub beautician: String,
    pub has_health_alert: bool,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
}

impl CustomerSummary {
    pub fn of(customer: &Customer) -> Self {
        let profile = &customer.profile;
        CustomerSummary {
            id: customer.id.as_str().to_owned(),
            number: customer.number.to_string(),
            name: profile.name.as_str().to_owned(),
            phone: profile.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            phone_display: profile.phone.as_ref().map(|p| p.display()).unwrap_or_default(),
            gender: profile.gender.key().to_owned(),
            beautician: profile.beautician.clone(),
            has_health_alert: profile.has_health_alert(),
            created_at: customer.created_at.as_millisecond(),
        }
    }
}

/// A search box's content, prepared once per keystroke rather than once per customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    lowered: String,
    /// The query's digits when it reads as (part of) a phone number.
    digits: Option<String>,
}

impl SearchQuery {
    pub fn parse(raw: &str) -> Self {
        let trimmed = raw.trim();
        let lowered = trimmed.to_lowercase();
        let phone_like = !trimmed.is_empty()
            && trimmed.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')'));
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        SearchQuery { lowered, digits: (phone_like && !digits.is_empty()).then_some(digits) }
    }

    pub fn is_empty(&self) -> bool {
        self.lowered.is_empty()
    }

    /// Name (any part, any case), customer number, or any run of digits of the phone.
    pub fn matches(&self, summary: &CustomerSummary) -> bool {
        if self.is_empty() {
            return true;
        }
        if let Some(digits) = &self.digits
            && summary.phone.contains(digits.as_str())
        {
            return true;
        }
        summary.name.to_lowercase().contains(&self.lowered) || summary.number.to_lowercase().contains(&self.lowered)
    }
}

/// The list as shown: matching customers, newest first, ties broken by number so the order
/// is the same on every device.
pub fn search<'a>(all: &'a [CustomerSummary], query: &SearchQuery) -> Vec<&'a CustomerSummary> {
    let mut hits: Vec<&CustomerSummary> = all.iter().filter(|s| query.matches(s)).collect();
    hits.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.number.cmp(&b.number)));
    hits
}
