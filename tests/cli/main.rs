//! Integration tests: one binary, one module per applet, each running the real `mab` executable.

mod cargo;
mod common;
mod go;
mod info;
mod tables;
mod xx_info;
