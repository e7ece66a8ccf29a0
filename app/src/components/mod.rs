//! Reusable views, one component per file.

pub mod account_summary;
pub mod app_header;
pub mod card_list;
pub mod class_badges;
pub mod class_panel;
pub mod complaint_list;
pub mod counselling_caution;
pub mod customer_form;
pub mod customer_row;
pub mod device_list;
pub mod entry_field;
pub mod follow_ups;
pub mod form_field;
pub mod health_alert;
pub mod invite_device;
pub mod join_bar;
pub mod money_list;
pub mod override_editor;
pub mod photo_image;
pub mod problem_bar;
pub mod profile_sections;
pub mod storage_unavailable;
pub mod sync_badge;
pub mod unsaved_guard;
pub mod visit_list;
pub mod with_file;
