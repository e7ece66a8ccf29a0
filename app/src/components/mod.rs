//! Reusable views, one component per file. They render domain data and hold no rules.

pub mod app_header;
pub mod customer_form;
pub mod customer_row;
pub mod form_field;
pub mod health_alert;
pub mod problem_bar;
pub mod storage_unavailable;
pub mod sync_badge;
