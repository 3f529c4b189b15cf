//! Windows targets: C, C++, cgo and Rust-with-C programs built for windows/amd64 and windows/386 with
//! Debian's MinGW-w64 (through clang and through gcc), checked by `mab verify`, and run under wine; a
//! resource file compiled by `mab windres`, linked in, and read back from the PE file and by the program.
//!
//! Wine runs in its own root (/opt/mab-test/wine, made by scripts/install-test-deps.sh: Debian's wine,
//! wine64 and wine32:i386 there, so the build machine keeps no i386 packages) with chroot, in a mount
//! namespace of its own (unshare), so /proc and /dev stay mounted only while it runs. That needs root, as
//! the apt and e2e tests do.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const WINE_ROOT: &str = "/opt/mab-test/wine";

/// (platform, MinGW triple, Rust triple, Go's GOARCH, Rust's ARCH, pointer bits).
const TARGETS: &[(&str, &str, &str, &str, &str, u32)] = &[
    (
        "windows/amd64",
        "x86_64-w64-mingw32",
        "x86_64-pc-windows-gnu",
        "amd64",
        "x86_64",
        64,
    ),
    (
        "windows/386",
        "i686-w64-mingw32",
        "i686-pc-windows-gnu",
        "386",
        "x86",
        32,
    ),
];

const HELLO_C: &str = r#"#include <stdio.h>
#include <windows.h>
/* The pointer width, the processor Windows reports (0 x86, 9 x64) and the sum of the primes below 1000. */
int main(void) {
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    int sum = 0;
    for (int n = 2; n < 1000; n++) {
        int prime = 1;
        for (int d = 2; d * d <= n; d++) if (n % d == 0) { prime = 0; break; }
        if (prime) sum += n;
    }
    printf("hello-c %d %d %d\n", (int)(sizeof(void *) * 8), si.wProcessorArchitecture, sum);
    return 0;
}
"#;

const HELLO_CXX: &str = r#"#include <algorithm>
#include <iostream>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>
// The same through libstdc++: containers, an algorithm, iostreams, and two exceptions thrown and caught
// (one of its own, one from libstdc++): unwinding needs GCC's own crtbegin.o on 32-bit MinGW.
struct Mine : std::runtime_error {
    Mine() : std::runtime_error("mine") {}
};
int main() {
    std::vector<int> primes;
    for (int n = 2; n < 1000; n++) {
        bool prime = true;
        for (int d = 2; d * d <= n; d++) if (n % d == 0) { prime = false; break; }
        if (prime) primes.push_back(n);
    }
    std::sort(primes.rbegin(), primes.rend());
    std::map<std::string, int> seen;
    int caught = 0;
    try { throw Mine(); } catch (const Mine &e) { seen[e.what()]++; caught++; }
    try { (void)primes.at(primes.size()); } catch (const std::out_of_range &) { caught++; }
    std::cout << "hello-cxx " << sizeof(void *) * 8 << " "
              << std::accumulate(primes.begin(), primes.end(), 0) << " caught " << caught
              << std::endl;
}
"#;

/// A version resource; the program reads its own back through the Windows API.
const VERSION_RC: &str = r#"#include <winver.h>
#define MAB_VERSION 1,2,3,4
VS_VERSION_INFO VERSIONINFO
FILEVERSION MAB_VERSION
PRODUCTVERSION MAB_VERSION
FILEOS VOS_NT_WINDOWS32
FILETYPE VFT_APP
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "ProductName", PRODUCT
      VALUE "FileVersion", "1.2.3.4"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
"#;

