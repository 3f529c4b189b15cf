//! The few fields mab reads from `/etc/os-release` (freedesktop.org's format).

/// `ID`, `VERSION_ID` and `VERSION_CODENAME`, unquoted. Lines that are not `KEY=value` are ignored, as the format says.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OsRelease {
    pub id: Option<String>,
    pub version_id: Option<String>,
    /// Debian's and Ubuntu's release name (`trixie`): which row of `toolchains/debian.toml` applies.
    pub version_codename: Option<String>,
}

impl OsRelease {
    pub fn parse(text: &str) -> OsRelease {
        let mut release = OsRelease::default();
        for line in text.lines() {
            let Some((key, value)) = line.trim().split_once('=') else {
                continue;
            };
            let value = unquote(value.trim());
            match key {
                "ID" => release.id = Some(value).filter(|v| !v.is_empty()),
                "VERSION_ID" => release.version_id = Some(value).filter(|v| !v.is_empty()),
                "VERSION_CODENAME" => {
                    release.version_codename = Some(value).filter(|v| !v.is_empty())
                }
                _ => {}
            }
        }
        release
    }
}

fn unquote(value: &str) -> String {
    for q in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner.replace("\\\"", "\"").replace("\\\\", "\\");
        }
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_id_and_version() {
        let debian =
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nID=debian\n\
                      VERSION_CODENAME=bookworm\n";
        assert_eq!(
            OsRelease::parse(debian),
            OsRelease {
                id: Some("debian".into()),
                version_id: Some("12".into()),
                version_codename: Some("bookworm".into()),
            }
        );
        let alpine = "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n";
        assert_eq!(
            OsRelease::parse(alpine).version_id.as_deref(),
            Some("3.20.3")
        );
        assert_eq!(
            OsRelease::parse("ID='rhel'\n# comment\ngarbage\n")
                .id
                .as_deref(),
            Some("rhel")
        );
        assert_eq!(OsRelease::parse("").id, None);
        assert_eq!(OsRelease::parse("ID=\"\"").id, None);
    }
}
