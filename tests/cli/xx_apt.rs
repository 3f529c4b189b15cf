//! `xx-apt` / `xx-apt-get` options that touch no package state (installs are tests/cli/apt.rs').

use crate::common::*;

/// `--fix-source-file FILE ARCH` restricts a sources file to one architecture, in either format, and a
/// second run changes nothing.
#[test]
fn fix_source_file_pins_every_entry() {
    let dir = temp_path("xx-apt");
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "mirror.sources",
            "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\nComponents: main\n\n\
             Types: deb-src\nArchitectures: amd64\nURIs: http://mirror.example/debian\nSuites: bookworm\n",
            "Types: deb\nArchitectures: ppc64el\nURIs: http://mirror.example/debian\nSuites: bookworm\nComponents: main\n\n\
             Types: deb-src\nArchitectures: amd64\nURIs: http://mirror.example/debian\nSuites: bookworm\n",
        ),
        (
            "mirror.list",
            "deb http://mirror.example/debian bookworm main\n\
             deb [signed-by=/k.gpg] http://mirror.example/debian bookworm-updates main\n",
            "deb [arch=ppc64el] http://mirror.example/debian bookworm main\n\
             deb [arch=ppc64el signed-by=/k.gpg] http://mirror.example/debian bookworm-updates main\n",
        ),
    ];
    for (name, before, after) in cases {
        let file = dir.join(name);
        std::fs::write(&file, before).unwrap();
        for _ in 0..2 {
            let mut cmd = applet("xx-apt");
            stdout(cmd.arg("--fix-source-file").arg(&file).arg("ppc64el"));
            assert_eq!(std::fs::read_to_string(&file).unwrap(), after, "{name}");
        }
    }
    let mut cmd = applet("xx-apt-get");
    let (code, _, err) = run(cmd.args(["--fix-source-file", "/nonexistent", "arm64"]));
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    assert!(err.contains("cannot read /nonexistent"), "{err}");
    let mut cmd = applet("xx-apt");
    let (code, _, err) = run(cmd.args(["--fix-source-file", "/etc/apt/sources.list", "arm64]"]));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a plain name"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
