//! The pure core: platform model, tables and the platform → toolchain mapping. Nothing here reads the
//! environment, touches files or starts processes; the commands in `crate::cmd` do that and pass values in.

pub mod binary;
pub mod build_files;
pub mod bundle;
pub mod cargo;
pub mod cc;
pub mod gen;
pub mod go;
pub mod header;
pub mod info;
pub mod manifest;
pub mod names;
pub mod options;
pub mod os_release;
pub mod packages;
pub mod pkg_config;
pub mod plan;
pub mod platform;
pub mod project;
pub mod publish;
pub mod registry;
pub mod resolve;
pub mod shell;
pub mod table;
pub mod toolenv;
pub mod windres;
pub mod xx;

pub use info::{Flavour, Info};
pub use platform::{Platform, PlatformError};
