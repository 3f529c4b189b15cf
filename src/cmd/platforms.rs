//! `mab platforms`: the supported platforms, as a list or as README.md's table.

use crate::core::platform::Platform;
use crate::core::table::PLATFORMS;
use crate::core::Info;
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
        let debian = Info::on_distro(platform, Some("debian"));
        let alpine = Info::on_distro(platform, Some("alpine"));
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
