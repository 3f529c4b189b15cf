//! What `mab verify` compares: the header facts of a file ([`Headers`], decoded by [`super::header`]) against
//! what a platform's executables carry ([`BinaryRow`], from `toolchains/binaries.toml`), and the words
//! that tell a person the difference. Pure: no files, no environment.

use super::platform::Platform;
use super::table::{BinaryRow, ObjectFormat, BINARIES};
use serde::Serialize;

/// What kind of object a file is. Only executables and libraries pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Executable,
    PieExecutable,
    Library,
    /// Anything else: a relocatable object, a core dump, ... (the words say which).
    Other(&'static str),
}

impl Kind {
    pub fn is_binary(self) -> bool {
        !matches!(self, Kind::Other(_))
    }

    fn words(self) -> &'static str {
        match self {
            Kind::Executable => "executable",
            Kind::PieExecutable => "pie executable",
            Kind::Library => "shared library",
            Kind::Other(what) => what,
        }
    }
}

/// One image's header facts. A universal Mach-O file has one per architecture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Image {
    #[serde(serialize_with = "format_name")]
    pub format: ObjectFormat,
    pub kind: Kind,
    pub bits: u8,
    pub big_endian: bool,
    /// ELF e_machine, PE machine or Mach-O CPU type.
    pub machine: u32,
    /// ELF EI_OSABI.
    pub os_abi: Option<u8>,
    /// The ABI e_flags record, spelt as in `binaries.toml` ("EABI5", "n64", "lp64d", ...).
    pub abi: Option<&'static str>,
    /// ARM float ABI: "hard" or "soft", when the file records it.
    pub float: Option<&'static str>,
    /// ARM Tag_CPU_arch, when the file has build attributes.
    pub arm_cpu_arch: Option<u64>,
    /// ELF: the dynamic loader asked for (PT_INTERP).
    pub interpreter: Option<String>,
    /// ELF: how many shared libraries it needs (DT_NEEDED).
    pub needed: usize,
    /// ELF: has a dynamic section without an interpreter or needed libraries (static-pie).
    pub static_pie: bool,
}

impl Image {
    /// Statically linked: no loader and no shared libraries. Only ELF has the notion (as in xx-verify), and
    /// a shared library never is: it is itself loaded dynamically.
    pub fn is_static(&self) -> Option<bool> {
        (self.format == ObjectFormat::Elf)
            .then_some(self.kind != Kind::Library && self.interpreter.is_none() && self.needed == 0)
    }
}

/// Everything the headers of one file say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Headers {
    pub images: Vec<Image>,
    /// A Mach-O universal ("fat") file, which runs where any of its images runs.
    pub universal: bool,
}

/// One way a file differs from what the platform needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mismatch {
    Format,
    OsAbi,
    Kind,
    Machine,
    Bits,
    Endian,
    Abi,
    Float,
    ArmArch,
    NotStatic,
}

/// Tag_CPU_arch values ("Addenda to, and Errata in, the ABI for the Arm Architecture", build attributes):
/// each value's name and the architecture version a CPU needs to run it.
const ARM_CPU_ARCH: &[(&str, u8)] = &[
    ("ARM pre-v4", 3),
    ("ARMv4", 4),
    ("ARMv4T", 4),
    ("ARMv5T", 5),
    ("ARMv5TE", 5),
    ("ARMv5TEJ", 5),
    ("ARMv6", 6),
    ("ARMv6KZ", 6),
    ("ARMv6T2", 6),
    ("ARMv6K", 6),
    ("ARMv7", 7),
    ("ARMv6-M", 6),
    ("ARMv6S-M", 6),
    ("ARMv7E-M", 7),
    ("ARMv8-A", 8),
    ("ARMv8-R", 8),
    ("ARMv8-M.baseline", 8),
    ("ARMv8-M.mainline", 8),
    ("ARMv8.1-A", 8),
    ("ARMv8.2-A", 8),
    ("ARMv8.3-A", 8),
    ("ARMv8.1-M.mainline", 8),
    ("ARMv9-A", 9),
];

/// The architecture version a Tag_CPU_arch value needs; a value newer than this table needs a newer CPU
/// than any platform row names.
fn arm_version(tag: u64) -> u8 {
    usize::try_from(tag)
        .ok()
        .and_then(|i| ARM_CPU_ARCH.get(i))
        .map_or(u8::MAX, |(_, v)| *v)
}

