//! `mab platforms`: the supported platforms, as a list or as README.md's table.

use crate::core::os_release::OsRelease;
use crate::core::platform::Platform;
use crate::core::table::PLATFORMS;
use crate::core::{Flavour, Info};
use crate::exit::print_lines;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print a Markdown table of each platform's values on Debian and Alpine build machines
    #[arg(long)]
    markdown: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.markdown {
        print_lines([markdown()])?;
    } else {
        print_lines(Platform::all().map(|p| p.to_string()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Values of `mab info` for a build machine of the given distro (no overrides, amd64 build machine).
fn info_on(platform: Platform, distro: &str) -> Info {
    let release = OsRelease {
        id: Some(distro.to_string()),
        version_id: None,
    };
    let build = Platform::from_parts("linux", "amd64", "").expect("linux/amd64 is in the tables");
    Info::new(
        platform,
        build,
        Flavour::new(platform.os(), &release, &|_| None),
        &|_| None,
        None,
    )
}

/// The table README.md shows; a test keeps the README in step with it.
pub fn markdown() -> String {
    let mut out = String::from(
        "| platform (variants) | triple (Debian) | triple (Alpine) | Debian / Alpine / RPM arch | Go | Rust (glibc) | Rust (musl) | qemu |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    let dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
    for platform in PLATFORMS.iter().map(|row| Platform {
        row,
        variant: row.variant,
    }) {
        let debian = info_on(platform, "debian");
        let alpine = info_on(platform, "alpine");
        let go = match (debian.get("goos"), debian.get("goarch"), debian.go_knob()) {
            (Some(os), Some(arch), Some((knob, value))) => format!("{os}/{arch} {knob}={value}"),
            (Some(os), Some(arch), None) => format!("{os}/{arch}"),
            _ => "-".to_string(),
        };
        out.push_str(&format!(
            "| {platform}{} | {} | {} | {} / {} / {} | {go} | {} | {} | {} |\n",
            match platform.row.variants {
                [] => String::new(),
                variants => format!(" ({})", variants.join(", ")),
            },
            debian.triple,
            alpine.triple,
            dash(debian.get("debian-arch")),
            dash(debian.get("alpine-arch")),
            dash(debian.get("rhel-arch")),
            dash(debian.get("rust-triple")),
            dash(alpine.get("rust-triple")),
            dash(debian.get("qemu")),
        ));
    }
    out.pop();
    out
}
