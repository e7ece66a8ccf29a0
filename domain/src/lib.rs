//! Meike's pure core: customer documents, validation, search and the relay wire protocol.
//!
//! Nothing in this crate does IO, reads a clock or draws random numbers: callers pass `now`,
//! `today` and freshly generated ids in. That keeps every rule testable natively and identical
//! in the browser (wasm32) and on the relay.

pub mod blob;
pub mod care;
pub mod classify;
pub mod crypto;
pub mod customer;
mod error;
pub mod generator;
pub mod ids;
pub mod join;
pub mod money;
pub mod pairing;
pub mod record;
pub mod salon;
pub mod staff;
pub mod sync;
pub mod transfer;
pub mod wire;

pub use error::{DomainError, Field, FieldErrors, FieldProblem};

#[cfg(test)]
mod file_tests;
#[cfg(test)]
mod record_tests;
#[cfg(test)]
mod tests;
