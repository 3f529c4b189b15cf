//! `mab info`: print the target's values. Strict: bad input is an error (exit 2), never a guess.

use super::target;
use crate::core::info::FIELDS;
use crate::core::shell::quote;
use crate::core::xx::XxView;
use crate::exit::{print_lines, FALSE};
use anyhow::{bail, Result};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// A field (triple when omitted), `env` for shell lines to eval, or `is-cross` (exit 0 if cross, 1 if not)
    #[arg(value_parser = field_names())]
    field: Option<String>,
    /// Print every field as one JSON object
    #[arg(long, conflicts_with = "field")]
    json: bool,
    /// Target platform, instead of TARGETPLATFORM and friends
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    platform: Option<String>,
}

fn field_names() -> clap::builder::PossibleValuesParser {
    let fields = FIELDS
        .iter()
        .map(|f| clap::builder::PossibleValue::new(f.name).help(f.help));
    fields
        .chain([clap::builder::PossibleValue::new("env")
            .help("KEY=value lines for eval: XX_* as xx prints them, and MAB_<FIELD>")])
        .collect::<Vec<_>>()
        .into()
}

/// `MAB_` and the field name in capitals: `rust-triple` → `MAB_RUST_TRIPLE`.
pub fn env_name(field: &str) -> String {
    format!("MAB_{}", field.to_ascii_uppercase().replace('-', "_"))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let info = target::resolve(args.platform.as_deref())?;
    if args.json {
        let object: serde_json::Map<String, serde_json::Value> = FIELDS
            .iter()
            .map(|f| {
                let value = match f.name {
                    "is-cross" => info.is_cross().into(),
                    _ => (f.get)(&info).map_or(serde_json::Value::Null, Into::into),
                };
                (f.name.to_string(), value)
            })
            .collect();
        print_lines([serde_json::to_string_pretty(&object)?])?;
        return Ok(ExitCode::SUCCESS);
    }
    match args.field.as_deref().unwrap_or("triple") {
        "is-cross" => {
            return Ok(if info.is_cross() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(FALSE)
            })
        }
        "env" => {
            let xx = XxView::new(&info);
            let xx_lines = xx
                .env()
                .into_iter()
                .map(|(k, v)| format!("{k}={}", quote(v)));
            let mab_lines = FIELDS.iter().map(|f| {
                format!(
                    "{}={}",
                    env_name(f.name),
                    quote(&(f.get)(&info).unwrap_or_default())
                )
            });
            print_lines(xx_lines.chain(mab_lines))?;
        }
        name => match info.get(name) {
            Some(value) => print_lines([value])?,
            None => bail!(
                "{name} does not apply to {} (see `mab info --json` for what does)",
                info.target
            ),
        },
    }
    Ok(ExitCode::SUCCESS)
}
