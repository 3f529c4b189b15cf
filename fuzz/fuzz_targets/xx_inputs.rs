//! Everything `mab info` and `xx-info` read, together: BuildKit's variables, xx's overrides and
//! /etc/os-release. Strict resolution must accept or refuse; xx's lenient path must never panic, and every
//! `env` line it prints must be one inert shell assignment.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mab::core::info::{check_override, input_vars, override_vars};
use mab::core::os_release::OsRelease;
use mab::core::platform::Platform;
use mab::core::resolve::{build_platform, target_platform};
use mab::core::shell::quote;
use mab::core::xx::{raw_target, XxView};
use mab::core::{table, Flavour, Info};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // One value per line, in input_vars' order; what follows is the os-release file.
    let names: Vec<&str> = input_vars().collect();
    let mut lines = text.splitn(names.len() + 1, '\n');
    let values: Vec<Option<String>> = names
        .iter()
        .map(|_| lines.next().filter(|v| !v.is_empty()).map(str::to_string))
        .collect();
    let release = OsRelease::parse(lines.next().unwrap_or(""));
    let vars = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| values[i].clone())
    };
    let host = Platform::from_parts("linux", "amd64", "").unwrap();

    // mab info: validated overrides, then strict resolution.
    let overrides_ok =
        override_vars().all(|n| vars(n).map_or(true, |v| check_override(n, &v).is_ok()));
    if let (true, Ok(build)) = (overrides_ok, build_platform(&vars, host)) {
        if let Ok(target) = target_platform(&vars, build) {
            let flavour = Flavour::new(target.os(), &release, &vars);
            let info = Info::new(target, build, flavour, &vars, None);
            for field in mab::core::info::FIELDS {
                let _ = (field.get)(&info);
            }
        }
    }

    // xx-info: raw strings, lenient.
    let (os, arch, variant) = raw_target(&vars, host);
    let flavour = Flavour::new(&os, &release, &vars);
    if let Some((row, variant)) = table::find(&os, &arch, &variant) {
        let info = Info::new(Platform { row, variant }, host, flavour, &vars, None);
        for (key, value) in XxView::new(&info).env() {
            let word = quote(value);
            assert!(!key.is_empty());
            assert!(
                !word.contains('\n') || word.starts_with('\''),
                "{key}={word}"
            );
            if !word.starts_with('\'') {
                assert!(
                    word.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._/+:,=@%-".contains(&b)),
                    "{key}={word}"
                );
            }
        }
    }
});
