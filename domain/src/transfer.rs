//! Customers in and out of Meike: CSV for spreadsheets (UTF-8 with a BOM, so Excel opens
//! Chinese correctly), JSON for complete files (a customer asking for her data, a transfer to
//! another salon), and CSV import with a preview of every row's problems.
//!
//! The CSV carries each customer's fields, her prepaid balance, her debt and her open cards
//! (the receiving salon owes every remaining session, DOMAIN.md §3), so export → import
//! recreates the same customers with the same balances and cards. Visits stay in the JSON.
//!
//! Files come back the way salons' spreadsheets save them: Chinese Excel and WPS write GBK
//! unless told otherwise, dates as `1990/4/1`, and would turn a phone number into `1.39E+10`
//! or drop a landline's leading 0, so the export writes phones as text formulas (`="0571…"`)
//! and the import reads all of these. A row whose number is already a customer of this
//! device updates her file (only the columns the file has; balances and cards are not booked
//! again from an update), so export → edit in Excel → import works.
//!
//! Column titles and choice labels are the user's words, so the app passes them in
//! ([`Labels`]); an import recognises the titles and labels of every language given, and the
//! stable keys (`name`, `female` ...) as well.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::Serialize;

use crate::customer::{
    Card, CustomerFile, CustomerForm, CustomerNumber, EntryId, Field, Kind, MoneyEntry, MoneyKind, Profile, Tag,
    parse_date, spreadsheet_date,
};
use crate::ids::CustomerId;
use crate::money::{Fen, Payment};
use crate::{FieldErrors, FieldProblem};

/// Excel needs this to read a CSV file as UTF-8.
pub const BOM: &str = "\u{feff}";
/// Most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 20_000;

/// A CSV column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Column {
    Number,
    Field(Field),
    Prepaid,
    Debt,
    /// Open cards, `item|left/sessions|price|bought|expiry`, separated by `;`.
    Cards,
    /// Shown for the reader; ignored by an import (visits are not in the CSV).
    Spent,
    Visits,
    LastVisit,
}

impl Column {
    pub fn all() -> Vec<Column> {
        let mut columns = vec![Column::Number];
        columns.extend(Field::ALL.iter().copied().map(Column::Field));
        columns.extend([
            Column::Prepaid,
            Column::Debt,
            Column::Cards,
            Column::Spent,
            Column::Visits,
            Column::LastVisit,
        ]);
        columns
    }

    /// The stable key, accepted as a title in every language.
    pub fn key(self) -> &'static str {
        match self {
            Column::Number => "number",
            Column::Field(field) => field.key(),
            Column::Prepaid => "prepaid",
            Column::Debt => "debt",
            Column::Cards => "cards",
            Column::Spent => "spent",
            Column::Visits => "visits",
            Column::LastVisit => "last_visit",
        }
    }
}

/// The user's words for columns and choices, from the app's i18n tables.
pub trait Labels {
    fn column(&self, column: Column) -> String;
    /// The label of a (non-blank) choice key of `field` (gender, blood type, source ...).
    fn choice(&self, field: Field, key: &str) -> String;
}

/// What an import could not read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is neither UTF-8 nor GBK text")]
    UnknownEncoding,
    #[error("the file has no name column")]
    NoNameColumn,
    #[error("the file has no customer rows")]
    Empty,
    #[error("the file has more than {max} rows")]
    TooManyRows { max: usize },
    #[error("line {line} is not valid CSV")]
    Malformed { line: usize },
}

/// What is wrong with one cell of an import row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub column: Column,
    pub problem: FieldProblem,
}

/// A row ready to become a customer, or to update the one its number names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedCustomer {
    pub id: CustomerId,
    /// The number from the file; `None` means "give her a new number".
    pub number: Option<CustomerNumber>,
    /// The number is an existing customer's (`id` is hers): update her file with the
    /// columns the file has instead of creating one.
    pub update: bool,
    /// The fields the row has cells for (an update writes only these).
    pub fields: BTreeSet<Field>,
    pub profile: Profile,
    /// Opening entries (prepaid top-up, debt) and cards, dated the import day.
    pub money: Vec<MoneyEntry>,
    pub cards: Vec<Card>,
}

/// One data row of the file: its line number (1 = the title row) and the customer or every
/// problem found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: usize,
    pub name: String,
    pub result: Result<ImportedCustomer, Vec<CellProblem>>,
}

/// The preview of an import: nothing is saved until every row is valid and the user agrees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    pub rows: Vec<ImportRow>,
    /// Titles that matched no column, shown so the user knows what is left out.
    pub ignored_columns: Vec<String>,
}

