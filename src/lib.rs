//! mab: multi-arch build. See README.md for users and ARCHITECTURE.md for the map of this crate.

pub mod applet;
pub mod cmd;
pub mod core;
pub mod exit;
