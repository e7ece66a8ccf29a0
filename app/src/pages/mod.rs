//! One file per route.

pub mod card_new;
pub mod care_plan;
pub mod class_policy;
pub mod classes;
pub mod complaint_new;
pub mod contact_new;
pub mod customer_detail;
pub mod customer_edit;
pub mod customer_list;
pub mod customer_new;
pub mod handover;
pub mod home;
pub mod import;
pub mod money_new;
pub mod not_found;
pub mod photos;
pub mod settings;
pub mod today;
pub mod visit_new;