impl ImportPlan {
    pub fn error_rows(&self) -> usize {
        self.rows.iter().filter(|r| r.result.is_err()).count()
    }

    /// Every row's customer, or `None` while any row has a problem (no partial imports).
    pub fn customers(&self) -> Option<Vec<&ImportedCustomer>> {
        self.rows.iter().map(|r| r.result.as_ref().ok()).collect()
    }

    /// Rows that update an existing customer.
    pub fn updates(&self) -> usize {
        self.rows.iter().filter(|r| r.result.as_ref().is_ok_and(|c| c.update)).count()
    }
}

impl ImportedCustomer {
    /// Her profile after this row: for an update, `current` with the row's cells applied. A
    /// blank referrer keeps hers: the export leaves it blank when the referring customer is
    /// not on the exporting device, and that must not erase it.
    pub fn profile_over(&self, current: &Profile) -> Profile {
        if !self.update {
            return self.profile.clone();
        }
        let mut fields = self.fields.clone();
        if self.profile.get(Field::Referrer).is_empty() {
            fields.remove(&Field::Referrer);
        }
        current.with_fields_from(&self.profile, &fields)
    }
}

/// A phone cell as a spreadsheet left it: `="0571…"` (the export's text formula) or `'0571…`
/// become the number; a number Excel turned into scientific notation (`1.39E+10`) has lost
/// its digits and is refused with that reason.
fn spreadsheet_phone(raw: &str) -> Result<String, FieldProblem> {
    let raw = raw.trim();
    let unwrapped = raw
        .strip_prefix("=\"")
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| raw.strip_prefix('\''))
        .unwrap_or(raw)
        .trim();
    let scientific = unwrapped.contains(['E', 'e'])
        && unwrapped.replace(['E', 'e', '.', '+'], "").bytes().all(|b| b.is_ascii_digit());
    if scientific { Err(FieldProblem::PhoneScientific) } else { Ok(unwrapped.to_owned()) }
}

/// Decodes a CSV file: UTF-8 (with or without a BOM) or, failing that, GBK (GB18030), what
/// Chinese Excel and WPS write by default, through `gbk` (the caller's decoder: every
/// browser has one built in, so the app does not download its tables).
fn decode<'b>(
    bytes: &'b [u8],
    gbk: &dyn Fn(&[u8]) -> Option<String>,
) -> Result<std::borrow::Cow<'b, str>, ImportError> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(std::borrow::Cow::Borrowed(text.strip_prefix(BOM).unwrap_or(text)));
    }
    gbk(bytes).map(std::borrow::Cow::Owned).ok_or(ImportError::UnknownEncoding)
}

/// A customer already on this device, as an import row naming her number sees her.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub id: CustomerId,
    pub name: String,
    /// Her phone as stored (digits, maybe a leading `+`), blank when none.
    pub phone: String,
}

/// Everything an import needs from the device: fresh ids (drawn by the caller: this crate has
/// no randomness), which customer numbers exist, and the ids of existing customers by number.
pub struct ImportContext<'a> {
    pub today: Date,
    pub labels: &'a [&'a dyn Labels],
    pub new_id: &'a mut dyn FnMut() -> [u8; 16],
    /// The customer with this number on this device, if any.
    pub existing: &'a dyn Fn(&str) -> Option<Existing>,
    /// The customer typed as a referrer (number or name), when not a row of the file.
    pub find: &'a dyn Fn(&str) -> Result<CustomerId, FieldProblem>,
    /// Decodes GBK (GB18030) bytes strictly, `None` when they are not GBK: the WHATWG
    /// decoder, which the browser has as `TextDecoder("gb18030")` and tests as `encoding_rs`.
    pub gbk: &'a dyn Fn(&[u8]) -> Option<String>,
}

