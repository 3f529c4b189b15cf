//! Decodes the headers of an ELF, PE or Mach-O file into [`Headers`], with the `object` crate's
//! bounds-checked parsers. Pure over its input: bytes come only through `object::ReadRef`, a slice in tests
//! or a lazily read file in `mab verify`. Only what the check needs is read: the file header, program
//! headers, section headers, the interpreter, the dynamic segment and ARM build attributes, each capped in
//! size, so a huge or hostile file costs kilobytes. Malformed input is an [`Error`], never a panic.

use super::binary::{Headers, Image, Kind};
use super::table::ObjectFormat;
use object::elf::{self, FileHeader32, FileHeader64};
use object::macho::{self, MachHeader32, MachHeader64};
use object::pe::{self, ImageNtHeaders32, ImageNtHeaders64};
use object::read::elf::{Dyn as _, FileHeader, ProgramHeader as _, SectionHeader as _};
use object::read::macho::{FatArch, MachHeader, MachOFatFile32, MachOFatFile64};
use object::read::pe::ImageNtHeaders;
use object::{Endianness, FileKind, LittleEndian as LE, ReadRef};
use std::fmt;

/// The most header data read for one table or segment; real files need a few kilobytes.
const MAX_TABLE: u64 = 1 << 20;
/// The smallest page a loader maps.
const PAGE: u64 = 4096;
/// A universal binary with more slices than this is not one (Apple ships two or three).
const MAX_SLICES: usize = 64;

/// Why a file is not an executable or library mab can judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Fewer bytes than any header.
    TooShort(u64),
    /// No known magic number: the first bytes, for the message.
    Unknown(Vec<u8>),
    /// A known container that holds no executable (an ar archive, a COFF object, ...).
    NotBinary(&'static str),
    /// The magic is right but the headers are cut short or inconsistent.
    Corrupt(&'static str, String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::TooShort(n) => write!(f, "not an executable or library: only {n} bytes long"),
            Error::Unknown(start) => {
                let hex: Vec<String> = start.iter().map(|b| format!("{b:02x}")).collect();
                write!(
                    f,
                    "not an executable or library: unknown format (starts with {})",
                    hex.join(" ")
                )
            }
            Error::NotBinary(what) => write!(f, "not an executable or library: {what}"),
            Error::Corrupt(format, why) => write!(f, "truncated or corrupt {format} file: {why}"),
        }
    }
}

impl std::error::Error for Error {}

fn corrupt(format: &'static str) -> impl Fn(object::Error) -> Error {
    move |e| Error::Corrupt(format, e.to_string())
}

/// Reads what the headers say. `data` is the whole file.
pub fn read<'a, R: ReadRef<'a>>(data: R) -> Result<Headers, Error> {
    let len = data.len().map_err(|()| Error::TooShort(0))?;
    let kind = FileKind::parse(data).map_err(|_| {
        if len < 16 {
            Error::TooShort(len)
        } else {
            Error::Unknown(data.read_bytes_at(0, 8).unwrap_or_default().to_vec())
        }
    })?;
    let single = |image| Headers {
        images: vec![image],
        universal: false,
    };
    match kind {
        FileKind::Elf32 => elf_image::<FileHeader32<Endianness>, R>(data, len).map(single),
        FileKind::Elf64 => elf_image::<FileHeader64<Endianness>, R>(data, len).map(single),
        FileKind::Pe32 => pe_image::<ImageNtHeaders32, R>(data).map(single),
        FileKind::Pe64 => pe_image::<ImageNtHeaders64, R>(data).map(single),
        FileKind::MachO32 => macho_image::<MachHeader32<Endianness>, R>(data, 0).map(single),
        FileKind::MachO64 => macho_image::<MachHeader64<Endianness>, R>(data, 0).map(single),
        FileKind::MachOFat32 => {
            let fat = MachOFatFile32::parse(data).map_err(corrupt("Mach-O universal"))?;
            fat_images(data, len, fat.arches())
        }
        FileKind::MachOFat64 => {
            let fat = MachOFatFile64::parse(data).map_err(corrupt("Mach-O universal"))?;
            fat_images(data, len, fat.arches())
        }
        FileKind::Archive => Err(Error::NotBinary("an ar archive (static library)")),
        FileKind::Coff | FileKind::CoffBig => Err(Error::NotBinary("a COFF object file")),
        FileKind::CoffImport => Err(Error::NotBinary("a Windows import library")),
        FileKind::DyldCache => Err(Error::NotBinary("a dyld shared cache")),
        _ => Err(Error::NotBinary("an object format mab does not check")),
    }
}

