//! tonistiigi/xx's view of a target: the values and `env` lines `xx-info` prints. xx maps package
//! architectures by CPU alone, so a windows/arm64 target still has a Debian architecture there.

use super::info::Info;
use super::platform::Platform;
use super::resolve::Vars;
use super::table;

/// The values behind `xx-info`'s commands, for a target mab has tables for.
#[derive(Debug, Clone)]
pub struct XxView {
    pub os: String,
    pub arch: String,
    pub variant: String,
    pub march: String,
    pub vendor: String,
    pub libc: String,
    pub os_version: String,
    pub triple: String,
    pub debian_arch: String,
    pub alpine_arch: String,
    pub rhel_arch: String,
    pub pkg_arch: String,
    pub sysroot: String,
}

impl XxView {
    pub fn new(info: &Info) -> XxView {
        let t = info.target;
        // Package names come from the Linux row of the same CPU, as xx's arch-only mapping gives them.
        let linux = table::find("linux", t.arch(), t.variant).map_or(t.row, |(row, _)| row);
        let unknown = |v: Option<&str>| v.unwrap_or("unknown").to_string();
        let pkg_arch = match info.flavour.family {
            Some(table::Family::Debian) => linux.debian_arch,
            Some(table::Family::Alpine) => linux.alpine_arch,
            Some(table::Family::Rhel) => linux.rhel_arch,
            None => Some(t.arch()),
        };
        XxView {
            os: t.os().to_string(),
            arch: t.arch().to_string(),
            variant: t.variant.to_string(),
            march: t.row.march.to_string(),
            vendor: info.flavour.vendor.clone(),
            libc: info.flavour.libc.clone(),
            os_version: info.flavour.os_version.clone().unwrap_or_default(),
            triple: info.triple.clone(),
            debian_arch: unknown(linux.debian_arch),
            alpine_arch: unknown(linux.alpine_arch),
            rhel_arch: unknown(linux.rhel_arch),
            pkg_arch: unknown(pkg_arch),
            sysroot: info.sysroot.clone(),
        }
    }

    /// The lines of `xx-info env`, in xx's order (`XX_PKG_ARCH` only for Linux targets).
    pub fn env(&self) -> Vec<(&'static str, &str)> {
        let mut lines = vec![
            ("XX_OS", self.os.as_str()),
            ("XX_OS_VERSION", &self.os_version),
            ("XX_ARCH", &self.arch),
            ("XX_MARCH", &self.march),
            ("XX_VENDOR", &self.vendor),
        ];
        if self.os == "linux" {
            lines.push(("XX_PKG_ARCH", &self.pkg_arch));
        }
        lines.extend([
            ("XX_TRIPLE", self.triple.as_str()),
            ("XX_LIBC", &self.libc),
            ("TARGETOS", &self.os),
            ("TARGETARCH", &self.arch),
            ("TARGETVARIANT", &self.variant),
        ]);
        lines
    }

    /// The value of one of xx-info's printing commands, or `None` for names it does not have.
    pub fn get(&self, command: &str) -> Option<&str> {
        Some(match command {
            "arch" => &self.arch,
            "variant" => &self.variant,
            "os" => &self.os,
            "os-version" => &self.os_version,
            "march" => &self.march,
            "debian-arch" => &self.debian_arch,
            "alpine-arch" => &self.alpine_arch,
            "rhel-arch" => &self.rhel_arch,
            "pkg-arch" => &self.pkg_arch,
            "triple" | "" => &self.triple,
            "vendor" => &self.vendor,
            "libc" => &self.libc,
            "sysroot" => &self.sysroot,
            _ => return None,
        })
    }
}

/// `cut -d D -f N` as xx uses it: a string without the delimiter is its own every field.
fn cut(s: &str, delim: char, field: usize) -> &str {
    if !s.contains(delim) {
        return s;
    }
    s.split(delim).nth(field - 1).unwrap_or("")
}

/// The target as xx reads it: raw strings, only xx's own variant rules applied.
pub fn raw_target(vars: Vars, host: Platform) -> (String, String, String) {
    let (mut os, mut arch, mut variant) = (
        vars("TARGETOS"),
        vars("TARGETARCH"),
        vars("TARGETVARIANT").unwrap_or_default(),
    );
    if let Some(pair) = vars("TARGETPAIR") {
        let (o, a) = (cut(&pair, '-', 1), cut(&pair, '-', 2));
        let (a, v) = match a.strip_prefix("arm") {
            Some(v) if v.starts_with('v') => ("arm", v),
            _ => (a, ""),
        };
        if !o.is_empty() && !a.is_empty() {
            (os, arch) = (Some(o.to_string()), Some(a.to_string()));
            if !v.is_empty() {
                variant = v.to_string();
            }
        }
    }
    if let Some(p) = vars("TARGETPLATFORM") {
        let (o, a, v) = (cut(&p, '/', 1), cut(&p, '/', 2), cut(&p, '/', 3));
        if !o.is_empty() && !a.is_empty() {
            (os, arch) = (Some(o.to_string()), Some(a.to_string()));
            match a {
                "amd64" if ["v2", "v3", "v4"].contains(&v) => variant = v.to_string(),
                "arm" => {
                    variant = if ["v5", "v6", "v8"].contains(&v) {
                        v
                    } else {
                        "v7"
                    }
                    .to_string()
                }
                _ if a.starts_with("mips") => variant = v.to_string(),
                _ => {}
            }
        }
    }
    let arch = arch.unwrap_or_else(|| {
        if variant.is_empty() {
            variant = host.variant.to_string();
        }
        host.arch().to_string()
    });
    if arch == "arm" && variant.is_empty() {
        variant = "v7".to_string();
    }
    (os.unwrap_or_else(|| "linux".to_string()), arch, variant)
}
