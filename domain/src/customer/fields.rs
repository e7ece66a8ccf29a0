//! The fields of a customer file (客户资料卡, DOMAIN.md §2): one table says, for every field,
//! its section of the paper card, how it is checked and how it is stored. The form, the
//! document mapping, CSV export/import and the app's screens all walk this table, so a field
//! added here appears everywhere at once.
//!
//! Values are checked by `parse` functions and kept in a canonical string form (a choice's
//! key, a phone's digits, an ISO date, a customer id), so a [`Profile`] only ever holds valid
//! values.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::FieldProblem;
use crate::ids::CustomerId;

/// Field length limits, in characters (not bytes: Chinese text is three bytes a character).
pub mod limits {
    pub const NAME: usize = 40;
    pub const SHORT: usize = 40;
    pub const LINE: usize = 120;
    pub const SOURCE: usize = 20;
    pub const TAG: usize = 20;
    pub const TAGS: usize = 20;
    pub const TEXT: usize = 1_000;
    pub const LONG_TEXT: usize = 2_000;
    pub const NOTES: usize = 4_000;
    pub const PHONE_MIN_DIGITS: usize = 5;
    /// E.164 allows at most 15 digits including the country code.
    pub const PHONE_MAX_DIGITS: usize = 15;
    pub const EARLIEST_BIRTH_YEAR: i16 = 1900;
    /// Earliest "member since" year accepted.
    pub const EARLIEST_MEMBER_YEAR: i16 = 1970;
}

pub(crate) fn bounded(raw: &str, max: usize) -> Result<String, FieldProblem> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > max {
        return Err(FieldProblem::TooLong { max });
    }
    Ok(trimmed.to_owned())
}

/// A customer's name: not blank, at most [`limits::NAME`] characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name(String);

