//! A file's binary headers, read so that no file can hang mab or make it read much: only regular files
//! are opened, without blocking (a path swapped for a FIFO after the check cannot stall the open), and
//! bytes are fetched lazily as the header reader asks for them, at most [`READ_BUDGET`] per file. Used by
//! `mab verify` and by the emulation warning (`target::warn_if_emulated`), which reads /bin/sh.

use crate::core::binary::Headers;
use crate::core::header;
use object::read::ReadCache;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The most bytes read from one file. Headers take kilobytes; this only bounds a hostile file.
pub const READ_BUDGET: u64 = 64 << 20;

/// A file that refuses reads past its budget, so no header value can make mab read a huge file.
struct Budgeted {
    file: File,
    left: u64,
}

impl Read for Budgeted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.len() as u64 > self.left {
            return Err(io::Error::other("read budget exhausted"));
        }
        let n = self.file.read(buf)?;
        self.left -= n as u64;
        Ok(n)
    }
}

impl Seek for Budgeted {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.file.seek(pos)
    }
}

/// Opens `path` only if it is a regular file, then decodes its headers. Errors are whole sentences.
pub fn read_headers(path: &Path) -> Result<Headers, String> {
    regular(&std::fs::metadata(path).map_err(open_error)?)?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(open_error)?;
    // The path may have been replaced between the check and the open: judge what was opened.
    regular(&file.metadata().map_err(open_error)?)?;
    let cache = ReadCache::new(Budgeted {
        file,
        left: READ_BUDGET,
    });
    header::read(&cache).map_err(|e| e.to_string())
}

fn regular(meta: &Metadata) -> Result<(), String> {
    let t = meta.file_type();
    let what = if t.is_file() {
        return Ok(());
    } else if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    };
    Err(format!("not an executable or library: {what}"))
}

fn open_error(e: io::Error) -> String {
    match e.raw_os_error() {
        Some(libc::ENOENT) => "no such file".into(),
        Some(libc::EACCES | libc::EPERM) => "cannot read: permission denied".into(),
        Some(libc::ELOOP) => {
            "cannot open: too many levels of symbolic links (a symlink loop?)".into()
        }
        _ => format!("cannot open: {e}"),
    }
}