fn elf_image<'a, Elf, R>(data: R, len: u64) -> Result<Image, Error>
where
    Elf: FileHeader<Endian = Endianness>,
    R: ReadRef<'a>,
{
    let e = corrupt("ELF");
    let header = Elf::parse(data).map_err(&e)?;
    let endian = header.endian().map_err(&e)?;
    let too_big = |what: &str| Error::Corrupt("ELF", format!("implausibly large {what}"));
    let phnum = header.phnum(endian, data).map_err(&e)? as u64;
    if phnum * u64::from(header.e_phentsize(endian)) > MAX_TABLE {
        return Err(too_big("program header table"));
    }
    let shnum = header.shnum(endian, data).map_err(&e)? as u64;
    if shnum * u64::from(header.e_shentsize(endian)) > MAX_TABLE {
        return Err(too_big("section header table"));
    }
    let segments = header.program_headers(endian, data).map_err(&e)?;

    let mut interpreter = None;
    let mut dynamic = None;
    for segment in segments {
        let (offset, size) = segment.file_range(endian);
        // A loader maps these bytes: a file that ends before them was cut short. It maps whole pages,
        // so a segment that ends in the file's last page still loads (hand-made minimal binaries do
        // that).
        let mapped = len.div_ceil(PAGE) * PAGE;
        if size > 0 && offset.checked_add(size).is_none_or(|end| end > mapped) {
            return Err(Error::Corrupt(
                "ELF",
                "a segment reaches past the end of the file".into(),
            ));
        }
        let p_type = segment.p_type(endian);
        if size > MAX_TABLE && [elf::PT_INTERP, elf::PT_DYNAMIC].contains(&p_type) {
            return Err(too_big("interpreter or dynamic segment"));
        }
        if let Some(path) = segment.interpreter(endian, data).map_err(&e)? {
            interpreter = Some(String::from_utf8_lossy(path).into_owned());
        }
        if let Some(entries) = segment.dynamic(endian, data).map_err(&e)? {
            dynamic = Some(entries);
        }
    }
    // Read after the segments, so a file cut short is reported by what a loader would miss.
    let sections = header.section_headers(endian, data).map_err(&e)?;
    let tags = || {
        dynamic
            .into_iter()
            .flatten()
            .map(move |d| (d.d_tag(endian).into(), d.d_val(endian).into()))
    };
    let needed = tags()
        .filter(|&(t, _): &(i64, u64)| t == elf::DT_NEEDED)
        .count();
    let pie_flag = tags().any(|(t, v)| t == elf::DT_FLAGS_1 && v & u64::from(elf::DF_1_PIE) != 0);

    let kind = match header.e_type(endian) {
        elf::ET_EXEC => Kind::Executable,
        elf::ET_DYN if interpreter.is_some() || pie_flag => Kind::PieExecutable,
        elf::ET_DYN => Kind::Library,
        elf::ET_REL => Kind::Other("relocatable object"),
        elf::ET_CORE => Kind::Other("core dump"),
        _ => Kind::Other("ELF file of unknown type"),
    };
    let machine = header.e_machine(endian);
    let bits = if header.is_class_64() { 64 } else { 32 };
    let flags = header.e_flags(endian);
    let (mut arm_cpu_arch, mut vfp_args) = (None, None);
    if machine == elf::EM_ARM {
        for section in sections
            .iter()
            .filter(|s| s.sh_type(endian) == elf::SHT_ARM_ATTRIBUTES)
        {
            // Build attributes are advice to linkers, not to the loader: ones that cannot be read
            // (or are implausibly large) count as not recorded rather than as a broken file.
            if section.sh_size(endian).into() > MAX_TABLE {
                continue;
            }
            if let Ok(Ok(found)) = section
                .attributes(endian, data)
                .map(|section| arm_attributes(&section))
            {
                (arm_cpu_arch, vfp_args) = found;
            }
        }
    }
    let dynamic_without_deps = dynamic.is_some() && interpreter.is_none() && needed == 0;
    Ok(Image {
        format: ObjectFormat::Elf,
        kind,
        bits,
        big_endian: header.is_big_endian(),
        machine: machine.into(),
        os_abi: Some(header.e_ident().os_abi),
        abi: elf_abi(machine, bits, flags),
        float: elf_float(machine, flags, vfp_args),
        arm_cpu_arch,
        interpreter,
        needed,
        static_pie: dynamic_without_deps && kind != Kind::Library,
    })
}