impl Name {
    pub fn parse(raw: &str) -> Result<Self, FieldProblem> {
        let name = bounded(raw, limits::NAME)?;
        if name.is_empty() {
            return Err(FieldProblem::Required);
        }
        Ok(Name(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number kept as digits with an optional leading `+` (country code). People type
/// numbers with spaces, dashes, dots and brackets; those are accepted and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    /// Parses a non-blank phone number. Blank input is the caller's business (the phone is
    /// optional on the form).
    pub fn parse(raw: &str) -> Result<Self, FieldProblem> {
        let trimmed = raw.trim();
        let (plus, rest) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(FieldProblem::PhoneCharacters),
            }
        }
        if !(limits::PHONE_MIN_DIGITS..=limits::PHONE_MAX_DIGITS).contains(&digits.len()) {
            return Err(FieldProblem::PhoneLength { min: limits::PHONE_MIN_DIGITS, max: limits::PHONE_MAX_DIGITS });
        }
        Ok(Phone(if plus { format!("+{digits}") } else { digits }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number grouped the way people read it aloud: mobiles 3-4-4 (`139 1234 5678`,
    /// `+86 139 1234 5678`), mainland landlines area code then 4-4 or 3-4 (`021 6552 1234`).
    /// Anything else is shown as stored.
    pub fn display(&self) -> String {
        let (prefix, national) = match self.0.strip_prefix("+86") {
            Some(rest) => ("+86 ", rest),
            None => ("", self.0.as_str()),
        };
        let group = |parts: &[&str]| format!("{prefix}{}", parts.join(" "));
        let bytes = national.as_bytes();
        match (bytes.first(), bytes.len()) {
            (Some(b'1'), 11) => group(&[&national[..3], &national[3..7], &national[7..]]),
            (Some(b'0'), 10..=12) if prefix.is_empty() => {
                let area = if matches!(bytes[1], b'1' | b'2') { 3 } else { 4 };
                let local = &national[area..];
                match local.len() {
                    8 => group(&[&national[..area], &local[..4], &local[4..]]),
                    7 => group(&[&national[..area], &local[..3], &local[3..]]),
                    _ => self.0.clone(),
                }
            }
            _ => self.0.clone(),
        }
    }

    /// The digits alone, for searching by any part of the number.
    pub fn digits(&self) -> &str {
        self.0.trim_start_matches('+')
    }
}

/// Parses a form date: exactly `YYYY-MM-DD`, a real calendar date.
pub fn parse_date(raw: &str) -> Result<Date, FieldProblem> {
    let raw = raw.trim();
    // jiff accepts more than one layout; a form sends exactly `YYYY-MM-DD`.
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    match shaped.then(|| raw.parse::<Date>()) {
        Some(Ok(date)) => Ok(date),
        _ => Err(FieldProblem::NotADate),
    }
}

/// A date as spreadsheets write it, in the `YYYY-MM-DD` form the rest of the domain reads:
/// `1990-4-1`, `1990/4/1`, `1990/04/01 0:00`, `1990.4.1`, `1990年4月1日`. Anything else (or a
/// day that does not exist) comes back as typed, for the field's own check to refuse.
pub fn spreadsheet_date(raw: &str) -> String {
    let trimmed = raw.trim();
    // Excel adds a time of midnight to dates it re-saves ("1990/4/1 0:00").
    let day_part = trimmed.split_whitespace().next().unwrap_or("");
    let unified: String = day_part
        .trim_end_matches('日')
        .chars()
        .map(|c| if matches!(c, '/' | '.' | '年' | '月') { '-' } else { c })
        .collect();
    let parts: Vec<&str> = unified.split('-').collect();
    let parsed = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
            match (y.parse::<i16>(), m.parse::<i8>(), d.parse::<i8>()) {
                (Ok(y), Ok(m), Ok(d)) => Date::new(y, m, d).ok(),
                _ => None,
            }
        }
        _ => None,
    };
    parsed.map(|d| d.to_string()).unwrap_or_else(|| trimmed.to_owned())
}

/// A date that has happened: not after today, not before `earliest_year`.
fn past_date(raw: &str, today: Date, earliest_year: i16) -> Result<Date, FieldProblem> {
    let date = parse_date(raw)?;
    if date > today {
        return Err(FieldProblem::DateInFuture);
    }
    if date.year() < earliest_year {
        return Err(FieldProblem::DateTooEarly { earliest_year });
    }
    Ok(date)
}

/// A birthday: a real calendar date, not after today, not before [`limits::EARLIEST_BIRTH_YEAR`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Birthday(Date);

impl Birthday {
    pub fn parse(raw: &str, today: Date) -> Result<Self, FieldProblem> {
        past_date(raw, today, limits::EARLIEST_BIRTH_YEAR).map(Birthday)
    }

    pub fn date(self) -> Date {
        self.0
    }

    /// Completed years of age on `today`.
    pub fn age_on(self, today: Date) -> i16 {
        let mut age = today.year() - self.0.year();
        if (today.month(), today.day()) < (self.0.month(), self.0.day()) {
            age -= 1;
        }
        age.max(0)
    }

    /// The age band the seeds use to reason about spending (DOMAIN.md §2).
    pub fn age_band_on(self, today: Date) -> AgeBand {
        AgeBand::of(self.age_on(today))
    }

    pub fn to_iso(self) -> String {
        self.0.to_string()
    }
}

/// Age bands with different spending habits (000 篇1): under 20, 20–24, 25–34, 35 and over.
/// The seeds write "20-25 / 25-35 / 35+"; a 25- or 35-year-old belongs to the older band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeBand {
    Under20,
    From20To24,
    From25To34,
    From35,
}

impl AgeBand {
    pub fn of(age: i16) -> Self {
        match age {
            ..=19 => AgeBand::Under20,
            20..=24 => AgeBand::From20To24,
            25..=34 => AgeBand::From25To34,
            _ => AgeBand::From35,
        }
    }
}

macro_rules! choice {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
        pub enum $name {
            #[default]
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const KEYS: &'static [&'static str] = &[$($key),+];

            /// The stable key stored in documents and sent by forms.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            pub fn parse(raw: &str) -> Result<Self, FieldProblem> {
                match raw { $($key => Ok($name::$variant),)+ _ => Err(FieldProblem::UnknownChoice) }
            }
        }
    };
}
pub(crate) use choice;

