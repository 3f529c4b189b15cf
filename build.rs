//! Turns the data in `toolchains/*.toml` into static Rust tables (`$OUT_DIR/tables.rs`, included by
//! `src/core/table.rs`). Doing it here means a typo in a table is a build error, and `mab info` parses no
//! TOML at run time. The row types themselves live in `src/core/table.rs`; this file only checks and prints.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Platforms {
    platform: Vec<Platform>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Platform {
    platform: String,
    #[serde(default)]
    variants: Vec<String>,
    march: String,
    debian_arch: Option<String>,
    alpine_arch: Option<String>,
    rhel_arch: Option<String>,
    qemu: Option<String>,
    ld_so_gnu: Option<String>,
    ld_so_musl: Option<String>,
    #[serde(default)]
    also_runs: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CTable {
    c: Vec<C>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct C {
    platform: String,
    arch: String,
    alpine_arch: Option<String>,
    #[serde(default)]
    abi: String,
    alpine_abi: Option<String>,
    arch_env: Option<String>,
    macos_min: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CcTable {
    cc: Vec<Cc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cc {
    platform: String,
    multiarch: String,
    linker: String,
    #[serde(default)]
    static_linker_bfd: bool,
    meson_cpu: String,
    endian: String,
    gcc: String,
    gxx: String,
    libc: String,
    binutils: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MingwTable {
    mingw: Vec<Mingw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mingw {
    platform: String,
    meson_cpu: String,
    cvtres: String,
    bfd_targets: Vec<String>,
    apt_suffix: Option<String>,
    gcc: Option<String>,
    gxx: Option<String>,
    libc: Option<String>,
    binutils: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GoTable {
    go: Vec<Go>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Go {
    platform: String,
    goos: String,
    goarch: String,
    knob: Option<String>,
    knob_default: Option<String>,
    #[serde(default)]
    knob_variant: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RustTable {
    rust: Vec<Rust>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Rust {
    platform: String,
    gnu: String,
    musl: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Distros {
    distro: Vec<Distro>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Distro {
    id: String,
    family: String,
    libc: String,
    vendor_in_triple: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Packages {
    meta: Vec<Meta>,
    mirror: Vec<Mirror>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mirror {
    distro: String,
    archive_arches: Vec<String>,
    archive_hosts: Vec<String>,
    ports_uri: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    names: Vec<String>,
    family: String,
    packages: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Aliases {
    os: Vec<OsAlias>,
    arch: Vec<ArchAlias>,
    variant: Vec<VariantAlias>,
    triple_arch: Vec<TripleArch>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TripleArch {
    alias: String,
    arch: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DebianTable {
    release: Vec<Debian>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Debian {
    codename: String,
    version: String,
    gcc: String,
    libc_dev: String,
    libgcc_dev: String,
    libstdcxx_dev: String,
    slim_image: String,
    rust_image: String,
    go_image: String,
    static_base: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OsAlias {
    alias: String,
    os: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchAlias {
    alias: String,
    arch: String,
    variant: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VariantAlias {
    arch: String,
    from: String,
    to: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Binaries {
    os: Vec<BinaryOs>,
    binary: Vec<Binary>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BinaryOs {
    os: String,
    format: String,
    #[serde(default)]
    elf_os_abi: Vec<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Binary {
    platform: String,
    machine: u32,
    machine_name: String,
    bits: u8,
    endian: String,
    abi: Option<String>,
    float: Option<String>,
    arm_arch: Option<u8>,
}

fn load<T: for<'de> Deserialize<'de>>(name: &str) -> T {
    let path = Path::new("toolchains").join(name);
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every value ends up in shell lines users `eval`, so the tables may only hold inert characters.
fn check_inert(table: &str, value: &str) {
    let ok = value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._/+-".contains(&b));
    assert!(
        ok,
        "{table}: value {value:?} has characters other than [A-Za-z0-9._/+-]"
    );
}

/// Indexes rows by platform key, failing on duplicates and on keys that `platforms.toml` lacks.
fn by_platform<'a, T>(
    table: &str,
    rows: &'a [T],
    key: impl Fn(&T) -> &str,
    known: &BTreeSet<&str>,
) -> BTreeMap<String, &'a T> {
    let mut map = BTreeMap::new();
    for row in rows {
        let k = key(row);
        assert!(
            known.contains(k),
            "{table}: platform {k:?} is not in platforms.toml"
        );
        assert!(
            map.insert(k.to_string(), row).is_none(),
            "{table}: platform {k:?} listed twice"
        );
    }
    map
}

/// `toolchains/binaries.toml` → `BINARIES`: one row per platform, its OS's object format joined in.
fn write_binaries(out: &mut String, platforms: &Platforms, known: &BTreeSet<&str>) {
    let binaries: Binaries = load("binaries.toml");
    let rows = by_platform("binaries.toml", &binaries.binary, |r| &r.platform, known);
    out.push_str("\npub static BINARIES: &[BinaryRow] = &[\n");
    for p in &platforms.platform {
        let key = p.platform.as_str();
        let b = rows
            .get(key)
            .unwrap_or_else(|| panic!("binaries.toml: no row for {key}"));
        let os_name = key.split('/').next().unwrap();
        let os = binaries
            .os
            .iter()
            .find(|o| o.os == os_name)
            .unwrap_or_else(|| panic!("binaries.toml: no [[os]] row for {os_name}"));
        let format = match os.format.as_str() {
            "elf" => "ObjectFormat::Elf",
            "pe" => "ObjectFormat::Pe",
            "macho" => "ObjectFormat::MachO",
            other => panic!("binaries.toml: format {other:?} is not elf, pe or macho"),
        };
        assert!(
            [32, 64].contains(&b.bits),
            "binaries.toml: {key}: bits must be 32 or 64"
        );
        let big_endian = match b.endian.as_str() {
            "little" => false,
            "big" => true,
            other => panic!("binaries.toml: {key}: endian {other:?} is not little or big"),
        };
        if let Some(f) = &b.float {
            assert!(
                ["hard", "soft"].contains(&f.as_str()),
                "binaries.toml: {key}: float {f:?} is not hard or soft"
            );
        }
        for text in [Some(&b.machine_name), b.abi.as_ref()]
            .into_iter()
            .flatten()
        {
            assert!(
                text.bytes().all(|c| c.is_ascii_graphic() || c == b' '),
                "binaries.toml: {key}: {text:?} is not printable ASCII"
            );
        }
        writeln!(
            out,
            "    BinaryRow {{ platform: {key:?}, format: {format}, elf_os_abi: &{:?}, machine: {:#x}, \
             machine_name: {:?}, bits: {}, big_endian: {big_endian}, abi: {:?}, float: {:?}, arm_arch: {:?} }},",
            os.elf_os_abi, b.machine, b.machine_name, b.bits, b.abi, b.float, b.arm_arch
        )
        .unwrap();
    }
    out.push_str("];\n");
}

fn family_variant(table: &str, family: &str) -> &'static str {
    match family {
        "debian" => "Family::Debian",
        "alpine" => "Family::Alpine",
        "rhel" => "Family::Rhel",
        other => panic!("{table}: family {other:?} is not debian, alpine or rhel"),
    }
}

/// `toolchains/distros.toml` → `DISTROS`.
fn write_distros(out: &mut String, distros: &Distros) {
    out.push_str("\npub static DISTROS: &[DistroRow] = &[\n");
    for d in &distros.distro {
        check_inert("distros.toml", &d.id);
        let family = family_variant("distros.toml", &d.family);
        assert!(
            ["gnu", "musl"].contains(&d.libc.as_str()),
            "distros.toml: libc {:?}",
            d.libc
        );
        writeln!(
            out,
            "    DistroRow {{ id: {:?}, family: {family}, libc: {:?}, vendor_in_triple: {:?} }},",
            d.id, d.libc, d.vendor_in_triple
        )
        .unwrap();
    }
    out.push_str("];\n");
}

/// `toolchains/aliases.toml` → `OS_ALIASES`, `ARCH_ALIASES`, `VARIANT_ALIASES`, `TRIPLE_ARCH_ALIASES`.
fn write_aliases(out: &mut String, aliases: &Aliases) {
    out.push_str("\npub static OS_ALIASES: &[(&str, &str)] = &[\n");
    for a in &aliases.os {
        writeln!(out, "    ({:?}, {:?}),", a.alias, a.os).unwrap();
    }
    out.push_str("];\n\npub static ARCH_ALIASES: &[ArchAlias] = &[\n");
    for a in &aliases.arch {
        writeln!(
            out,
            "    ArchAlias {{ alias: {:?}, arch: {:?}, variant: {:?} }},",
            a.alias, a.arch, a.variant
        )
        .unwrap();
    }
    out.push_str("];\n\npub static VARIANT_ALIASES: &[VariantAlias] = &[\n");
    for a in &aliases.variant {
        writeln!(
            out,
            "    VariantAlias {{ arch: {:?}, from: {:?}, to: {:?} }},",
            a.arch, a.from, a.to
        )
        .unwrap();
    }
    out.push_str("];\n\npub static TRIPLE_ARCH_ALIASES: &[(&str, &str)] = &[\n");
    let mut seen = BTreeSet::new();
    for a in &aliases.triple_arch {
        check_inert("aliases.toml", &a.alias);
        check_inert("aliases.toml", &a.arch);
        assert!(
            seen.insert(&a.alias),
            "aliases.toml: triple_arch {:?} listed twice",
            a.alias
        );
        writeln!(out, "    ({:?}, {:?}),", a.alias, a.arch).unwrap();
    }
    out.push_str("];\n");
}

/// `toolchains/packages.toml` → `META_PACKAGES` and `MIRRORS`.
fn write_packages(out: &mut String, packages: &Packages) {
    out.push_str("\npub static META_PACKAGES: &[MetaRow] = &[\n");
    let mut seen = BTreeSet::new();
    for m in &packages.meta {
        let family = family_variant("packages.toml", &m.family);
        for name in &m.names {
            check_inert("packages.toml", name);
            assert!(
                seen.insert((name.clone(), family)),
                "packages.toml: {name:?} listed twice for {}",
                m.family
            );
        }
        for alternatives in &m.packages {
            for p in alternatives.split('|') {
                check_inert("packages.toml", p);
            }
        }
        writeln!(
            out,
            "    MetaRow {{ names: &{:?}, family: {family}, packages: &{:?} }},",
            m.names, m.packages
        )
        .unwrap();
    }
    out.push_str("];\n\npub static MIRRORS: &[MirrorRow] = &[\n");
    for m in &packages.mirror {
        for v in [&m.distro, &m.ports_uri.replace(':', "")]
            .into_iter()
            .chain(&m.archive_arches)
            .chain(&m.archive_hosts)
        {
            check_inert("packages.toml", v);
        }
        writeln!(
            out,
            "    MirrorRow {{ distro: {:?}, archive_arches: &{:?}, archive_hosts: &{:?}, ports_uri: {:?} }},",
            m.distro, m.archive_arches, m.archive_hosts, m.ports_uri
        )
        .unwrap();
    }
    out.push_str("];\n");
}

/// `toolchains/debian.toml` → `DEBIAN`, one row per release. Every cell must name its row's release, so
/// a new row cannot keep one image or package of the row it was copied from.
fn write_debian(out: &mut String) {
    let DebianTable { release } = load("debian.toml");
    assert!(!release.is_empty(), "debian.toml: no [[release]] row");
    out.push_str("\npub static DEBIAN: &[DebianRow] = &[\n");
    let mut seen = BTreeSet::new();
    for d in &release {
        for v in [
            &d.codename,
            &d.version,
            &d.gcc,
            &d.libc_dev,
            &d.libgcc_dev,
            &d.libstdcxx_dev,
        ] {
            check_inert("debian.toml", v);
        }
        assert!(
            !d.codename.is_empty() && d.codename.bytes().all(|b| b.is_ascii_lowercase()),
            "debian.toml: codename {:?} is not a Debian codename",
            d.codename
        );
        assert!(
            seen.insert(d.codename.clone()) && seen.insert(d.version.clone()),
            "debian.toml: {} ({}) listed twice",
            d.codename,
            d.version
        );
        let gcc = format!("-{}-", d.gcc);
        for p in [&d.libgcc_dev, &d.libstdcxx_dev] {
            assert!(
                p.contains(&gcc),
                "debian.toml: {}: {p:?} does not name gcc {}",
                d.codename,
                d.gcc
            );
        }
        let distroless = format!("-debian{}:", d.version);
        for image in [&d.slim_image, &d.rust_image, &d.go_image, &d.static_base] {
            check_inert("debian.toml", &image.replace([':', '{', '}'], ""));
            assert!(
                image.contains(&d.codename) || image.contains(&distroless),
                "debian.toml: {image:?} names neither {} nor debian{}",
                d.codename,
                d.version
            );
        }
        assert!(
            d.go_image.contains("{go}"),
            "debian.toml: {}: go_image needs {{go}}",
            d.codename
        );
        writeln!(
            out,
            "    DebianRow {{ codename: {:?}, version: {:?}, gcc: {:?}, libc_dev: {:?}, \
             libgcc_dev: {:?}, libstdcxx_dev: {:?}, slim_image: {:?}, rust_image: {:?}, go_image: {:?}, \
             static_base: {:?} }},",
            d.codename, d.version, d.gcc, d.libc_dev, d.libgcc_dev, d.libstdcxx_dev, d.slim_image,
            d.rust_image, d.go_image, d.static_base
        )
        .unwrap();
    }
    out.push_str("];\n");
}

/// go.toml's row for `key`, as Rust.
fn go_row(key: &str, g: &Go) -> String {
    for v in [
        Some(&g.goos),
        Some(&g.goarch),
        g.knob.as_ref(),
        g.knob_default.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        check_inert("go.toml", v);
    }
    assert_eq!(
        g.knob.is_some(),
        g.knob_default.is_some(),
        "go.toml: {key}: knob needs knob_default"
    );
    format!(
            "Some(GoRow {{ goos: {:?}, goarch: {:?}, knob: {:?}, knob_default: {:?}, knob_variant: {:?} }})",
            g.goos, g.goarch, g.knob, g.knob_default, g.knob_variant
        )
}

/// cc.toml's row for `key`, as Rust.
fn cc_row(key: &str, r: &Cc) -> String {
    let linker = match r.linker.as_str() {
        "lld" => "Linker::Lld",
        "bfd" => "Linker::Bfd",
        other => panic!("cc.toml: {key}: linker {other:?} is not lld or bfd"),
    };
    assert!(
        ["little", "big"].contains(&r.endian.as_str()),
        "cc.toml: {key}: endian {:?}",
        r.endian
    );
    for v in [
        &r.multiarch,
        &r.meson_cpu,
        &r.gcc,
        &r.gxx,
        &r.libc,
        &r.binutils,
    ] {
        check_inert("cc.toml", v);
    }
    format!(
            "Some(CcRow {{ multiarch: {:?}, linker: {linker}, static_linker_bfd: {:?}, meson_cpu: {:?}, endian: {:?}, gcc: {:?}, gxx: {:?}, libc: {:?}, binutils: {:?} }})",
            r.multiarch, r.static_linker_bfd, r.meson_cpu, r.endian, r.gcc, r.gxx, r.libc, r.binutils
        )
}

/// mingw.toml's row for `key`, as Rust.
fn mingw_row(key: &str, m: &Mingw) -> String {
    assert!(
        key.starts_with("windows/"),
        "mingw.toml: {key} is not a Windows platform"
    );
    let packages = [&m.apt_suffix, &m.gcc, &m.gxx, &m.libc, &m.binutils];
    assert!(
        packages.iter().all(|p| p.is_some()) || packages.iter().all(|p| p.is_none()),
        "mingw.toml: {key}: apt_suffix, gcc, gxx, libc and binutils go together"
    );
    for v in [&m.meson_cpu, &m.cvtres]
        .into_iter()
        .chain(&m.bfd_targets)
        .chain(packages.into_iter().flatten())
    {
        check_inert("mingw.toml", v);
    }
    format!(
            "Some(MingwRow {{ meson_cpu: {:?}, cvtres: {:?}, bfd_targets: &{:?}, debian: {} }})",
            m.meson_cpu,
            m.cvtres,
            m.bfd_targets,
            match (&m.apt_suffix, &m.gcc, &m.gxx, &m.libc, &m.binutils) {
                (Some(suffix), Some(gcc), Some(gxx), Some(libc), Some(binutils)) => format!(
                    "Some(MingwPackages {{ apt_suffix: {suffix:?}, gcc: {gcc:?}, gxx: {gxx:?}, libc: {libc:?}, binutils: {binutils:?} }})"
                ),
                _ => "None".to_string(),
            }
        )
}

/// rust.toml's row, as Rust.
fn rust_row(r: &Rust) -> String {
    check_inert("rust.toml", &r.gnu);
    r.musl.iter().for_each(|m| check_inert("rust.toml", m));
    format!("Some(RustRow {{ gnu: {:?}, musl: {:?} }})", r.gnu, r.musl)
}

/// The platform keys of platforms.toml, each once, with every also_runs naming one of them.
fn known_platforms(platforms: &Platforms) -> BTreeSet<&str> {
    let known: BTreeSet<&str> = platforms
        .platform
        .iter()
        .map(|p| p.platform.as_str())
        .collect();
    assert_eq!(
        known.len(),
        platforms.platform.len(),
        "platforms.toml: a platform is listed twice"
    );
    for p in &platforms.platform {
        for other in &p.also_runs {
            assert!(
                known.contains(other.as_str()),
                "platforms.toml: {}'s also_runs names {other:?}, which is no platform",
                p.platform
            );
        }
    }
    known
}

/// platforms.toml → `PLATFORMS`, each row joined with its rows of c.toml, cc.toml, mingw.toml, go.toml
/// and rust.toml.
fn write_platforms(out: &mut String, platforms: &Platforms, known: &BTreeSet<&str>) {
    let c: CTable = load("c.toml");
    let cc: CcTable = load("cc.toml");
    let go: GoTable = load("go.toml");
    let mingw: MingwTable = load("mingw.toml");
    let rust: RustTable = load("rust.toml");
    let c = by_platform("c.toml", &c.c, |r| &r.platform, known);
    let cc = by_platform("cc.toml", &cc.cc, |r| &r.platform, known);
    let go = by_platform("go.toml", &go.go, |r| &r.platform, known);
    let mingw = by_platform("mingw.toml", &mingw.mingw, |r| &r.platform, known);
    let rust = by_platform("rust.toml", &rust.rust, |r| &r.platform, known);

    out.push_str("pub static PLATFORMS: &[PlatformRow] = &[\n");
    for p in &platforms.platform {
        let key = p.platform.as_str();
        let parts: Vec<&str> = key.split('/').collect();
        assert!(
            (2..=3).contains(&parts.len()),
            "platforms.toml: {key:?} is not os/arch[/variant]"
        );
        for v in [
            Some(&p.march),
            p.debian_arch.as_ref(),
            p.alpine_arch.as_ref(),
            p.rhel_arch.as_ref(),
        ]
        .into_iter()
        .chain([p.qemu.as_ref(), p.ld_so_gnu.as_ref(), p.ld_so_musl.as_ref()])
        .flatten()
        .chain([&p.platform])
        .chain(&p.variants)
        .chain(&p.also_runs)
        {
            check_inert("platforms.toml", v);
        }
        let c = c
            .get(key)
            .unwrap_or_else(|| panic!("c.toml: no row for {key}"));
        for v in [
            Some(&c.arch),
            c.alpine_arch.as_ref(),
            Some(&c.abi),
            c.alpine_abi.as_ref(),
        ]
        .into_iter()
        .chain([c.arch_env.as_ref(), c.macos_min.as_ref()])
        .flatten()
        .filter(|v| !v.is_empty())
        {
            check_inert("c.toml", v);
        }
        let go = go.get(key).map(|g| go_row(key, g));
        let cc = cc.get(key).map(|r| cc_row(key, r));
        let mingw = mingw.get(key).map(|m| mingw_row(key, m));
        let rust = rust.get(key).map(|r| rust_row(r));
        writeln!(
            out,
            "    PlatformRow {{ os: {:?}, arch: {:?}, variant: {:?}, variants: &{:?}, march: {:?}, \
             debian_arch: {:?}, alpine_arch: {:?}, rhel_arch: {:?}, qemu: {:?}, ld_so_gnu: {:?}, ld_so_musl: {:?}, \
             also_runs: &{:?}, c: CRow {{ arch: {:?}, alpine_arch: {:?}, abi: {:?}, alpine_abi: {:?}, arch_env: {:?}, macos_min: {:?} }}, \
             cc: {}, mingw: {}, go: {}, rust: {} }},",
            parts[0],
            parts[1],
            parts.get(2).copied().unwrap_or(""),
            p.variants,
            p.march,
            p.debian_arch,
            p.alpine_arch,
            p.rhel_arch,
            p.qemu,
            p.ld_so_gnu,
            p.ld_so_musl,
            p.also_runs,
            c.arch,
            c.alpine_arch,
            c.abi,
            c.alpine_abi,
            c.arch_env,
            c.macos_min,
            cc.unwrap_or_else(|| "None".into()),
            mingw.unwrap_or_else(|| "None".into()),
            go.unwrap_or_else(|| "None".into()),
            rust.unwrap_or_else(|| "None".into()),
        )
        .unwrap();
    }
    out.push_str("];\n");
}

/// Gzips each `toolchains/contents/<release>.tsv` (written by scripts/contents-index.py) into
/// `$OUT_DIR/contents/` and writes `$OUT_DIR/contents.rs`, the `(release, gzipped index)` list that
/// `src/core/project/contents.rs` includes. Inflating and parsing wait for the first lookup.
fn write_contents() {
    use std::io::Write as _;
    let src = Path::new("toolchains/contents");
    println!("cargo:rerun-if-changed={}", src.display());
    let out_dir = Path::new(&std::env::var("OUT_DIR").unwrap()).join("contents");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut releases: Vec<String> = std::fs::read_dir(src)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", src.display()))
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter_map(|name| name.strip_suffix(".tsv").map(str::to_owned))
        .collect();
    releases.sort();
    let mut rs =
        String::from("// @generated by build.rs from toolchains/contents/*.tsv. Do not edit.\n\n");
    rs.push_str("const INDEXES: &[(&str, &[u8])] = &[\n");
    for release in &releases {
        assert!(
            !release.is_empty() && release.bytes().all(|b| b.is_ascii_lowercase()),
            "toolchains/contents/{release}.tsv: a release is a Debian codename"
        );
        let path = src.join(format!("{release}.tsv"));
        println!("cargo:rerun-if-changed={}", path.display());
        let text =
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&text).unwrap();
        let dest = out_dir.join(format!("{release}.tsv.gz"));
        std::fs::write(&dest, gz.finish().unwrap()).unwrap();
        writeln!(
            rs,
            "    ({release:?}, include_bytes!({:?})),",
            dest.display().to_string()
        )
        .unwrap();
    }
    writeln!(rs, "];\n\nconst RELEASES: &[&str] = &{releases:?};").unwrap();
    std::fs::write(
        Path::new(&std::env::var("OUT_DIR").unwrap()).join("contents.rs"),
        rs,
    )
    .unwrap();
}

fn main() {
    let platforms: Platforms = load("platforms.toml");
    let known = known_platforms(&platforms);
    let mut out =
        String::from("// @generated by build.rs from toolchains/*.toml. Do not edit.\n\n");
    write_platforms(&mut out, &platforms, &known);
    write_distros(&mut out, &load("distros.toml"));
    write_aliases(&mut out, &load("aliases.toml"));
    write_binaries(&mut out, &platforms, &known);
    write_packages(&mut out, &load("packages.toml"));
    write_debian(&mut out);
    write_contents();

    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("tables.rs");
    std::fs::write(dest, out).unwrap();
    println!("cargo:rerun-if-changed=build.rs");
}
