//! The platform parser and normaliser: any string is parsed or refused, never a panic, and every parsed
//! platform prints back as a string that parses to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mab::core::platform::Platform;
use mab::core::resolve::split_pair;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let host = Platform::from_parts("linux", "amd64", "").unwrap();
    if let Ok(p) = Platform::parse(input, host) {
        let printed = p.to_string();
        assert_eq!(
            Platform::parse(&printed, host),
            Ok(p),
            "{input:?} -> {printed}"
        );
        assert!(printed
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'/'));
    } else {
        let _ = Platform::parse(input, host).unwrap_err().to_string();
    }
    let mut parts = input.splitn(3, '\n');
    let (os, arch, variant) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let _ = Platform::from_parts(os, arch, variant).map(|p| p.to_string());
    if let Some((os, arch, variant)) = split_pair(input) {
        let _ = Platform::from_parts(os, arch, variant);
    }
});