/// The CSV of `files` (BOM, title row, one row per customer), in the order given.
pub fn export_csv(
    files: &[CustomerFile],
    today: Date,
    labels: &dyn Labels,
    number_of: &dyn Fn(&CustomerId) -> Option<String>,
) -> String {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let columns = Column::all();
    let titles: Vec<String> = columns.iter().map(|c| labels.column(*c)).collect();
    // Writing to a Vec cannot fail; a failure would only drop a row, never panic.
    let _ = writer.write_record(&titles);
    for file in files {
        let account = file.account(today);
        let profile = &file.customer.profile;
        let row: Vec<String> = columns
            .iter()
            .map(|column| match column {
                Column::Number => file.customer.number.to_string(),
                Column::Field(field) => match field.kind() {
                    Kind::Tags => Tag::join(profile.tags()),
                    // A text formula, so Excel keeps every digit and a landline's leading 0.
                    Kind::Phone if !profile.get(*field).is_empty() => format!("=\"{}\"", profile.get(*field)),
                    Kind::Customer => profile.referrer().and_then(|id| number_of(&id)).unwrap_or_default(),
                    Kind::Choice(_) if !profile.get(*field).is_empty() => labels.choice(*field, profile.get(*field)),
                    // A salon's own channel is shown as typed; built-in ones in the user's words.
                    Kind::Source
                        if crate::customer::Source::parse(profile.get(*field)).is_ok_and(|s| s.key() != "") =>
                    {
                        labels.choice(*field, profile.get(*field))
                    }
                    _ => profile.get(*field).to_owned(),
                },
                Column::Prepaid => account.prepaid.plain(),
                Column::Debt => account.debt.plain(),
                Column::Cards => account
                    .open_cards()
                    .map(|c| {
                        format!(
                            "{}|{}/{}|{}|{}|{}",
                            c.card.item,
                            c.remaining,
                            c.card.sessions,
                            c.card.price.plain(),
                            c.card.bought_on,
                            c.card.expires_on.map(|d| d.to_string()).unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                Column::Spent => account.spent.plain(),
                Column::Visits => account.visits.to_string(),
                Column::LastVisit => account.last_visit.map(|v| v.date().to_string()).unwrap_or_default(),
            })
            .collect();
        let _ = writer.write_record(&row);
    }
    let body = writer.into_inner().map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default();
    format!("{BOM}{body}")
}

/// A complete file as JSON: every field, visit, card, money entry and photo record.
#[derive(Debug, Serialize)]
struct FileExport<'a> {
    format: &'static str,
    number: String,
    id: &'a str,
    created_at: String,
    fields: BTreeMap<&'static str, &'a str>,
    tags: Vec<&'a str>,
    visits: &'a [crate::customer::Visit],
    cards: &'a [Card],
    money: &'a [MoneyEntry],
    photos: &'a [crate::customer::Photo],
    balance: crate::customer::Account,
    /// Her consent decisions, given and withdrawn, with who and when.
    consents: &'a [crate::customer::ConsentEvent],
    /// Records of her file this build cannot read (a newer app's): what, where, the stored
    /// text and why, so an export leaves nothing of her out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unreadable: Vec<UnreadableExport<'a>>,
}

#[derive(Debug, Serialize)]
struct UnreadableExport<'a> {
    kind: &'static str,
    key: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    raw: &'a str,
    problem: String,
}

/// Complete files as pretty JSON, for a customer's own copy or a transfer.
pub fn export_json(files: &[CustomerFile], today: Date) -> String {
    let exports: Vec<FileExport<'_>> = files
        .iter()
        .map(|file| {
            let profile = &file.customer.profile;
            FileExport {
                format: "meike-customer-file/1",
                number: file.customer.number.to_string(),
                id: file.customer.id.as_str(),
                created_at: file.customer.created_at.to_string(),
                fields: Field::ALL
                    .iter()
                    .filter(|f| f.kind() != Kind::Tags && !profile.get(**f).is_empty())
                    .map(|f| (f.key(), profile.get(*f)))
                    .collect(),
                tags: profile.tags().iter().map(Tag::as_str).collect(),
                visits: &file.visits,
                cards: &file.cards,
                money: &file.money,
                photos: &file.photos,
                balance: file.account(today),
                consents: file.consents.events(),
                unreadable: file
                    .unreadable
                    .iter()
                    .map(|u| UnreadableExport {
                        kind: u.kind,
                        key: &u.key,
                        raw: &u.raw,
                        problem: u.problem.to_string(),
                    })
                    .collect(),
            }
        })
        .collect();
    serde_json::to_string_pretty(&exports).unwrap_or_default()
}

/// Reads a CSV file into an [`ImportPlan`]. Titles are matched in any given language or by
/// key; choice cells by label or key; every row is checked like the customer form, plus the
/// number (unused, or blank for a new one), balances and cards.
pub fn import_csv(bytes: &[u8], ctx: &mut ImportContext<'_>) -> Result<ImportPlan, ImportError> {
    let text = decode(bytes, ctx.gbk)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|_| ImportError::Malformed { line: i + 1 })?;
        if records.len() > MAX_IMPORT_ROWS {
            return Err(ImportError::TooManyRows { max: MAX_IMPORT_ROWS });
        }
        records.push(record);
    }
    let Some((titles, rows)) = records.split_first() else { return Err(ImportError::Empty) };
    let all = Column::all();
    let mut columns: Vec<Option<Column>> = Vec::new();
    let mut ignored = Vec::new();
    for title in titles.iter() {
        let title = title.trim();
        let found = all.iter().copied().find(|c| {
            c.key().eq_ignore_ascii_case(title) || ctx.labels.iter().any(|l| l.column(*c).eq_ignore_ascii_case(title))
        });
        if found.is_none() && !title.is_empty() {
            ignored.push(title.to_owned());
        }
        // A column that appears twice is read from its first appearance only.
        columns.push(found.filter(|f| !columns.contains(&Some(*f))));
    }
    if !columns.contains(&Some(Column::Field(Field::Name))) {
        return Err(ImportError::NoNameColumn);
    }
    let rows: Vec<(usize, BTreeMap<Column, &str>)> = rows
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let cells = columns.iter().zip(record.iter()).filter_map(|(c, v)| c.map(|c| (c, v))).collect();
            (i + 2, cells)
        })
        .filter(|(_, cells): &(usize, BTreeMap<Column, &str>)| cells.values().any(|v| !v.trim().is_empty()))
        .collect();
    if rows.is_empty() {
        return Err(ImportError::Empty);
    }
    // First pass: ids and numbers, so a referrer may be another row of the same file. A row
    // whose number is an existing customer's keeps her id (it updates her).
    let mut in_file: BTreeMap<String, CustomerId> = BTreeMap::new();
    let mut ids = Vec::new();
    for (_, cells) in &rows {
        let number = cells.get(&Column::Number).map(|n| n.trim()).unwrap_or("");
        let number = CustomerNumber::parse(number).ok();
        let existing = number.as_ref().and_then(|n| (ctx.existing)(&n.to_string()));
        let id = existing.map(|e| e.id).unwrap_or_else(|| CustomerId::from_random((ctx.new_id)()));
        if let Some(number) = number {
            in_file.entry(number.to_string()).or_insert_with(|| id.clone());
        }
        ids.push(id);
    }

    let mut seen_numbers = BTreeSet::new();
    let mut plan = ImportPlan { rows: Vec::new(), ignored_columns: ignored };
    for ((line, cells), id) in rows.into_iter().zip(ids) {
        let name = cells.get(&Column::Field(Field::Name)).map(|n| n.trim().to_owned()).unwrap_or_default();
        let result = import_row(&cells, id, ctx, &in_file, &mut seen_numbers);
        plan.rows.push(ImportRow { line, name, result });
    }
    Ok(plan)
}

