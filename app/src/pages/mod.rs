//! One file per route.

pub mod customer_detail;
pub mod customer_edit;
pub mod customer_list;
pub mod customer_new;
pub mod not_found;
pub mod settings;
