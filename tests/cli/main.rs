//! Integration tests: one binary, one module per applet, each running the real `mab` executable.

mod apt;
mod bundle;
mod cargo;
mod cc;
mod common;
mod completions;
mod doctor;
mod gen;
mod go;
mod hostile;
mod info;
mod links;
mod lint;
mod manifest;
mod publish;
mod release;
mod tables;
mod verify;
mod windows;
mod xx_apt;
mod xx_info;