/// How `image` differs from `row` (empty: it runs there). `want_static` adds the static-linking check,
/// which applies to ELF only.
pub fn mismatches(row: &BinaryRow, image: &Image, want_static: bool) -> Vec<Mismatch> {
    if image.format != row.format {
        return vec![Mismatch::Format];
    }
    let mut out = Vec::new();
    if image
        .os_abi
        .is_some_and(|abi| !row.elf_os_abi.contains(&abi))
    {
        out.push(Mismatch::OsAbi);
    }
    if !image.kind.is_binary() {
        out.push(Mismatch::Kind);
    }
    if image.machine != row.machine {
        out.push(Mismatch::Machine);
    }
    if image.bits != row.bits {
        out.push(Mismatch::Bits);
    }
    if image.big_endian != row.big_endian {
        out.push(Mismatch::Endian);
    }
    // ABI details only mean something for the same machine; each is checked only where the file records it.
    if image.machine == row.machine {
        if matches!((row.abi, image.abi), (Some(want), Some(got)) if want != got) {
            out.push(Mismatch::Abi);
        }
        if matches!((row.float, image.float), (Some(want), Some(got)) if want != got) {
            out.push(Mismatch::Float);
        }
        if matches!((row.arm_arch, image.arm_cpu_arch), (Some(max), Some(tag)) if arm_version(tag) > max)
        {
            out.push(Mismatch::ArmArch);
        }
    }
    if want_static && image.is_static() == Some(false) {
        out.push(Mismatch::NotStatic);
    }
    out
}

/// The verdict on a whole file: no mismatches when one of its images fits, else the closest image's.
pub fn check(row: &BinaryRow, found: &Headers, want_static: bool) -> Vec<Mismatch> {
    found
        .images
        .iter()
        .map(|image| mismatches(row, image, want_static))
        .min_by_key(Vec::len)
        .unwrap_or_else(|| vec![Mismatch::Kind])
}

/// Every platform the file runs on, in table order (static linking aside).
pub fn platforms(found: &Headers) -> Vec<&'static str> {
    BINARIES
        .iter()
        .filter(|row| check(row, found, false).is_empty())
        .map(|row| row.platform)
        .collect()
}

/// Whether a program for one of `platforms` (what [`platforms`] found) runs natively on `build`.
pub fn runs_on_build_machine(platforms: &[&str], build: Platform) -> bool {
    platforms
        .iter()
        .any(|p| p.split('/').nth(1) == Some(build.arch()) || build.row.also_runs.contains(p))
}

fn format_words(format: ObjectFormat, bits: u8) -> &'static str {
    match (format, bits) {
        (ObjectFormat::Elf, 32) => "ELF 32-bit",
        (ObjectFormat::Elf, _) => "ELF 64-bit",
        (ObjectFormat::Pe, 32) => "PE32",
        (ObjectFormat::Pe, _) => "PE32+",
        (ObjectFormat::MachO, 32) => "Mach-O 32-bit",
        (ObjectFormat::MachO, _) => "Mach-O 64-bit",
    }
}

fn format_name<S: serde::Serializer>(format: &ObjectFormat, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match format {
        ObjectFormat::Elf => "elf",
        ObjectFormat::Pe => "pe",
        ObjectFormat::MachO => "macho",
    })
}

/// "LSB"/"MSB" as file(1) says it: only ELF is shipped in both byte orders.
fn endian_words(format: ObjectFormat, big_endian: bool) -> &'static str {
    match (format, big_endian) {
        (ObjectFormat::Elf, false) => " LSB",
        (ObjectFormat::Elf, true) => " MSB",
        (_, false) => "",
        (_, true) => " big-endian",
    }
}

/// What the platform's binaries look like: "ELF 32-bit LSB ARM EABI5 hard-float, ARMv7 or older".
pub fn expected_words(row: &BinaryRow) -> String {
    let mut s = format!(
        "{}{} {}",
        format_words(row.format, row.bits),
        endian_words(row.format, row.big_endian),
        row.machine_name
    );
    if let Some(abi) = row.abi {
        s += &format!(" {abi}");
    }
    if let Some(float) = row.float {
        s += &format!(" {float}-float");
    }
    if let Some(v) = row.arm_arch {
        s += &format!(", ARMv{v} or older");
    }
    s
}

/// A machine's name from the table, or its number for machines no platform uses.
fn machine_words(format: ObjectFormat, machine: u32) -> String {
    BINARIES
        .iter()
        .find(|r| r.format == format && r.machine == machine)
        .map_or_else(
            || format!("machine {machine:#x}"),
            |r| r.machine_name.to_string(),
        )
}

