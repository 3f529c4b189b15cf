//! What `mab bundle` copies: a dynamically linked ELF program's loader (PT_INTERP) and the closure of its
//! DT_NEEDED libraries, found where the target's packages put them, laid out as the target's loader
//! looks for them. Pure: the caller reads files and says which paths exist.

use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader};
use object::Endianness;

/// The dynamic linking facts of one ELF file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Deps {
    pub interpreter: Option<String>,
    pub needed: Vec<String>,
    /// DT_RUNPATH, else DT_RPATH, split at ':'.
    pub runpath: Vec<String>,
    /// The newest glibc symbol version it needs (`(2, 34)` for GLIBC_2.34), from .gnu.version_r.
    pub glibc: Option<(u32, u32)>,
}

/// `GLIBC_2.34` → (2, 34).
fn glibc_version(name: &str) -> Option<(u32, u32)> {
    let (major, minor) = name.strip_prefix("GLIBC_")?.split_once('.')?;
    let minor = minor.split('.').next()?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

pub fn read(data: &[u8]) -> Result<Deps, String> {
    match object::FileKind::parse(data) {
        Ok(object::FileKind::Elf32) => read_elf::<elf::FileHeader32<Endianness>>(data),
        Ok(object::FileKind::Elf64) => read_elf::<elf::FileHeader64<Endianness>>(data),
        _ => Err("not an ELF file".to_string()),
    }
}

fn read_elf<Elf: FileHeader<Endian = Endianness>>(data: &[u8]) -> Result<Deps, String> {
    let e = |e: object::Error| format!("unreadable ELF: {e}");
    let header = Elf::parse(data).map_err(e)?;
    let endian = header.endian().map_err(e)?;
    let mut deps = Deps::default();
    for segment in header.program_headers(endian, data).map_err(e)? {
        if let Some(path) = segment.interpreter(endian, data).map_err(e)? {
            deps.interpreter = Some(String::from_utf8_lossy(path).into_owned());
        }
    }
    let sections = header.sections(endian, data).map_err(e)?;
    if let Some((mut needs, strtab)) = sections.gnu_verneed(endian, data).map_err(e)? {
        let strings = sections.strings(endian, data, strtab).map_err(e)?;
        while let Some((_, mut auxs)) = needs.next().map_err(e)? {
            while let Some(aux) = auxs.next().map_err(e)? {
                let name = String::from_utf8_lossy(aux.name(endian, strings).map_err(e)?);
                deps.glibc = deps.glibc.max(glibc_version(&name));
            }
        }
    }
    let Some((entries, strtab)) = sections.dynamic(endian, data).map_err(e)? else {
        return Ok(deps);
    };
    let strings = sections.strings(endian, data, strtab).map_err(e)?;
    let (mut runpath, mut rpath) = (Vec::new(), Vec::new());
    for entry in entries {
        let tag: i64 = entry.d_tag(endian).into();
        if ![elf::DT_NEEDED, elf::DT_RUNPATH, elf::DT_RPATH].contains(&tag) {
            continue;
        }
        let value = entry.string(endian, strings).map_err(e)?;
        let value = String::from_utf8_lossy(value).into_owned();
        match tag {
            elf::DT_NEEDED => deps.needed.push(value),
            elf::DT_RUNPATH => runpath.extend(value.split(':').map(str::to_string)),
            _ => rpath.extend(value.split(':').map(str::to_string)),
        }
    }
    deps.runpath = if runpath.is_empty() { rpath } else { runpath };
    deps.runpath.retain(|p| !p.is_empty());
    Ok(deps)
}

/// Where the target's shared libraries live on the build machine, in search order: under each root
/// (the target's sysroot, then `/` for Debian multiarch packages), the multiarch directories, then the
/// plain ones (a Debian `-cross` sysroot keeps its libraries in `lib/`).
pub fn search_dirs(roots: &[&str], multiarch: &str) -> Vec<String> {
    let mut dirs = Vec::new();
    for root in roots {
        let root = root.trim_end_matches('/');
        for dir in [
            format!("/lib/{multiarch}"),
            format!("/usr/lib/{multiarch}"),
            "/lib".to_string(),
            "/usr/lib".to_string(),
        ] {
            let d = format!("{root}{dir}");
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
    }
    dirs
}

/// Where a library goes in the image: the multiarch directory, which the target's glibc loader searches
/// without a cache (so an empty base works).
pub fn destination(multiarch: &str, soname: &str) -> String {
    format!("/usr/lib/{multiarch}/{soname}")
}

/// A DT_NEEDED name that could escape the library directory is refused.
pub fn plain_soname(name: &str) -> bool {
    !name.is_empty() && !name.contains('/') && name != "." && name != ".."
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirs_and_names() {
        assert_eq!(
            search_dirs(&["/usr/aarch64-linux-gnu", "/"], "aarch64-linux-gnu"),
            [
                "/usr/aarch64-linux-gnu/lib/aarch64-linux-gnu",
                "/usr/aarch64-linux-gnu/usr/lib/aarch64-linux-gnu",
                "/usr/aarch64-linux-gnu/lib",
                "/usr/aarch64-linux-gnu/usr/lib",
                "/lib/aarch64-linux-gnu",
                "/usr/lib/aarch64-linux-gnu",
                "/lib",
                "/usr/lib",
            ]
        );
        assert!(plain_soname("libc.so.6"));
        assert!(!plain_soname("../etc/passwd"));
        assert!(read(b"not an elf").is_err());
        assert_eq!(glibc_version("GLIBC_2.34"), Some((2, 34)));
        assert_eq!(glibc_version("GLIBC_2.2.5"), Some((2, 2)));
        assert_eq!(glibc_version("GCC_3.0"), None);
    }

    /// The test binary itself is a dynamically linked ELF program on Linux.
    #[test]
    fn reads_this_program() {
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let deps = read(&exe).unwrap();
        assert!(
            deps.needed.iter().any(|n| n.starts_with("libc.so")),
            "{deps:?}"
        );
        assert!(deps.interpreter.is_some());
        assert!(deps.glibc.is_some_and(|v| v >= (2, 2)), "{deps:?}");
    }
}
