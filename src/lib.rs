//! mab: multi-arch build. See README.md for users and ARCHITECTURE.md for the map of this crate.

pub mod applet;
pub(crate) mod cmd;
pub mod core;
pub(crate) mod exit;
