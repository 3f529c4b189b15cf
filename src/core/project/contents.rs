//! Which Debian package ships a name a build file uses: a pkg-config module, a `-l` link name, a header, a
//! program or a CMake config package. The data is Debian's own Contents files (main, amd64 and all),
//! reduced by `scripts/contents-index.py` to `toolchains/contents/<release>.tsv`, one line per package:
//! `package<TAB>kind:name kind:name …` with kinds `p` pkg-config, `l` link, `h` header, `b` program,
//! `c` CMake. build.rs gzips each file and this module embeds them; a release's index is inflated and
//! parsed on its first lookup, never at startup (only `mab gen` looks names up). No I/O: the bytes are in
//! the binary.

use flate2::read::GzDecoder;
use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/contents.rs"));

/// The kind of name a build file uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A pkg-config module (`zlib`, `glib-2.0 >= 2.50`: a version constraint is ignored).
    PkgConfig,
    /// After `-l` (`z` for libz.so).
    Link,
    /// A header as `#include`d: `zlib.h`, `readline/readline.h`.
    Header,
    /// An executable on PATH.
    Program,
    /// A `find_package(… CONFIG)` name; case-insensitive.
    Cmake,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::PkgConfig,
        Kind::Link,
        Kind::Header,
        Kind::Program,
        Kind::Cmake,
    ];

    fn letter(self) -> u8 {
        match self {
            Kind::PkgConfig => b'p',
            Kind::Link => b'l',
            Kind::Header => b'h',
            Kind::Program => b'b',
            Kind::Cmake => b'c',
        }
    }
}

/// One release's names, by kind (indexed like [`Kind::ALL`]); CMake names lowercased.
struct Index {
    names: [HashMap<&'static str, &'static str>; 5],
    cmake: HashMap<String, &'static str>,
}

/// The Debian releases (codenames) that have an index.
pub fn releases() -> &'static [&'static str] {
    RELEASES
}

/// The Debian package of `release` (codename: "bookworm", "trixie") that ships `name` of `kind`; None if
/// none does or the release has no index.
pub fn package(release: &str, kind: Kind, name: &str) -> Option<&'static str> {
    let index = index(release)?;
    let name = name.trim();
    match kind {
        Kind::Cmake => index.cmake.get(&name.to_ascii_lowercase()).copied(),
        Kind::PkgConfig => {
            let module = name
                .split(|c: char| c.is_whitespace() || "<>=!".contains(c))
                .next()?;
            index.names[0].get(module).copied()
        }
        _ => index.names[kind as usize].get(name).copied(),
    }
}

fn index(release: &str) -> Option<&'static Index> {
    static CELLS: [OnceLock<Index>; RELEASES.len()] = [const { OnceLock::new() }; RELEASES.len()];
    let i = INDEXES.iter().position(|(r, _)| *r == release)?;
    Some(CELLS[i].get_or_init(|| parse(INDEXES[i].1)))
}