choice! {
    /// Gender as the customer gives it; unspecified by default.
    Gender {
        Unspecified => "",
        Female => "female",
        Male => "male",
        Other => "other",
    }
}

choice! {
    /// How the customer heard of the salon (DOMAIN.md §2, acquisition). Salons add their own
    /// channels as free text (see [`SourceValue`]).
    Source {
        Unspecified => "",
        FriendReferral => "friend_referral",
        WalkedPast => "walked_past",
        Newspaper => "newspaper",
        Tv => "tv",
        Online => "online",
        FreeCard => "free_card",
        FamilyCard => "family_card",
        Other => "other",
    }
}

choice! {
    Marital {
        Unspecified => "",
        Single => "single",
        Married => "married",
        Divorced => "divorced",
        Widowed => "widowed",
    }
}

choice! {
    BloodType {
        Unspecified => "",
        A => "a",
        B => "b",
        Ab => "ab",
        O => "o",
    }
}

choice! {
    /// Treatment outcome class (003): A clear effect (and she says so: a "star customer"),
    /// B some effect, C no effect yet, D worse, asked for a refund, or stopped.
    Outcome {
        Unspecified => "",
        A => "a",
        B => "b",
        C => "c",
        D => "d",
    }
}

choice! {
    /// Cosmetic-surgery psychology screening (000 篇8): six types a consultant may note.
    PsychType {
        Unspecified => "",
        SimpleBeauty => "simple_beauty",
        OverDemanding => "over_demanding",
        SensitiveSuspicious => "sensitive_suspicious",
        Obsessive => "obsessive",
        DefectDisorder => "defect_disorder",
        DefectFear => "defect_fear",
    }
}

impl PsychType {
    /// 要求过高型, 强迫意识型 and 缺陷恐惧型 need professional counselling before and after
    /// surgery: "surgery alone cannot solve their psychological problem" (000 篇8).
    pub fn needs_counselling(self) -> bool {
        matches!(self, PsychType::OverDemanding | PsychType::Obsessive | PsychType::DefectFear)
    }
}

choice! {
    SkinType {
        Unspecified => "",
        Dry => "dry",
        Oily => "oily",
        Combination => "combination",
        Normal => "normal",
        Sensitive => "sensitive",
    }
}

/// A source channel: one of the built-in [`Source`]s or a channel the salon typed in (小红书,
/// 美团 ...). Custom channels become choices for the next customer because the app offers
/// every channel already in use.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceValue {
    BuiltIn(Source),
    Custom(String),
}

impl SourceValue {
    pub fn parse(raw: &str) -> Result<Self, FieldProblem> {
        let raw = bounded(raw, limits::SOURCE)?;
        Ok(match Source::parse(&raw) {
            Ok(source) => SourceValue::BuiltIn(source),
            Err(_) => SourceValue::Custom(raw),
        })
    }

    /// The canonical stored form: a built-in key or the custom text.
    pub fn as_str(&self) -> &str {
        match self {
            SourceValue::BuiltIn(source) => source.key(),
            SourceValue::Custom(text) => text,
        }
    }
}

/// A tag the salon gives customers (VIP, 敏感肌, 孕期 ...): trimmed, not blank, no separators.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tag(String);

/// Characters that separate tags when typed in one box.
const TAG_SEPARATORS: &[char] = &[',', '，', '、', ';', '；', '#'];