/// ELF OS/ABI bytes worth a name in a message (the ELF gABI's list); others print as numbers.
fn os_abi_words(abi: u8) -> String {
    match abi {
        0 => "SYSV".into(),
        2 => "NetBSD".into(),
        3 => "GNU/Linux".into(),
        6 => "Solaris".into(),
        9 => "FreeBSD".into(),
        12 => "OpenBSD".into(),
        n => format!("OS/ABI {n}"),
    }
}

/// One image in words: "ELF 64-bit LSB x86-64 pie executable, dynamically linked, interpreter ...".
/// `want_static` words a dynamic file as "not statically linked", the phrase xx-verify users grep for.
pub fn image_words(image: &Image, want_static: bool) -> String {
    let mut s = format!(
        "{}{} {}",
        format_words(image.format, image.bits),
        endian_words(image.format, image.big_endian),
        machine_words(image.format, image.machine)
    );
    for part in [
        image.abi,
        image.float.map(|f| {
            if f == "hard" {
                "hard-float"
            } else {
                "soft-float"
            }
        }),
    ]
    .into_iter()
    .flatten()
    {
        s += &format!(" {part}");
    }
    s += &format!(" {}", image.kind.words());
    if let Some(abi) = image.os_abi.filter(|a| ![0, 3].contains(a)) {
        s += &format!(" for {}", os_abi_words(abi));
    }
    let is_arm = BINARIES
        .iter()
        .any(|r| r.arm_arch.is_some() && r.format == image.format && r.machine == image.machine);
    match image.arm_cpu_arch {
        Some(tag) => match usize::try_from(tag).ok().and_then(|i| ARM_CPU_ARCH.get(i)) {
            Some((name, _)) => s += &format!(", {name}"),
            None => s += &format!(", Tag_CPU_arch {tag}"),
        },
        None if is_arm => s += ", CPU architecture not recorded",
        None => {}
    }
    match image.is_static() {
        Some(true) if image.static_pie => s += ", static-pie linked",
        Some(true) => s += ", statically linked",
        Some(false) => {
            s += if want_static {
                ", not statically linked"
            } else {
                ", dynamically linked"
            };
            match (&image.interpreter, image.needed) {
                (Some(interp), _) => s += &format!(", interpreter {interp}"),
                (None, 0) => {}
                (None, 1) => s += ", needs 1 shared library",
                (None, n) => s += &format!(", needs {n} shared libraries"),
            }
        }
        None => {}
    }
    s
}