const VERSION_C: &str = r#"#include <stdio.h>
#include <windows.h>
/* Prints the FILEVERSION of its own version resource. */
int main(void) {
    char path[MAX_PATH];
    GetModuleFileNameA(NULL, path, MAX_PATH);
    DWORD handle, size = GetFileVersionInfoSizeA(path, &handle);
    if (size == 0) { printf("no version resource\n"); return 1; }
    void *data = malloc(size);
    VS_FIXEDFILEINFO *fixed;
    UINT len;
    if (!GetFileVersionInfoA(path, 0, size, data) || !VerQueryValueA(data, "\\", (void **)&fixed, &len)) return 1;
    printf("version %lu.%lu.%lu.%lu\n", fixed->dwFileVersionMS >> 16, fixed->dwFileVersionMS & 0xffff,
           fixed->dwFileVersionLS >> 16, fixed->dwFileVersionLS & 0xffff);
    return 0;
}
"#;

/// Windows 10's ProcessPrng, which Go's runtime (1.22 and later) and Rust's std (1.78 and later) import from
/// bcryptprimitives.dll, and which Debian 12's wine 8.0 does not have. The harness builds this stand-in
/// (with mab) into the wine prefix; the programs under test are untouched.
const PROCESS_PRNG_C: &str = r#"#include <windows.h>
#include <bcrypt.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}
"#;

fn work() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = temp_path("windows");
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in [
            ("hello.c", HELLO_C),
            ("hello.cc", HELLO_CXX),
            ("version.rc", VERSION_RC),
            ("version.c", VERSION_C),
            ("prng.c", PROCESS_PRNG_C),
            (
                "prng64.def",
                "LIBRARY bcryptprimitives\nEXPORTS\n  ProcessPrng\n",
            ),
            (
                "prng32.def",
                "LIBRARY bcryptprimitives\nEXPORTS\n  ProcessPrng=ProcessPrng@8\n",
            ),
        ] {
            std::fs::write(dir.join(name), text).unwrap();
        }
        dir
    })
}

/// What the suite needs for Windows: Debian's MinGW-w64 for `triple`; `None` only where a missing tool was
/// allowed to skip.
fn require_mingw(triple: &str) -> Option<()> {
    require_tool(&format!("{triple}-gcc"), &[])?;
    require_tool(&format!("{triple}-g++"), &[])?;
    require_tool("clang", &[])?;
    require_tool("ld.lld", &[])?;
    Some(())
}

/// The wine root, or a failure that says how to make it.
fn wine_root() -> Option<&'static Path> {
    let root = Path::new(WINE_ROOT);
    if root.join(".complete").is_file() {
        return Some(root);
    }
    let hint = format!(
        "{WINE_ROOT} (Debian's wine, wine64 and wine32:i386 in a root of their own) not found: run \
         scripts/install-test-deps.sh as root"
    );
    if std::env::var("MAB_TEST_ALLOW_MISSING").as_deref() == Ok("1") {
        eprintln!("SKIPPED (MAB_TEST_ALLOW_MISSING=1): {hint}");
        return None;
    }
    panic!("{hint}; or set MAB_TEST_ALLOW_MISSING=1 to skip such tests on a laptop");
}

/// A session's directory inside the wine root, removed when the session ends (also on a failed check).
struct Session(PathBuf);