/// The ABI that e_flags record, per each architecture's ELF supplement.
fn elf_abi(machine: u16, bits: u8, flags: u32) -> Option<&'static str> {
    match machine {
        elf::EM_ARM => match flags & elf::EF_ARM_EABIMASK {
            0 => None,
            elf::EF_ARM_EABI_VER1 => Some("EABI1"),
            elf::EF_ARM_EABI_VER2 => Some("EABI2"),
            elf::EF_ARM_EABI_VER3 => Some("EABI3"),
            elf::EF_ARM_EABI_VER4 => Some("EABI4"),
            elf::EF_ARM_EABI_VER5 => Some("EABI5"),
            _ => Some("EABI unknown"),
        },
        elf::EM_MIPS if bits == 64 => Some("n64"),
        elf::EM_MIPS if flags & elf::EF_MIPS_ABI2 != 0 => Some("n32"),
        elf::EM_MIPS => match flags & elf::EF_MIPS_ABI {
            0 | elf::EF_MIPS_ABI_O32 => Some("o32"),
            elf::EF_MIPS_ABI_O64 => Some("o64"),
            elf::EF_MIPS_ABI_EABI32 => Some("eabi32"),
            _ => Some("eabi64"),
        },
        elf::EM_RISCV if bits == 32 && flags & elf::EF_RISCV_RVE != 0 => Some("ilp32e"),
        elf::EM_RISCV => {
            let names = if bits == 64 {
                ["lp64", "lp64f", "lp64d", "lp64q"]
            } else {
                ["ilp32", "ilp32f", "ilp32d", "ilp32q"]
            };
            Some(names[((flags & elf::EF_RISCV_FLOAT_ABI) >> 1) as usize])
        }
        elf::EM_LOONGARCH => {
            let names = if bits == 64 {
                ["lp64s", "lp64f", "lp64d"]
            } else {
                ["ilp32s", "ilp32f", "ilp32d"]
            };
            match flags & elf::EF_LARCH_ABI_MODIFIER_MASK {
                m @ 1..=3 => Some(names[m as usize - 1]),
                _ => None,
            }
        }
        elf::EM_PPC64 => match flags & elf::EF_PPC64_ABI {
            1 => Some("ELFv1"),
            2 => Some("ELFv2"),
            _ => None,
        },
        _ => None,
    }
}

/// ARM hard or soft float: EABI5's e_flags bits, else the Tag_ABI_VFP_args build attribute.
fn elf_float(machine: u16, flags: u32, vfp_args: Option<u64>) -> Option<&'static str> {
    if machine != elf::EM_ARM {
        return None;
    }
    if flags & elf::EF_ARM_EABIMASK == elf::EF_ARM_EABI_VER5 {
        if flags & elf::EF_ARM_ABI_FLOAT_HARD != 0 {
            return Some("hard");
        }
        if flags & elf::EF_ARM_ABI_FLOAT_SOFT != 0 {
            return Some("soft");
        }
    }
    match vfp_args {
        Some(0) => Some("soft"),
        Some(1) => Some("hard"),
        _ => None,
    }
}

/// Tag_CPU_arch and Tag_ABI_VFP_args from the file-wide "aeabi" attributes.
fn arm_attributes<Elf: FileHeader>(
    section: &object::read::elf::AttributesSection<'_, Elf>,
) -> object::Result<(Option<u64>, Option<u64>)> {
    const TAG_FILE: u8 = 1;
    const TAG_CPU_RAW_NAME: u64 = 4;
    const TAG_CPU_NAME: u64 = 5;
    const TAG_CPU_ARCH: u64 = 6;
    const TAG_ABI_VFP_ARGS: u64 = 28;
    const TAG_COMPATIBILITY: u64 = 32;
    let (mut arch, mut vfp) = (None, None);
    let mut subsections = section.subsections()?;
    while let Some(subsection) = subsections.next()? {
        if subsection.vendor() != b"aeabi" {
            continue;
        }
        let mut subsubsections = subsection.subsubsections();
        while let Some(sub) = subsubsections.next()? {
            if sub.tag() != TAG_FILE {
                continue;
            }
            let mut attrs = sub.attributes();
            while let Some(tag) = attrs.read_tag()? {
                // The ARM ABI's rule: tags 4, 5 and odd tags from 32 up hold strings, 32 an integer and a
                // string, all others an integer.
                match tag {
                    TAG_CPU_ARCH => arch = Some(attrs.read_integer()?),
                    TAG_ABI_VFP_ARGS => vfp = Some(attrs.read_integer()?),
                    TAG_CPU_RAW_NAME | TAG_CPU_NAME => {
                        attrs.read_string()?;
                    }
                    TAG_COMPATIBILITY => {
                        attrs.read_integer()?;
                        attrs.read_string()?;
                    }
                    t if t > TAG_COMPATIBILITY && t % 2 == 1 => {
                        attrs.read_string()?;
                    }
                    _ => drop(attrs.read_integer()?),
                }
            }
        }
    }
    Ok((arch, vfp))
}