/// The whole file in words, with the platforms it fits: "linux/amd64 (ELF 64-bit LSB x86-64 ...)".
pub fn found_words(found: &Headers, want_static: bool) -> String {
    let images: Vec<String> = found
        .images
        .iter()
        .map(|i| image_words(i, want_static))
        .collect();
    let what = if found.universal {
        format!("Mach-O universal binary with {}", images.join("; "))
    } else {
        images.join("; ")
    };
    let platforms = platforms(found);
    if platforms.is_empty() {
        format!("no supported platform ({what})")
    } else {
        format!("{} ({what})", platforms.join(" or "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(platform: &str) -> &'static BinaryRow {
        BINARIES.iter().find(|r| r.platform == platform).unwrap()
    }

    #[test]
    fn the_build_machine_runs_its_own_and_its_compat_architectures() {
        let on = |platforms: &[&str], build: &str| {
            let build = Platform::parse(build, Platform::host().unwrap()).unwrap();
            runs_on_build_machine(platforms, build)
        };
        assert!(on(&["linux/amd64", "linux/amd64/v2"], "linux/amd64"));
        assert!(on(&["linux/386"], "linux/amd64"));
        assert!(on(&["linux/arm/v7", "linux/arm/v6"], "linux/arm64"));
        assert!(!on(&["linux/arm64"], "linux/amd64"));
        assert!(!on(&["linux/amd64"], "linux/arm64"));
        assert!(!on(&["linux/s390x"], "linux/ppc64le"));
    }

    /// An image that looks exactly like `platform`'s row says.
    fn image_of(platform: &str) -> Image {
        let r = row(platform);
        Image {
            format: r.format,
            kind: Kind::Executable,
            bits: r.bits,
            big_endian: r.big_endian,
            machine: r.machine,
            os_abi: (r.format == ObjectFormat::Elf).then_some(0),
            abi: r.abi,
            float: r.float,
            arm_cpu_arch: None,
            interpreter: None,
            needed: 0,
            static_pie: false,
        }
    }

    fn check_one(image: Image, platform: &str, want_static: bool, want: &[Mismatch]) {
        let found = Headers {
            images: vec![image],
            universal: false,
        };
        assert_eq!(
            check(row(platform), &found, want_static),
            want,
            "{platform}"
        );
    }

    #[test]
    fn every_row_is_told_apart_from_every_other() {
        for a in BINARIES {
            let found = Headers {
                images: vec![image_of(a.platform)],
                universal: false,
            };
            let fits = platforms(&found);
            // ARM rows share everything but the ARM-only columns, which the test image leaves unrecorded.
            let same: Vec<&str> = BINARIES
                .iter()
                .filter(|b| {
                    b.format == a.format
                        && b.machine == a.machine
                        && b.bits == a.bits
                        && b.big_endian == a.big_endian
                        && b.abi == a.abi
                        && (b.float.is_none() || a.float.is_none() || b.float == a.float)
                })
                .map(|b| b.platform)
                .collect();
            assert_eq!(fits, same, "{}", a.platform);
        }
    }

    #[test]
    fn arm_float_and_architecture() {
        use Mismatch::*;
        let armhf_v7 = Image {
            arm_cpu_arch: Some(10),
            ..image_of("linux/arm/v7")
        };
        check_one(armhf_v7.clone(), "linux/arm/v7", false, &[]);
        check_one(armhf_v7.clone(), "linux/arm/v6", false, &[ArmArch]);
        check_one(armhf_v7, "linux/arm/v5", false, &[Float, ArmArch]);
        let armel_v5te = Image {
            arm_cpu_arch: Some(4),
            ..image_of("linux/arm/v5")
        };
        check_one(armel_v5te.clone(), "linux/arm/v5", false, &[]);
        check_one(armel_v5te.clone(), "linux/arm/v6", false, &[]);
        check_one(armel_v5te, "linux/arm/v7", false, &[Float]);
        let future = Image {
            arm_cpu_arch: Some(99),
            ..image_of("linux/arm/v7")
        };
        check_one(future, "linux/arm/v7", false, &[ArmArch]);
    }

    #[test]
    fn static_linking_is_an_elf_question() {
        let dynamic = Image {
            interpreter: Some("/lib/ld-musl-aarch64.so.1".into()),
            kind: Kind::PieExecutable,
            ..image_of("linux/arm64")
        };
        check_one(dynamic.clone(), "linux/arm64", false, &[]);
        check_one(dynamic.clone(), "linux/arm64", true, &[Mismatch::NotStatic]);
        assert!(image_words(&dynamic, true).contains("not statically linked"));
        let needs_libs = Image {
            needed: 2,
            ..image_of("linux/arm64")
        };
        check_one(needs_libs, "linux/arm64", true, &[Mismatch::NotStatic]);
        let library = Image {
            kind: Kind::Library,
            ..image_of("linux/arm64")
        };
        check_one(library.clone(), "linux/arm64", false, &[]);
        check_one(library, "linux/arm64", true, &[Mismatch::NotStatic]);
        check_one(image_of("windows/amd64"), "windows/amd64", true, &[]);
    }

    #[test]
    fn other_os_abis_and_kinds_do_not_pass() {
        let freebsd = Image {
            os_abi: Some(9),
            ..image_of("linux/amd64")
        };
        check_one(freebsd.clone(), "linux/amd64", false, &[Mismatch::OsAbi]);
        assert!(image_words(&freebsd, false).contains("for FreeBSD"));
        let object = Image {
            kind: Kind::Other("relocatable object"),
            ..image_of("linux/amd64")
        };
        check_one(object, "linux/amd64", false, &[Mismatch::Kind]);
    }

    #[test]
    fn a_universal_binary_fits_each_of_its_architectures() {
        let found = Headers {
            images: vec![image_of("darwin/amd64"), image_of("darwin/arm64")],
            universal: true,
        };
        assert_eq!(platforms(&found), ["darwin/amd64", "darwin/arm64"]);
        assert_eq!(check(row("linux/amd64"), &found, false), [Mismatch::Format]);
    }

    #[test]
    fn words_read_like_file_1() {
        assert_eq!(
            expected_words(row("linux/arm/v7")),
            "ELF 32-bit LSB ARM EABI5 hard-float, ARMv7 or older"
        );
        assert_eq!(expected_words(row("windows/arm64")), "PE32+ Aarch64");
        let found = Headers {
            images: vec![image_of("linux/amd64")],
            universal: false,
        };
        assert_eq!(
            found_words(&found, false),
            "linux/amd64 (ELF 64-bit LSB x86-64 executable, statically linked)"
        );
    }
}
