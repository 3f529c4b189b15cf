//! `mab apt-get` for Windows targets. Debian's MinGW-w64 packages are build-machine packages that build for
//! Windows, so nothing is added to dpkg: a package `p` becomes `p-<suffix>` where Debian has one (`gcc` →
//! `gcc-mingw-w64-x86-64`, `g++`, `binutils`), as xx-apt-get names them, and is skipped where it has none.
//! The C and C++ meta-packages stand for the MinGW-w64 headers and compilers.

use super::{CommandLine, Word};
use crate::core::table::MingwPackages;

/// apt's argv for a Windows target, and the packages left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MingwPlan {
    /// The command line with each package named for MinGW-w64 (options and the action unchanged).
    pub args: Vec<String>,
    /// Packages Debian has no MinGW-w64 build of.
    pub skipped: Vec<String>,
    /// Whether any package is left to install.
    pub any: bool,
}

/// What `xx-c-essentials` and `xx-cxx-essentials` (and mab's names) stand for on Windows.
fn meta(packages: &MingwPackages, name: &str) -> Option<Vec<&'static str>> {
    match name {
        "xx-c-essentials" | "mab-c-essentials" => Some(vec![packages.libc, packages.gcc]),
        "xx-cxx-essentials" | "mab-cxx-essentials" => Some(vec![packages.gxx]),
        _ => None,
    }
}

/// The package names [`mingw_args`] may ask apt about, for one `apt-cache policy`.
pub fn mingw_questions(line: &CommandLine, packages: Option<&MingwPackages>) -> Vec<String> {
    let Some(packages) = packages else {
        return Vec::new();
    };
    line.packages()
        .filter(|p| meta(packages, p).is_none())
        .map(|p| format!("{}-{}", bare(p), packages.apt_suffix))
        .collect()
}

/// A package name without its `=version` or `/release` (which stays on the MinGW-w64 name).
fn bare(package: &str) -> &str {
    package.split(['=', '/']).next().unwrap_or(package)
}

/// `known(name)` answers whether apt has the package. `packages` is `None` where Debian has no MinGW-w64
/// for the platform: then every package is skipped.
pub fn mingw_args(
    line: &CommandLine,
    packages: Option<&MingwPackages>,
    known: &mut dyn FnMut(&str) -> bool,
) -> MingwPlan {
    let mut plan = MingwPlan {
        args: Vec::new(),
        skipped: Vec::new(),
        any: false,
    };
    for word in &line.words {
        let p = match word {
            Word::Keep(k) => {
                plan.args.push(k.clone());
                continue;
            }
            Word::Package(p) => p,
        };
        let Some(packages) = packages else {
            plan.skipped.push(p.clone());
            continue;
        };
        if let Some(names) = meta(packages, p) {
            plan.args.extend(names.into_iter().map(String::from));
            plan.any = true;
            continue;
        }
        let name = bare(p);
        let mingw = format!("{name}-{}", packages.apt_suffix);
        if known(&mingw) {
            plan.args.push(format!("{mingw}{}", &p[name.len()..]));
            plan.any = true;
        } else {
            plan.skipped.push(p.clone());
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::packages::parse;
    use crate::core::table::Family;
    use crate::core::Platform;

    fn amd64() -> &'static MingwPackages {
        let p = Platform::parse("windows/amd64", Platform::host().unwrap()).unwrap();
        p.row.mingw.as_ref().unwrap().debian.as_ref().unwrap()
    }

    fn check(packages: Option<&MingwPackages>, args: &str, want: &str, skipped: &[&str]) {
        let words: Vec<String> = args.split_whitespace().map(String::from).collect();
        let line = parse(Family::Debian, &words).unwrap();
        let have = [
            "gcc-mingw-w64-x86-64",
            "g++-mingw-w64-x86-64",
            "binutils-mingw-w64-x86-64",
        ];
        let plan = mingw_args(&line, packages, &mut |n| have.contains(&n));
        assert_eq!(plan.args.join(" "), want, "{args}");
        assert_eq!(plan.skipped, skipped, "{args}");
        assert_eq!(plan.any, want.split(' ').count() > 2, "{args}");
    }

    #[test]
    fn packages_get_their_mingw_names() {
        check(
            Some(amd64()),
            "install -y gcc g++=12 binutils zlib1g-dev",
            "install -y gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64=12 binutils-mingw-w64-x86-64",
            &["zlib1g-dev"],
        );
        check(
            Some(amd64()),
            "install xx-c-essentials xx-cxx-essentials",
            "install mingw-w64-x86-64-dev gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64",
            &[],
        );
        check(None, "install -y gcc", "install -y", &["gcc"]);
        let line = parse(
            Family::Debian,
            &["install".into(), "gcc".into(), "xx-c-essentials".into()],
        )
        .unwrap();
        assert_eq!(
            mingw_questions(&line, Some(amd64())),
            ["gcc-mingw-w64-x86-64"]
        );
    }
}