fn import_row(
    cells: &BTreeMap<Column, &str>,
    id: CustomerId,
    ctx: &mut ImportContext<'_>,
    in_file: &BTreeMap<String, CustomerId>,
    seen_numbers: &mut BTreeSet<String>,
) -> Result<ImportedCustomer, Vec<CellProblem>> {
    let mut problems = Vec::new();
    let mut push = |column, problem| problems.push(CellProblem { column, problem });
    // The fields this row has a cell for (a short row leaves the rest out): an update
    // writes only these.
    let fields: BTreeSet<Field> = cells
        .keys()
        .filter_map(|c| match c {
            Column::Field(field) => Some(*field),
            _ => None,
        })
        .collect();
    let mut existing = None;
    let number = match cells.get(&Column::Number).map(|n| n.trim()).unwrap_or("") {
        "" => None,
        raw => match CustomerNumber::parse(raw) {
            Ok(number) if !seen_numbers.insert(number.to_string()) => {
                push(Column::Number, FieldProblem::DuplicateNumber);
                None
            }
            Ok(number) => {
                existing = (ctx.existing)(&number.to_string());
                Some(number)
            }
            Err(_) => {
                push(Column::Number, FieldProblem::UnknownChoice);
                None
            }
        },
    };
    let mut form = CustomerForm::default();
    for field in Field::ALL.iter().copied() {
        let raw = cells.get(&Column::Field(field)).map(|v| v.trim()).unwrap_or("");
        let value = match field.kind() {
            Kind::Choice(keys) => unlabel(field, raw, keys, ctx.labels),
            Kind::Source => unlabel(field, raw, crate::customer::Source::KEYS, ctx.labels),
            Kind::Birthday | Kind::PastDate => spreadsheet_date(raw),
            Kind::Phone => match spreadsheet_phone(raw) {
                Ok(phone) => phone,
                Err(problem) => {
                    push(Column::Field(field), problem);
                    String::new()
                }
            },
            _ => raw.to_owned(),
        };
        form.set(field, value);
    }
    let lookup = |typed: &str| match in_file.get(typed) {
        Some(id) => Ok(id.clone()),
        None => (ctx.find)(typed),
    };
    let profile = form.validate(ctx.today, &lookup).map_err(|errors: FieldErrors| {
        for (field, problem) in errors.iter() {
            push(Column::Field(*field), problem.clone());
        }
    });
    // A number that is a customer here updates her, unless the row is plainly someone else
    // (neither her name nor her phone): numbers from another salon's file can collide.
    if let (Some(her), Ok(row)) = (&existing, &profile)
        && row.name() != her.name
        && row.phone().is_none_or(|p| p.as_str() != her.phone)
    {
        push(Column::Number, FieldProblem::NumberOfAnother { name: her.name.clone() });
    }
    let update = existing.is_some();
    let mut money = Vec::new();
    for (column, kind) in [(Column::Prepaid, MoneyKind::TopUp), (Column::Debt, MoneyKind::Debt)] {
        let raw = cells.get(&column).map(|v| v.trim()).unwrap_or("");
        // An update does not book opening balances again: they are already on her file.
        if raw.is_empty() || update {
            continue;
        }
        match Fen::parse(raw) {
            Ok(amount) if amount == Fen::ZERO => {}
            Ok(amount) => money.push(MoneyEntry {
                id: EntryId::from_random((ctx.new_id)()),
                on: ctx.today,
                kind,
                amount,
                payment: Payment::Cash,
                note: String::new(),
                voided: false,
            }),
            Err(problem) => push(column, problem),
        }
    }
    let mut cards = Vec::new();
    let raw_cards = if update { "" } else { cells.get(&Column::Cards).map(|v| v.trim()).unwrap_or("") };
    for raw in raw_cards.split([';', '；']).map(str::trim).filter(|c| !c.is_empty()) {
        match parse_card(raw, EntryId::from_random((ctx.new_id)()), ctx.today) {
            Ok(card) => cards.push(card),
            Err(problem) => push(Column::Cards, problem),
        }
    }
    match profile {
        Ok(profile) if problems.is_empty() => {
            Ok(ImportedCustomer { id, number, update, fields: fields.clone(), profile, money, cards })
        }
        _ => Err(problems),
    }
}

