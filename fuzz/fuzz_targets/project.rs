//! `mab gen`'s project detection over arbitrary go.mod, Go sources, C build files and Cargo.lock: it
//! detects a project or refuses with an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mab::core::project::{detect, Choice, Sources};

const FILES: &[&str] = &[
    "go.mod",
    "main.go",
    "cmd/app/main.go",
    "CMakeLists.txt",
    "meson.build",
    "Makefile",
    "Cargo.lock",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first byte picks which files exist; the rest is split among them at NUL bytes.
    let mask = text.bytes().next().unwrap_or(0);
    let mut contents = text.get(1..).unwrap_or("").split('\0');
    let mut sources = Sources::default();
    for (i, name) in FILES.iter().enumerate() {
        let content = contents.next().unwrap_or("");
        if mask & (1 << i) != 0 {
            sources.files.insert(name.to_string(), content.to_string());
        }
    }
    let _ = detect(&sources, &Choice::default()).map_err(|e| e.to_string());
});