impl Tag {
    pub fn parse(raw: &str) -> Result<Self, FieldProblem> {
        let tag = bounded(raw, limits::TAG)?;
        if tag.is_empty() || tag.contains(TAG_SEPARATORS) || tag.contains(char::is_whitespace) {
            return Err(FieldProblem::Required);
        }
        Ok(Tag(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Splits what was typed into one box ("VIP, 敏感肌 孕期") into tags, dropping repeats.
    pub fn parse_list(raw: &str) -> Result<BTreeSet<Tag>, FieldProblem> {
        let mut tags = BTreeSet::new();
        for part in raw.split(|c: char| TAG_SEPARATORS.contains(&c) || c.is_whitespace()) {
            if part.is_empty() {
                continue;
            }
            tags.insert(Tag::parse(part)?);
        }
        if tags.len() > limits::TAGS {
            return Err(FieldProblem::TooMany { max: limits::TAGS });
        }
        Ok(tags)
    }

    /// Tags joined for a form box or a CSV cell.
    pub fn join(tags: &BTreeSet<Tag>) -> String {
        tags.iter().map(Tag::as_str).collect::<Vec<_>>().join(", ")
    }
}

/// The parts of the paper customer card, in the order the file shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Section {
    Identity,
    Health,
    Acquisition,
    Care,
    Person,
    Relationship,
    Assessment,
    Notes,
}

impl Section {
    pub const ALL: &'static [Section] = &[
        Section::Identity,
        Section::Health,
        Section::Acquisition,
        Section::Care,
        Section::Person,
        Section::Relationship,
        Section::Assessment,
        Section::Notes,
    ];
}

/// How a field is checked and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Name,
    Phone,
    Birthday,
    /// A date in the past (member since).
    PastDate,
    /// One of fixed keys.
    Choice(&'static [&'static str]),
    /// A built-in source key or a custom channel.
    Source,
    /// Another customer of the salon (the referrer), stored by id, typed as her number.
    Customer,
    /// One line of text, stored as a register (last writer wins).
    Line(usize),
    /// Free text, stored as an automerge text object so concurrent edits interleave.
    Text(usize),
    /// A set of tags, stored as a map so concurrent additions all survive.
    Tags,
}

macro_rules! fields {
    ($($variant:ident => $key:literal, $section:ident, $kind:expr;)+) => {
        /// A field of the customer file. Its key is the document key and the CSV column id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Field { $($variant),+ }

        impl Field {
            /// Every field, in the order the form and the export show them.
            pub const ALL: &'static [Field] = &[$(Field::$variant),+];

            pub fn key(self) -> &'static str {
                match self { $(Field::$variant => $key),+ }
            }

            pub fn section(self) -> Section {
                match self { $(Field::$variant => Section::$section),+ }
            }

            pub fn kind(self) -> Kind {
                match self { $(Field::$variant => $kind),+ }
            }

            pub fn from_key(key: &str) -> Option<Field> {
                match key { $($key => Some(Field::$variant),)+ _ => None }
            }
        }
    };
}

fields! {
    Name => "name", Identity, Kind::Name;
    Phone => "phone", Identity, Kind::Phone;
    Gender => "gender", Identity, Kind::Choice(Gender::KEYS);
    Birthday => "birthday", Identity, Kind::Birthday;
    Address => "address", Identity, Kind::Line(limits::LINE);
    Occupation => "occupation", Identity, Kind::Line(limits::SHORT);
    Marital => "marital", Identity, Kind::Choice(Marital::KEYS);
    BloodType => "blood_type", Identity, Kind::Choice(BloodType::KEYS);
    Allergies => "allergies", Health, Kind::Text(limits::TEXT);
    Contraindications => "contraindications", Health, Kind::Text(limits::TEXT);
    MedicalHistory => "medical_history", Health, Kind::Text(limits::LONG_TEXT);
    Source => "source", Acquisition, Kind::Source;
    Referrer => "referrer", Acquisition, Kind::Customer;
    SkinType => "skin_type", Care, Kind::Choice(SkinType::KEYS);
    SkinCondition => "skin_condition", Care, Kind::Text(limits::TEXT);
    CareFocus => "care_focus", Care, Kind::Line(limits::LINE);
    SubHealth => "sub_health", Care, Kind::Text(limits::TEXT);
    HomeProducts => "home_products", Care, Kind::Text(limits::TEXT);
    Personality => "personality", Person, Kind::Line(limits::LINE);
    Hobbies => "hobbies", Person, Kind::Line(limits::LINE);
    Taboos => "taboos", Person, Kind::Line(limits::LINE);
    LifeEvents => "life_events", Person, Kind::Text(limits::TEXT);
    LastChat => "last_chat", Person, Kind::Text(limits::LONG_TEXT);
    PreferredBeautician => "preferred_beautician", Person, Kind::Line(limits::SHORT);
    PreferredTime => "preferred_time", Person, Kind::Line(limits::SHORT);
    MemberSince => "member_since", Relationship, Kind::PastDate;
    Beautician => "beautician", Relationship, Kind::Line(limits::SHORT);
    Store => "store", Relationship, Kind::Line(limits::SHORT);
    Tags => "tags", Relationship, Kind::Tags;
    Outcome => "outcome", Assessment, Kind::Choice(Outcome::KEYS);
    PsychType => "psych_type", Assessment, Kind::Choice(PsychType::KEYS);
    Notes => "notes", Notes, Kind::Text(limits::NOTES);
}

