//! `mab lint` and `--fix` over arbitrary text: findings or an error, never a panic, and a fix that
//! parses. The text is tried as it is and after a FROM line, so most inputs reach the rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mab::core::lint::{fix, lint};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for text in [text.to_string(), format!("FROM a AS b\n{text}")] {
        let _ = lint(&text).map_err(|e| e.to_string());
        if let Ok(fixed) = fix(&text, "mab") {
            lint(&fixed.text).expect("a fixed Dockerfile parses");
        }
    }
});
