//! Integration tests: one binary, one module per applet, each running the real `mab` executable.

mod cc;
mod common;
mod info;
mod tables;
mod xx_info;
