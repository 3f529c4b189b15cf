//! What `mab clang` costs per compiler call, against running clang directly with the flags mab adds, on a
//! small translation unit, in the same run: `cargo bench --bench cc_overhead` (MAB_BENCH_RUNS=N for more
//! samples). The calls alternate, and the overhead is the median of the per-pair differences. Both wall
//! time and CPU time (user + system, from getrusage) are reported; the budget (1 ms and 3 % per call) is
//! judged on CPU time, which other processes on a busy machine do not inflate the way they inflate wall
//! time. Exits 1 when over the budget.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const TU: &str = r#"#include <stdio.h>
#include <string.h>
static unsigned checksum(const char *s) { unsigned h = 5381; while (*s) h = h * 33 + (unsigned char)*s++; return h; }
int main(int argc, char **argv) { printf("%u %zu\n", checksum(argc > 1 ? argv[1] : "mab"), strlen(argv[0])); return 0; }
"#;

/// CPU time used so far by this process's finished children.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Wall and CPU milliseconds of one run.
fn time(cmd: &mut Command) -> (f64, f64) {
    let cpu = children_cpu();
    let start = Instant::now();
    let status = cmd.status().expect("the command starts");
    let wall = start.elapsed();
    assert!(status.success(), "{cmd:?} failed");
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (ms(wall), ms(children_cpu() - cpu))
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
    // The least any exec'ing wrapper can cost: env(1) exec'ing clang with the same arguments.
    let trampoline = || {
        let mut c = Command::new("env");
        c.arg("clang")
            .arg(format!("--target={triple}"))
            .args(["-c", "-O0", "-o"])
            .arg(dir.join("env.o"))
            .arg(&src);
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
    // Per pair: (direct, wrapped) for wall and CPU time.
    let (mut wall, mut cpu, mut startup_cpu) = (Vec::new(), Vec::new(), Vec::new());
    let mut env_cpu = Vec::new();
    for i in 0..runs {
        // Alternate which goes first, so neither always runs with warmer caches.
        let (a, b) = if i % 2 == 0 {
            let a = time(&mut direct());
            (a, time(&mut wrapped()))
        } else {
            let b = time(&mut wrapped());
            (time(&mut direct()), b)
        };
        wall.push((a.0, b.0));
        cpu.push((a.1, b.1));
        startup_cpu.push(time(&mut startup()).1);
        let direct_cpu = time(&mut direct()).1;
        env_cpu.push((direct_cpu, time(&mut trampoline()).1));
    }
    let report = |what: &str, wrapper: &str, pairs: &[(f64, f64)]| {
        let direct = median(pairs.iter().map(|p| p.0).collect());
        let wrapped = median(pairs.iter().map(|p| p.1).collect());
        let overhead = median(pairs.iter().map(|p| p.1 - p.0).collect());
        let ratio = overhead / direct * 100.0;
        println!(
            "{what:>4}: clang {direct:7.3} ms, {wrapper} {wrapped:7.3} ms, overhead {overhead:6.3} ms = {ratio:5.2} %"
        );
        (overhead, ratio)
    };
    println!(
        "mab clang -c vs clang --target={triple} -c on a small file, medians of {runs} pairs:"
    );
    report("wall", "mab clang", &wall);
    let (overhead, ratio) = report("cpu", "mab clang", &cpu);
    println!("the floor, env(1) exec'ing clang instead of mab:");
    report("cpu", "env clang", &env_cpu);
    println!(
        "mab alone (mab clang --print-target-triple, no compiler): {:.3} ms CPU",
        median(startup_cpu)
    );
    let ok = overhead < 1.0 && ratio < 3.0;
    println!(
        "budget (CPU overhead < 1 ms and < 3 %): {}",
        if ok { "met" } else { "NOT met" }
    );
    let _ = std::fs::remove_dir_all(&dir);
    if !ok {
        std::process::exit(1);
    }
}
