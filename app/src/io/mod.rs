//! The app's edges: IndexedDB, the relay connection and the browser (clock, randomness,
//! URL, preferences). Everything else in the app is views over `domain`.

pub mod browser;
pub mod pair;
pub mod relay;
pub mod store;
