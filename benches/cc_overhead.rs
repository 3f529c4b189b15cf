//! What `mab clang` costs per compiler call, against running clang directly with the flags mab adds, on a
//! small translation unit, in the same run: `cargo bench --bench cc_overhead` (MAB_BENCH_RUNS=N for more
//! samples). The calls alternate, and the overhead is the median of the per-pair differences, so machine
//! noise hits both sides alike. Exits 1 when over the budget (1 ms and 3 % per call).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const TU: &str = r#"#include <stdio.h>
#include <string.h>
static unsigned checksum(const char *s) { unsigned h = 5381; while (*s) h = h * 33 + (unsigned char)*s++; return h; }
int main(int argc, char **argv) { printf("%u %zu\n", checksum(argc > 1 ? argv[1] : "mab"), strlen(argv[0])); return 0; }
"#;

fn time(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let status = cmd.status().expect("the command starts");
    let elapsed = start.elapsed();
    assert!(status.success(), "{cmd:?} failed");
    elapsed
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::var("MAB_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let dir = std::env::temp_dir().join(format!("mab-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("tu.c");
    std::fs::write(&src, TU).unwrap();
    let mab = Path::new(env!("CARGO_BIN_EXE_mab"));
    // A cross target, so mab resolves the platform, the table row and the installed toolchain.
    let (platform, triple) = ("linux/arm64", "aarch64-linux-gnu");

    let direct = || {
        let mut c = Command::new("clang");
        c.arg(format!("--target={triple}"))
            .args(["-c", "-O0", "-o"])
            .arg(dir.join("direct.o"))
            .arg(&src);
        c
    };
    let wrapped = || {
        let mut c = Command::new(mab);
        c.args(["clang", "-c", "-O0", "-o"])
            .arg(dir.join("wrapped.o"))
            .arg(&src)
            .env("TARGETPLATFORM", platform);
        c
    };
    let startup = || {
        let mut c = Command::new(mab);
        c.args(["clang", "--print-target-triple"])
            .env("TARGETPLATFORM", platform)
            .stdout(std::process::Stdio::null());
        c
    };
    for _ in 0..5 {
        time(&mut direct());
        time(&mut wrapped());
    }
    let (mut d, mut w, mut diff, mut s) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        // Alternate which goes first, so neither always runs with warmer caches.
        let (a, b) = if i % 2 == 0 {
            let a = time(&mut direct());
            (a, time(&mut wrapped()))
        } else {
            let b = time(&mut wrapped());
            (time(&mut direct()), b)
        };
        let (a, b) = (a.as_secs_f64() * 1e3, b.as_secs_f64() * 1e3);
        d.push(a);
        w.push(b);
        diff.push(b - a);
        s.push(time(&mut startup()).as_secs_f64() * 1e3);
    }
    let (d, w, overhead, s) = (median(d), median(w), median(diff), median(s));
    let ratio = overhead / d * 100.0;
    println!("clang -c directly:      {d:8.3} ms (median of {runs})");
    println!("mab clang -c:           {w:8.3} ms");
    println!(
        "overhead per call:      {overhead:8.3} ms = {ratio:.2} % (median of pairwise differences)"
    );
    println!("mab startup + planning: {s:8.3} ms (mab clang --print-target-triple, no compiler)");
    let ok = overhead < 1.0 && ratio < 3.0;
    println!(
        "budget (< 1 ms and < 3 %): {}",
        if ok { "met" } else { "NOT met" }
    );
    let _ = std::fs::remove_dir_all(&dir);
    if !ok {
        std::process::exit(1);
    }
}