impl Drop for Session {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs each program under wine (headless) and returns what each printed. The WINEPREFIX (about 1.3 GB
/// once wine has filled it) is made on first use and kept in the root for later runs; one session at a
/// time uses it, across test processes too (a file lock).
fn run_under_wine(programs: &[PathBuf]) -> Option<Vec<String>> {
    static SESSIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let root = wine_root()?;
    require_tool("unshare", &[])?;
    assert_eq!(
        stdout(Command::new("id").arg("-u")),
        "0",
        "wine runs in {WINE_ROOT} with chroot: run the suite as root (as CI does)"
    );
    // ProcessPrng stand-ins, built once per run.
    for (platform, bits) in [("windows/amd64", 64), ("windows/386", 32)] {
        let dll = work().join(format!("prng{bits}.dll"));
        if !dll.exists() {
            let def = format!("prng{bits}.def");
            let out = dll.to_str().unwrap();
            mab_ok(
                platform,
                &[],
                &["cc", "-shared", "-o", out, "prng.c", &def, "-lbcrypt"],
            );
        }
    }
    let _lock = flock(&root.join("tmp/mab-wine.lock"), libc::LOCK_EX);
    let n = SESSIONS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let inside = format!("/tmp/mab-wine-{}-{n}", std::process::id());
    let session = Session(root.join(inside.trim_start_matches('/')));
    let dir = &session.0;
    std::fs::create_dir_all(dir).unwrap();
    for bits in [64, 32] {
        let name = format!("prng{bits}.dll");
        std::fs::copy(work().join(&name), dir.join(name)).unwrap();
    }
    let prefix = "/tmp/mab-wine-prefix";
    let mut script = format!(
        "[ -f {prefix}/system.reg ] || wineboot --init\n\
         cp {inside}/prng64.dll {prefix}/drive_c/windows/system32/bcryptprimitives.dll\n\
         cp {inside}/prng32.dll {prefix}/drive_c/windows/syswow64/bcryptprimitives.dll\n"
    );
    for (i, program) in programs.iter().enumerate() {
        std::fs::copy(program, dir.join(format!("p{i}.exe"))).unwrap();
        script.push_str(&format!(
            "wine {inside}/p{i}.exe > {inside}/p{i}.out 2> {inside}/p{i}.err || echo \"p{i} exit $?\" >&2\n"
        ));
    }
    // Wait for the wine server to exit, so nothing of this session outlives it.
    script.push_str("wineserver -w\n");
    std::fs::write(dir.join("run.sh"), &script).unwrap();
    let mount_and_run = format!(
        "mount -t proc proc {WINE_ROOT}/proc && mount --rbind /dev {WINE_ROOT}/dev && \
         exec chroot {WINE_ROOT} env -i PATH=/usr/bin:/bin HOME={inside} WINEPREFIX={prefix} \
         WINEDEBUG=-all WINEDLLOVERRIDES=bcryptprimitives=n DISPLAY= timeout 600 sh {inside}/run.sh"
    );
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--fork", "sh", "-c"])
        .arg(&mount_and_run)
        .output()
        .expect("unshare runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "wine in {WINE_ROOT} failed: {stderr}");
    let outputs = (0..programs.len())
        .map(|i| {
            let text = std::fs::read_to_string(dir.join(format!("p{i}.out"))).unwrap();
            let err = std::fs::read_to_string(dir.join(format!("p{i}.err"))).unwrap_or_default();
            assert!(
                !stderr.contains(&format!("p{i} exit")),
                "{} failed under wine: {err}",
                programs[i].display()
            );
            text.trim_end().replace('\r', "")
        })
        .collect();
    Some(outputs)
}

/// `mab verify` for the platform: a PE file of its machine.
fn verify(platform: &str, exe: &Path) {
    let out = stdout(mab().env("TARGETPLATFORM", platform).arg("verify").arg(exe));
    assert!(out.contains(&format!("ok: {platform}")), "{out}");
}

/// mab with `args`, for `platform`, in the work directory; must succeed.
fn mab_ok(platform: &str, env: &[(&str, &str)], args: &[&str]) {
    let (code, _, err) = run(mab()
        .current_dir(work())
        .env("TARGETPLATFORM", platform)
        .envs(env.iter().copied())
        .args(args));
    assert_eq!(code, 0, "mab {args:?} for {platform} failed:\n{err}");
}

#[test]
fn c_and_cxx_build_and_run_under_wine() {
    let mut built = Vec::new();
    let mut want = Vec::new();
    for &(platform, triple, _, _, _, bits) in TARGETS {
        if require_mingw(triple).is_none() {
            return;
        }
        let exe = |name: &str| work().join(format!("{name}-{bits}.exe"));
        let processor = if bits == 64 { 9 } else { 0 };
        // clang with Debian's MinGW-w64, gcc, and the <triple>-clang link made by --setup-target-triple.
        let clang_c = exe("clang-c");
        mab_ok(
            platform,
            &[],
            &["cc", "-O2", "-o", clang_c.to_str().unwrap(), "hello.c"],
        );
        let gcc_c = exe("gcc-c");
        mab_ok(
            platform,
            &[("MAB_CC", "gcc")],
            &["cc", "-o", gcc_c.to_str().unwrap(), "hello.c"],
        );
        let cxx = exe("clang-cxx");
        mab_ok(
            platform,
            &[],
            &["c++", "-static", "-o", cxx.to_str().unwrap(), "hello.cc"],
        );
        let gxx = exe("gcc-cxx");
        mab_ok(
            platform,
            &[("MAB_CC", "gcc")],
            &["c++", "-static", "-o", gxx.to_str().unwrap(), "hello.cc"],
        );
        mab_ok(platform, &[], &["clang", "--setup-target-triple"]);
        let linked = exe("link-c");
        let (code, _, err) = run(
            clean(Command::new(bin_dir().join(format!("{triple}-clang"))))
                .current_dir(work())
                .arg("-o")
                .arg(&linked)
                .arg("hello.c"),
        );
        assert_eq!(code, 0, "{triple}-clang: {err}");
        for e in [&clang_c, &gcc_c, &linked] {
            verify(platform, e);
            built.push(e.clone());
            want.push(format!("hello-c {bits} {processor} 76127"));
        }
        for e in [&cxx, &gxx] {
            verify(platform, e);
            built.push(e.clone());
            want.push(format!("hello-cxx {bits} 76127 caught 2"));
        }
    }
    if let Some(outputs) = run_under_wine(&built) {
        for ((exe, got), want) in built.iter().zip(outputs).zip(want) {
            assert_eq!(got, want, "{}", exe.display());
        }
    }
}

/// The version resource as the PE file holds it: VS_FIXEDFILEINFO's file version, and the UTF-16 text.
fn version_resource(exe: &Path) -> (u32, u32, String) {
    use object::pe::{ImageNtHeaders32, ImageNtHeaders64, RT_VERSION};
    use object::read::pe::{ImageNtHeaders, PeFile, ResourceDirectory, ResourceNameOrId};
    fn read<H: ImageNtHeaders>(data: &[u8]) -> Vec<u8> {
        let pe = PeFile::<H>::parse(data).unwrap();
        let dirs = pe.data_directories();
        let rsrc: ResourceDirectory = dirs
            .resource_directory(data, &pe.section_table())
            .unwrap()
            .expect("the PE file has resources");
        let types = rsrc.root().unwrap();
        let version = types
            .entries
            .iter()
            .find(|e| matches!(e.name_or_id(), ResourceNameOrId::Id(RT_VERSION)))
            .expect("a VERSIONINFO resource");
        let names = version.data(rsrc).unwrap().table().unwrap();
        let langs = names.entries[0].data(rsrc).unwrap().table().unwrap();
        let entry = langs.entries[0].data(rsrc).unwrap().data().unwrap();
        let rva = entry.offset_to_data.get(object::LittleEndian);
        let size = entry.size.get(object::LittleEndian) as usize;
        let bytes = pe.section_table().pe_data_at(data, rva).unwrap();
        bytes[..size].to_vec()
    }
    let data = std::fs::read(exe).unwrap();
    let bytes = match object::FileKind::parse(&*data).unwrap() {
        object::FileKind::Pe64 => read::<ImageNtHeaders64>(&data),
        object::FileKind::Pe32 => read::<ImageNtHeaders32>(&data),
        other => panic!("{}: {other:?} is not PE", exe.display()),
    };
    // VS_FIXEDFILEINFO starts with its signature, 0xFEEF04BD; the file version follows at +8.
    let at = bytes
        .windows(4)
        .position(|w| w == 0xfeef04bdu32.to_le_bytes())
        .expect("VS_FIXEDFILEINFO in the version resource");
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    let text: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    (
        u32_at(at + 8),
        u32_at(at + 12),
        String::from_utf16_lossy(&text),
    )
}

#[test]
fn resource_file_is_compiled_in_and_read_back() {
    let mut built = Vec::new();
    for &(platform, triple, _, _, _, bits) in TARGETS {
        if require_mingw(triple).is_none() || require_tool("llvm-rc", &[]).is_none() {
            return;
        }
        // windres's own spellings: -D for the preprocessor, -O coff, the target as a BFD name for 386.
        let object = format!("version-{bits}.o");
        let product = format!("-DPRODUCT=\"mab-{bits}\"");
        let mut args = vec![
            "windres",
            &product,
            "-i",
            "version.rc",
            "-O",
            "coff",
            "-o",
            &object,
        ];
        if bits == 32 {
            args.extend(["--target", "pe-i386"]);
        }
        mab_ok(platform, &[], &args);
        let exe = work().join(format!("version-{bits}.exe"));
        mab_ok(
            platform,
            &[],
            &[
                "cc",
                "-o",
                exe.to_str().unwrap(),
                "version.c",
                &object,
                "-lversion",
            ],
        );
        verify(platform, &exe);
        let (ms, ls, text) = version_resource(&exe);
        assert_eq!((ms, ls), (0x0001_0002, 0x0003_0004), "{}", exe.display());
        assert!(
            text.contains("ProductName") && text.contains(&format!("mab-{bits}")),
            "{text:?}"
        );
        built.push(exe);
    }
    if let Some(outputs) = run_under_wine(&built) {
        for (exe, got) in built.iter().zip(outputs) {
            assert_eq!(got, "version 1.2.3.4", "{}", exe.display());
        }
    }
}

/// Without llvm-rc on PATH, `<triple>-windres` (binutils') does the work.
#[test]
fn windres_falls_back_to_binutils() {
    let triple = "x86_64-w64-mingw32";
    let (Some(windres), Some(gcc)) = (
        require_tool(&format!("{triple}-windres"), &[]),
        require_tool(&format!("{triple}-gcc"), &[]),
    ) else {
        return;
    };
    let path = work().join("gnu-only");
    std::fs::create_dir_all(&path).unwrap();
    for tool in [&windres, &gcc] {
        let link = path.join(tool.file_name().unwrap());
        if !link.exists() {
            std::os::unix::fs::symlink(tool, link).unwrap();
        }
    }
    let (code, _, err) = run(mab()
        .current_dir(work())
        .env("PATH", &path)
        .env("TARGETPLATFORM", "windows/amd64")
        .args([
            "windres",
            // GNU windres hands -D to the preprocessor through a shell: the quotes must survive it.
            r#"-DPRODUCT=\"gnu\""#,
            "version.rc",
            "gnu-version.o",
        ]));
    assert_eq!(code, 0, "{err}");
    let head = std::fs::read(work().join("gnu-version.o")).unwrap();
    assert_eq!(&head[..2], 0x8664u16.to_le_bytes(), "an AMD64 COFF object");
    // Neither route installed: what to install.
    std::fs::remove_file(path.join(windres.file_name().unwrap())).unwrap();
    let (code, _, err) = run(mab()
        .current_dir(work())
        .env("PATH", &path)
        .env("TARGETPLATFORM", "windows/amd64")
        .args(["windres", "version.rc", "x.o"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("apt-get install llvm") && err.contains("binutils-mingw-w64-x86-64"),
        "{err}"
    );
}

/// xx-windres's own messages and exit code for a bad command line.
#[test]
fn xx_windres_errors() {
    for (args, says) in [
        (&["-foo", "foobar"][..], "invalid option -foo"),
        (&["-J", "foo", "in.rc", "out.o"], "invalid input format foo"),
        (
            &["-F", "pe-mips", "in.rc", "out.o"],
            "invalid target pe-mips for xx-windres",
        ),
    ] {
        let (code, _, err) = run(applet("xx-windres").args(args));
        assert_eq!((code, err.trim()), (1, says), "{args:?}");
    }
    let (_, out, _) = run(applet("xx-windres").arg("--version"));
    assert_eq!(out, "xx-windres 0.1");
}

#[test]
fn cgo_builds_and_runs_under_wine() {
    let Some(go) = require_tool("go", &["/usr/lib/go-1.23/bin/go"]) else {
        return;
    };
    let path = std::env::join_paths(
        std::iter::once(go.parent().unwrap().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/go-cgo");
    let mut built = Vec::new();
    let mut want = Vec::new();
    for &(platform, triple, _, goarch, _, _) in TARGETS {
        if require_mingw(triple).is_none() {
            return;
        }
        let exe = work().join(format!("go-cgo-{goarch}.exe"));
        let mut cmd = mab();
        for var in [
            "GOOS",
            "GOARCH",
            "CGO_ENABLED",
            "CC",
            "CXX",
            "GOFLAGS",
            "GOENV",
        ] {
            cmd.env_remove(var);
        }
        let (code, _, err) = run(cmd
            .current_dir(&example)
            .env("PATH", &path)
            .env("TARGETPLATFORM", platform)
            .env("GOCACHE", work().join("gocache"))
            .env("GOTOOLCHAIN", "local")
            .env("CGO_ENABLED", "1")
            .args(["go", "build", "-o"])
            .arg(&exe)
            .arg("."));
        assert_eq!(code, 0, "mab go build go-cgo for {platform}:\n{err}");
        verify(platform, &exe);
        built.push(exe);
        want.push(format!("go-cgo {goarch} 76127"));
    }
    if let Some(outputs) = run_under_wine(&built) {
        assert_eq!(outputs, want);
    }
}

#[test]
fn rust_with_c_builds_and_runs_under_wine() {
    if require_tool("cargo", &[]).is_none() {
        return;
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/rust-cc");
    let copy = work().join("rust-cc");
    std::fs::create_dir_all(copy.join("src")).unwrap();
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "src/main.rs",
        "src/prime_sum.c",
    ] {
        std::fs::copy(src.join(file), copy.join(file)).unwrap();
    }
    let mut built = Vec::new();
    let mut want = Vec::new();
    for &(platform, triple, rust, _, arch, _) in TARGETS {
        if require_mingw(triple).is_none() {
            return;
        }
        let mut cmd = mab();
        for (name, _) in std::env::vars() {
            if name.starts_with("CARGO_TARGET_")
                || name.starts_with("CC_")
                || name.starts_with("AR_")
            {
                cmd.env_remove(name);
            }
        }
        let (code, _, err) = run(cmd
            .current_dir(&copy)
            .env_remove("RUSTFLAGS")
            .env("TARGETPLATFORM", platform)
            .env("CARGO_TARGET_DIR", work().join("target"))
            .args(["cargo", "build"]));
        assert_eq!(code, 0, "mab cargo build rust-cc for {platform}:\n{err}");
        let exe = work().join("target").join(rust).join("debug/rust-cc.exe");
        verify(platform, &exe);
        built.push(exe);
        want.push(format!("rust-cc {arch} 76127"));
    }
    if let Some(outputs) = run_under_wine(&built) {
        assert_eq!(outputs, want);
    }
}

/// `mab apt-get` names Debian's MinGW-w64 packages (simulated: -s changes nothing).
#[test]
fn apt_get_names_mingw_packages() {
    if require_tool("apt-get", &[]).is_none() {
        return;
    }
    let (code, _, err) = run(mab().env("TARGETPLATFORM", "windows/386").args([
        "apt-get",
        "install",
        "-s",
        "gcc",
        "g++",
        "binutils",
        "zlib1g-dev",
    ]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "+ apt-get install -s gcc-mingw-w64-i686 g++-mingw-w64-i686 binutils-mingw-w64-i686\n"
        ),
        "{err}"
    );
    assert!(err.contains("skipping zlib1g-dev"), "{err}");
    let (code, _, err) = run(applet("xx-apt-get")
        .env("TARGETPLATFORM", "windows/arm64")
        .args(["install", "-y", "gcc"]));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("skipping packages installation on windows"),
        "{err}"
    );
}

/// windows/arm64 and windows/arm have no Debian MinGW-w64: the error says what to install instead.
#[test]
fn arm_says_what_to_install() {
    for platform in ["windows/arm64", "windows/arm"] {
        let (code, _, err) = run(mab()
            .current_dir(work())
            .env("TARGETPLATFORM", platform)
            .args(["cc", "-o", "x.exe", "hello.c"]));
        assert_eq!(code, 2, "{platform}");
        assert!(
            err.contains("llvm-mingw") && err.contains("MAB_SYSROOT"),
            "{err}"
        );
    }
}

/// CMake and Meson learn the system is Windows, and its resource compiler.
#[test]
fn build_files_say_windows() {
    if require_mingw("x86_64-w64-mingw32").is_none() {
        return;
    }
    let cmake = stdout(
        mab()
            .env("TARGETPLATFORM", "windows/amd64")
            .arg("cmake-toolchain"),
    );
    assert!(cmake.contains("set(CMAKE_SYSTEM_NAME Windows)"), "{cmake}");
    assert!(
        cmake.contains("set(CMAKE_RC_COMPILER \"x86_64-w64-mingw32-windres\")"),
        "{cmake}"
    );
    let meson = stdout(
        mab()
            .env("TARGETPLATFORM", "windows/amd64")
            .arg("meson-cross"),
    );
    assert!(meson.contains("system = 'windows'"), "{meson}");
    assert!(
        meson.contains("windres = 'x86_64-w64-mingw32-windres'"),
        "{meson}"
    );
}

/// A generated Dockerfile's build step runs `mab bundle` after `mab verify`: for Windows there is no root
/// filesystem to make, and the export stage takes the program alone.
#[test]
fn bundle_has_nothing_to_do_for_windows() {
    let out = work().join("bundle-rootfs");
    let (code, _, err) = run(mab()
        .env("TARGETPLATFORM", "windows/amd64")
        .arg("bundle")
        .arg(work().join("hello.c"))
        .arg("--to")
        .arg(&out));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("nothing to bundle for windows/amd64"), "{err}");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
}

/// `mab pkg-config` reads MinGW-w64's .pc files: /usr/<triple>/lib/pkgconfig, or under MAB_SYSROOT.
#[test]
fn pkg_config_reads_the_mingw_root() {
    if require_tool("pkg-config", &[]).is_none() {
        return;
    }
    let root = work().join("mingw-root");
    std::fs::create_dir_all(root.join("lib/pkgconfig")).unwrap();
    std::fs::write(
        root.join("lib/pkgconfig/mabwin.pc"),
        format!(
            "prefix={}\nName: mabwin\nDescription: test\nVersion: 1\nCflags: -I${{prefix}}/include\nLibs: -L${{prefix}}/lib -lmabwin\n",
            root.display()
        ),
    )
    .unwrap();
    let out = stdout(
        mab()
            .env("TARGETPLATFORM", "windows/amd64")
            .env("MAB_SYSROOT", &root)
            .args(["pkg-config", "--cflags", "--libs", "mabwin"]),
    );
    let r = root.display();
    assert_eq!(out.trim_end(), format!("-I{r}/include -L{r}/lib -lmabwin"));
    let (code, _, _) = run(mab().env("TARGETPLATFORM", "windows/amd64").args([
        "pkg-config",
        "--exists",
        "mabwin",
    ]));
    assert_eq!(code, 1, "/usr/x86_64-w64-mingw32 has no mabwin.pc");
}
