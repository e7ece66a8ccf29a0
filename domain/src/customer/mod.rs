//! The customer file: validated fields, the form that produces them, the automerge document
//! that stores them and the list entry derived from it.

mod doc;
mod fields;
mod form;
mod number;
mod summary;

pub use doc::{Customer, CustomerDoc, LocalChange, NewCustomer, Version};
pub use fields::{Birthday, Gender, Name, Phone, Profile, Source, limits};
pub use form::CustomerForm;
pub use number::CustomerNumber;
pub use summary::{CustomerSummary, SearchQuery, search};