impl Field {
    /// The fields of one section, in order.
    pub fn of_section(section: Section) -> impl Iterator<Item = Field> {
        Field::ALL.iter().copied().filter(move |f| f.section() == section)
    }

    /// Stored as an automerge text object (as opposed to a register or the tag map).
    pub fn is_text(self) -> bool {
        matches!(self.kind(), Kind::Text(_))
    }

    /// Most characters the field's input may have, where there is a limit.
    pub fn max_chars(self) -> Option<usize> {
        match self.kind() {
            Kind::Name => Some(limits::NAME),
            Kind::Line(max) | Kind::Text(max) => Some(max),
            Kind::Source => Some(limits::SOURCE),
            _ => None,
        }
    }
}

/// Checks one non-tag field's input and returns its canonical stored form ("" for blank).
/// `referrer` turns what was typed for a customer (her number or her name) into her id, or
/// says why it cannot.
/// A stored register [`Profile::from_stored`] left out: the field, its stored text, and why.
pub(crate) type Skipped = (Field, String, FieldProblem);

/// A stored (non-blank) register of `field` as this build reads it, or why it can't.
fn stored_value(field: Field, raw: &str) -> Result<String, FieldProblem> {
    match field.kind() {
        // Stored referrers are ids, not typed numbers.
        Kind::Customer => {
            CustomerId::parse(raw).map(|id| id.as_str().to_owned()).map_err(|_| FieldProblem::UnknownCustomer)
        }
        // Her name is shown as stored, even past today's limit (a newer app may allow longer
        // ones): rejecting it would hide her file.
        Kind::Name => Ok(raw.trim().to_owned()),
        // Text that grew past a limit through concurrent edits is still shown whole.
        Kind::Text(_) | Kind::Line(_) | Kind::Tags => Ok(raw.to_owned()),
        _ => canonical(field, raw, Date::MAX, &|_| Err(FieldProblem::UnknownCustomer)),
    }
}

pub(crate) fn canonical(
    field: Field,
    raw: &str,
    today: Date,
    referrer: &dyn Fn(&str) -> Result<CustomerId, FieldProblem>,
) -> Result<String, FieldProblem> {
    let blank = raw.trim().is_empty();
    match field.kind() {
        Kind::Name => Name::parse(raw).map(|n| n.0),
        _ if blank => Ok(String::new()),
        Kind::Phone => Phone::parse(raw).map(|p| p.0),
        Kind::Birthday => Birthday::parse(raw, today).map(Birthday::to_iso),
        Kind::PastDate => past_date(raw, today, limits::EARLIEST_MEMBER_YEAR).map(|d| d.to_string()),
        Kind::Choice(keys) => {
            keys.iter().find(|k| **k == raw.trim()).map(|k| (*k).to_owned()).ok_or(FieldProblem::UnknownChoice)
        }
        Kind::Source => SourceValue::parse(raw).map(|s| s.as_str().to_owned()),
        Kind::Customer => referrer(raw.trim()).map(|id| id.as_str().to_owned()),
        Kind::Line(max) | Kind::Text(max) => bounded(raw, max),
        Kind::Tags => Tag::parse_list(raw).map(|tags| Tag::join(&tags)),
    }
}

