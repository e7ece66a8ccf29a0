//! The customer file: validated fields, the form that produces them, the automerge document
//! that stores them, the entries recorded over time and the list entry derived from it all.

mod consent;
mod doc;
mod entries;
mod fields;
mod form;
mod number;
mod pinyin;
mod summary;

pub use consent::{ConsentEvent, ConsentStatus, Consents, MAX_BY_CHARS, Purpose, check_health, health_written};
pub use doc::{Customer, CustomerDoc, CustomerFile, EntryEdit, LocalChange, NewCustomer, Version};
pub use entries::{
    Account, BodyArea, Card, CardForm, CardStatus, EXPIRING_SOON_DAYS, EntryField, EntryId, MAX_CARD_SESSIONS,
    MoneyEntry, MoneyForm, MoneyKind, Photo, PhotoStage, Visit, VisitForm,
};
pub(crate) use fields::choice;
pub use fields::{
    AgeBand, Birthday, BloodType, Field, Gender, Kind, Marital, Name, Outcome, Phone, Profile, PsychType, Section,
    SkinType, Source, SourceValue, Tag, limits, parse_date, spreadsheet_date,
};
pub use form::CustomerForm;
pub use number::CustomerNumber;
pub use pinyin::NameKeys;
pub use summary::{Book, CustomerSummary, SearchQuery, beauticians, find_customer, same_phone, search};
