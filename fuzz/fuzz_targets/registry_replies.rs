//! What a registry sends `mab manifest check`: any bytes as an index, a manifest or a config of any media
//! type, and any text as a WWW-Authenticate challenge, are read or refused, never a panic; and a readable
//! index goes through the check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mab::core::manifest::{self, Image, Listing, ACCEPT};
use mab::core::platform::Platform;
use mab::core::registry::parse_challenge;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let media_type = ACCEPT.get(usize::from(selector) % 5).copied().unwrap_or("text/plain");
    if let Ok(Listing::Index(entries)) = manifest::parse_listing(media_type, body) {
        let images: Vec<Image> = entries
            .into_iter()
            .map(|e| Image {
                config: e.platform.clone().unwrap_or_default(),
                digest: e.digest,
                listed: e.platform,
            })
            .collect();
        let wanted = [Platform::from_parts("linux", "arm64", "").unwrap()];
        for problem in manifest::check(&wanted, &images).problems {
            let _ = problem.to_string();
        }
    }
    let _ = manifest::config_digest(body);
    let _ = manifest::config_platform(body);
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = parse_challenge(text);
    }
});