/// A validated customer file's fields. Built by [`crate::customer::CustomerForm::validate`]
/// or read from a document; every value is in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub(crate) values: BTreeMap<Field, String>,
    pub(crate) tags: BTreeSet<Tag>,
}

impl Profile {
    /// This profile with `fields` taken from `other` (blank there means blank here): an
    /// import that names an existing customer updates only the columns the file has.
    pub fn with_fields_from(&self, other: &Profile, fields: &BTreeSet<Field>) -> Profile {
        let mut merged = self.clone();
        for field in fields {
            if field.kind() == Kind::Tags {
                merged.tags = other.tags.clone();
            } else if other.get(*field).is_empty() {
                merged.values.remove(field);
            } else {
                merged.values.insert(*field, other.get(*field).to_owned());
            }
        }
        merged
    }

    /// This profile with `field` left blank (an export from a device that may not show it).
    pub fn without(&self, field: Field) -> Profile {
        let mut out = self.clone();
        out.values.remove(&field);
        out
    }

    /// A field's canonical value; "" when blank. (Tags: see [`Profile::tags`].)
    pub fn get(&self, field: Field) -> &str {
        self.values.get(&field).map(String::as_str).unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.get(Field::Name)
    }

    pub fn phone(&self) -> Option<Phone> {
        Phone::parse(self.get(Field::Phone)).ok()
    }

    pub fn birthday(&self) -> Option<Birthday> {
        parse_date(self.get(Field::Birthday)).ok().map(Birthday)
    }

    pub fn gender(&self) -> Gender {
        Gender::parse(self.get(Field::Gender)).unwrap_or_default()
    }

    pub fn source(&self) -> Option<SourceValue> {
        let raw = self.get(Field::Source);
        (!raw.is_empty()).then(|| SourceValue::parse(raw).ok()).flatten()
    }

    pub fn referrer(&self) -> Option<CustomerId> {
        CustomerId::parse(self.get(Field::Referrer)).ok()
    }

    pub fn member_since(&self) -> Option<Date> {
        parse_date(self.get(Field::MemberSince)).ok()
    }

    pub fn beautician(&self) -> &str {
        self.get(Field::Beautician)
    }

    pub fn tags(&self) -> &BTreeSet<Tag> {
        &self.tags
    }

    pub fn outcome(&self) -> Outcome {
        Outcome::parse(self.get(Field::Outcome)).unwrap_or_default()
    }

    pub fn psych_type(&self) -> PsychType {
        PsychType::parse(self.get(Field::PsychType)).unwrap_or_default()
    }

    /// True when the file carries an allergy or contraindication that must be seen before
    /// any treatment.
    pub fn has_health_alert(&self) -> bool {
        !self.get(Field::Allergies).is_empty() || !self.get(Field::Contraindications).is_empty()
    }

    /// Why a stored register of `field` cannot be read by this build (`None` when it can, or
    /// is blank): a newer app's choice, say. [`Profile::from_stored`] leaves such values out.
    pub(crate) fn stored_problem(field: Field, raw: &str) -> Option<FieldProblem> {
        if raw.is_empty() { None } else { stored_value(field, raw).err() }
    }

    /// Reads values as stored, leaving out any that this version cannot read (a newer app's
    /// choice, say) rather than hiding the customer; those come back beside the profile, with
    /// their stored text and why. Only the name is required.
    pub(crate) fn from_stored(
        values: BTreeMap<Field, String>,
        tags: BTreeSet<Tag>,
    ) -> Result<(Self, Vec<Skipped>), FieldProblem> {
        let mut kept = BTreeMap::new();
        let mut skipped = Vec::new();
        for (field, raw) in values {
            if raw.is_empty() {
                continue;
            }
            match stored_value(field, &raw) {
                Ok(value) if !value.is_empty() => {
                    kept.insert(field, value);
                }
                Ok(_) => {}
                Err(problem) => skipped.push((field, raw, problem)),
            }
        }
        if !kept.contains_key(&Field::Name) {
            return Err(FieldProblem::Required);
        }
        Ok((Profile { values: kept, tags }, skipped))
    }
}