fn pe_image<'a, Pe: ImageNtHeaders, R: ReadRef<'a>>(data: R) -> Result<Image, Error> {
    let e = corrupt("PE");
    let dos = pe::ImageDosHeader::parse(data).map_err(&e)?;
    let mut offset = dos.nt_headers_offset().into();
    let (nt, _) = Pe::parse(data, &mut offset).map_err(&e)?;
    let header = nt.file_header();
    let characteristics = header.characteristics.get(LE);
    let kind = if characteristics & pe::IMAGE_FILE_DLL != 0 {
        Kind::Library
    } else if characteristics & pe::IMAGE_FILE_EXECUTABLE_IMAGE != 0 {
        Kind::Executable
    } else {
        Kind::Other("PE image not marked executable")
    };
    Ok(Image {
        format: ObjectFormat::Pe,
        kind,
        bits: if nt.is_type_64() { 64 } else { 32 },
        big_endian: false,
        machine: header.machine.get(LE).into(),
        os_abi: None,
        abi: None,
        float: None,
        arm_cpu_arch: None,
        interpreter: None,
        needed: 0,
        static_pie: false,
    })
}

fn macho_image<'a, Mach, R>(data: R, offset: u64) -> Result<Image, Error>
where
    Mach: MachHeader<Endian = Endianness>,
    R: ReadRef<'a>,
{
    let e = corrupt("Mach-O");
    let header = Mach::parse(data, offset).map_err(&e)?;
    let endian = header.endian().map_err(&e)?;
    let kind = match header.filetype(endian) {
        macho::MH_EXECUTE => Kind::Executable,
        macho::MH_DYLIB | macho::MH_BUNDLE => Kind::Library,
        macho::MH_OBJECT => Kind::Other("object file"),
        macho::MH_CORE => Kind::Other("core dump"),
        _ => Kind::Other("Mach-O file of another type"),
    };
    Ok(Image {
        format: ObjectFormat::MachO,
        kind,
        bits: if header.is_type_64() { 64 } else { 32 },
        big_endian: header.is_big_endian(),
        machine: header.cputype(endian),
        os_abi: None,
        abi: None,
        float: None,
        arm_cpu_arch: None,
        interpreter: None,
        needed: 0,
        static_pie: false,
    })
}

fn fat_images<'a, Fat: FatArch, R: ReadRef<'a>>(
    data: R,
    len: u64,
    arches: &[Fat],
) -> Result<Headers, Error> {
    let bad = |why: &str| Error::Corrupt("Mach-O universal", why.to_string());
    if arches.is_empty() || arches.len() > MAX_SLICES {
        return Err(bad("implausible number of architectures"));
    }
    let images = arches
        .iter()
        .map(|arch| {
            let (offset, size) = (arch.offset().into(), arch.size().into());
            if offset.checked_add(size).is_none_or(|end| end > len) {
                return Err(bad("an architecture reaches past the end of the file"));
            }
            match FileKind::parse_at(data, offset) {
                Ok(FileKind::MachO32) => macho_image::<MachHeader32<Endianness>, R>(data, offset),
                Ok(FileKind::MachO64) => macho_image::<MachHeader64<Endianness>, R>(data, offset),
                _ => Err(bad("an architecture is not a Mach-O image")),
            }
        })
        .collect::<Result<_, _>>()?;
    Ok(Headers {
        images,
        universal: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_unknown_input_is_an_error() {
        assert_eq!(read(&b""[..]), Err(Error::TooShort(0)));
        assert_eq!(read(&b"\x7fELF"[..]), Err(Error::TooShort(4)));
        let script = b"#!/bin/sh\necho hello world\n";
        assert!(
            matches!(read(&script[..]), Err(Error::Unknown(start)) if start == b"#!/bin/sh"[..8])
        );
        let archive = b"!<arch>\nxxxxxxxxxxxxxxxxxxxxxxxx";
        assert_eq!(
            read(&archive[..]),
            Err(Error::NotBinary("an ar archive (static library)"))
        );
    }

    #[test]
    fn a_truncated_elf_header_is_corrupt() {
        let mut header = [0u8; 20];
        header[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
        assert!(matches!(read(&header[..]), Err(Error::Corrupt("ELF", _))));
    }
}
