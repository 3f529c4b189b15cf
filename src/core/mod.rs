//! The pure core: platform model, tables and the platform → toolchain mapping. Nothing here reads the
//! environment, touches files or starts processes; the commands in `crate::cmd` do that and pass values in.

pub(crate) mod binary;
pub(crate) mod build_files;
pub(crate) mod bundle;
pub(crate) mod cargo;
pub(crate) mod cc;
pub(crate) mod doctor;
pub(crate) mod gen;
pub(crate) mod go;
pub mod header;
pub mod info;
pub mod lint;
pub mod manifest;
pub(crate) mod names;
pub(crate) mod options;
pub mod os_release;
pub(crate) mod packages;
pub(crate) mod pkg_config;
pub(crate) mod plan;
pub mod platform;
pub mod project;
pub(crate) mod publish;
pub mod registry;
pub mod resolve;
pub mod shell;
pub mod table;
pub(crate) mod templates;
pub(crate) mod toolenv;
pub(crate) mod windres;
pub mod xx;

pub use info::{Flavour, Info};
pub use platform::{Platform, PlatformError};