/// A choice cell: its key, or a label in any language, or blank.
fn unlabel(field: Field, raw: &str, keys: &[&str], labels: &[&dyn Labels]) -> String {
    keys.iter()
        .find(|key| !key.is_empty() && labels.iter().any(|l| l.choice(field, key) == raw))
        .map(|key| (*key).to_owned())
        .unwrap_or_else(|| raw.to_owned())
}

/// `item|left/sessions|price|bought|expiry` (bought and expiry may be blank).
fn parse_card(raw: &str, id: EntryId, today: Date) -> Result<Card, FieldProblem> {
    let parts: Vec<&str> = raw.split('|').map(str::trim).collect();
    let [item, counts, price, rest @ ..] = parts.as_slice() else { return Err(FieldProblem::NotAnAmount) };
    if item.is_empty() {
        return Err(FieldProblem::Required);
    }
    let range = FieldProblem::NotInRange { min: 1, max: i64::from(crate::customer::MAX_CARD_SESSIONS) };
    let (left, sessions) = counts.split_once('/').ok_or(range.clone())?;
    let left: u32 = left.trim().parse().map_err(|_| range.clone())?;
    let sessions: u32 = sessions.trim().parse().map_err(|_| range.clone())?;
    if sessions == 0 || sessions > crate::customer::MAX_CARD_SESSIONS || left > sessions {
        return Err(range);
    }
    let price = Fen::parse(price)?;
    let date = |raw: Option<&&str>| -> Result<Option<Date>, FieldProblem> {
        match raw.map(|r| r.trim()).unwrap_or("") {
            "" => Ok(None),
            raw => parse_date(&spreadsheet_date(raw)).map(Some),
        }
    };
    let bought_on = date(rest.first())?.unwrap_or(today);
    let expires_on = date(rest.get(1))?;
    if expires_on.is_some_and(|e| e < bought_on) {
        return Err(FieldProblem::DateBeforeStart);
    }
    Ok(Card {
        id,
        item: (*item).to_owned(),
        sessions,
        used_before: sessions - left,
        price,
        payment: Payment::Cash,
        bought_on,
        expires_on,
        voided: false,
    })
}