fn parse(gz: &'static [u8]) -> Index {
    let mut text = String::new();
    GzDecoder::new(gz)
        .read_to_string(&mut text)
        .expect("build.rs gzipped a UTF-8 file");
    // Once per release and process: the index lives as long as the program.
    let text: &'static str = Box::leak(text.into_boxed_str());
    let mut index = Index {
        names: Default::default(),
        cmake: HashMap::new(),
    };
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((package, names)) = line.split_once('\t') else {
            continue;
        };
        for token in names.split(' ') {
            let Some((letter, name)) = token.split_once(':') else {
                continue;
            };
            let Some(kind) = Kind::ALL
                .into_iter()
                .find(|k| letter.as_bytes() == [k.letter()])
            else {
                continue;
            };
            if kind == Kind::Cmake {
                index.cmake.insert(name.to_ascii_lowercase(), package);
            } else {
                index.names[kind as usize].insert(name, package);
            }
        }
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;
    use Kind::*;

    const BOTH: &[&str] = &["bookworm", "trixie"];

    fn check(releases: &[&str], kind: Kind, name: &str, want: Option<&str>) {
        for release in releases {
            assert_eq!(
                package(release, kind, name),
                want,
                "{release} {kind:?} {name:?}"
            );
        }
    }

    #[test]
    fn releases_are_indexed() {
        assert_eq!(releases(), BOTH);
    }

    #[test]
    fn names_map_to_what_debian_ships() {
        #[rustfmt::skip]
        let cases: &[(&[&str], Kind, &str, Option<&str>)] = &[
            (BOTH, PkgConfig, "zlib", Some("zlib1g-dev")),
            (BOTH, PkgConfig, "ncursesw", Some("libncurses-dev")),
            (&["bookworm"], PkgConfig, "libpcre", Some("libpcre3-dev")),
            // PCRE 1 left Debian in trixie; only libpcre2-*.pc remain.
            (&["trixie"], PkgConfig, "libpcre", None),
            (BOTH, PkgConfig, "libpcre2-8", Some("libpcre2-dev")),
            (BOTH, PkgConfig, "readline", Some("libreadline-dev")),
            (BOTH, PkgConfig, "libevent", Some("libevent-dev")),
            (BOTH, PkgConfig, "libseccomp", Some("libseccomp-dev")),
            // Version constraints as build files write them.
            (BOTH, PkgConfig, "zlib>=1.2", Some("zlib1g-dev")),
            (BOTH, PkgConfig, "libseccomp >= 2.5", Some("libseccomp-dev")),
            // t64 renamed trixie's runtime packages (libssl3t64); the -dev names stayed.
            (BOTH, PkgConfig, "openssl", Some("libssl-dev")),
            (BOTH, Link, "ssl", Some("libssl-dev")),
            (BOTH, Link, "z", Some("zlib1g-dev")),
            (BOTH, Link, "readline", Some("libreadline-dev")),
            (BOTH, Link, "pcap", Some("libpcap0.8-dev")),
            // libc6-dev ships libm.so; -l names are never a header's or a program's.
            (BOTH, Link, "m", Some("libc6-dev")),
            (BOTH, Header, "readline/readline.h", Some("libreadline-dev")),
            (BOTH, Header, "zlib.h", Some("zlib1g-dev")),
            // In usr/include/x86_64-linux-gnu: the multiarch directory is not part of the name.
            (BOTH, Header, "zconf.h", Some("zlib1g-dev")),
            (BOTH, Header, "pcap.h", Some("libpcap0.8-dev")),
            (BOTH, Header, "stdio.h", Some("libc6-dev")),
            (BOTH, Header, "linux/types.h", Some("linux-libc-dev")),
            (BOTH, Program, "bison", Some("bison")),
            (BOTH, Program, "flex", Some("flex")),
            // Split out of vim-common before bookworm.
            (BOTH, Program, "xxd", Some("xxd")),
            (BOTH, Program, "gperf", Some("gperf")),
            (BOTH, Program, "autopoint", Some("autopoint")),
            (BOTH, Program, "msgfmt", Some("gettext")),
            (BOTH, Program, "nasm", Some("nasm")),
            // bin/sh in bookworm, usr/bin/sh in trixie (merged /usr): both are `sh`.
            (BOTH, Program, "sh", Some("dash")),
            (BOTH, Program, "ls", Some("coreutils")),
            (BOTH, Cmake, "fmt", Some("libfmt-dev")),
            (BOTH, Cmake, "yaml-cpp", Some("libyaml-cpp-dev")),
            // HiredisConfig.cmake: the lookup ignores case.
            (BOTH, Cmake, "hiredis", Some("libhiredis-dev")),
            (BOTH, Cmake, "Hiredis", Some("libhiredis-dev")),
            // FindZLIB.cmake is CMake's own module, not a config package.
            (BOTH, Cmake, "ZLIB", None),
            (BOTH, PkgConfig, "no-such-module-mab", None),
            (BOTH, Link, "no-such-lib-mab", None),
            (BOTH, Program, "no-such-program-mab", None),
            (BOTH, Cmake, "NoSuchPackageMab", None),
            // Kinds stay apart: zlib.h is a header, not a program.
            (BOTH, Program, "zlib.h", None),
            (&["sid", "jessie", ""], PkgConfig, "zlib", None),
        ];
        for &(releases, kind, name, want) in cases {
            check(releases, kind, name, want);
        }
    }
}
