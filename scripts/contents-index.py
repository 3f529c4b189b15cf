#!/usr/bin/env python3
"""Writes toolchains/contents/<release>.tsv: which Debian package ships each name a build file can use.

`mab gen dockerfile` (src/core/project/contents.rs, embedded gzipped by build.rs) looks names up here.
For each release it reads dists/<release>/main/Contents-amd64.gz and Contents-all.gz from the Debian
mirror this machine's apt uses (the first non-security `URIs:` of /etc/apt/sources.list.d/debian.sources,
else the first `deb` line of /etc/apt/sources.list; --mirror overrides), so no host name lives in the repo.

Contents lines are `PATH<spaces>section/pkg[,section/pkg...]`. The multiarch directory (x86_64-linux-gnu)
is normalised away, and these names are kept, each with a kind letter:

  p  pkg-config module   usr/lib/<ma>/pkgconfig/N.pc, usr/lib/pkgconfig/N.pc, usr/share/pkgconfig/N.pc
  l  link name (-lN)     (usr/)lib/(<ma>/)libN.so; libN.a only when no package ships a libN.so
  h  header              usr/include/(<ma>/)H, H = x.h or dir/x.h, from -dev packages (and libc6-dev,
                         linux-libc-dev) only
  b  program             (usr/)(s)bin/N
  c  CMake package       usr/(lib/<ma>|lib|share)/cmake/<Dir>/<Name>Config.cmake or <Name>-config.cmake,
                         spelled as in the file name (lookups are case-insensitive, so names are unique
                         regardless of case)

When several packages ship one name, one is kept (`rank` below; `--self-test` checks it):
  library kinds (p l h c): a -dev package first, then one whose name contains the name (for a header the
      part before the first / or .h, for pkg-config and link names the name itself, lowercased), then the
      shortest package name, then the alphabetically first;
  programs (b): a package that is not -dbg/-dbgsym first, then not a busybox/toybox variant, then the
      package named exactly as the program, then the shortest, then the alphabetically first.

Output, sorted, one line per package: `package<TAB>kind:name kind:name ...` (tokens sorted by kind letter,
then name), after a comment header. Names with whitespace are skipped. Same mirror state, same bytes.

Usage: python3 scripts/contents-index.py [--release R ...] [--mirror URI] [--cache DIR] [--self-test]
  --cache DIR keeps the downloaded Contents files in DIR and reuses them on the next run.
"""

import argparse
import gzip
import os
import re
import sys
import urllib.request

RELEASES = ["bookworm", "trixie"]
MA = "x86_64-linux-gnu"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PKGCONFIG = re.compile(r"usr/(?:lib/(?:%s/)?|share/)pkgconfig/([^/]+)\.pc" % MA)
LINK = re.compile(r"(?:usr/)?lib/(?:%s/)?lib([^/]+)\.(so|a)" % MA)
HEADER = re.compile(r"usr/include/(?:%s/)?((?:[^/]+/)?[^/]+\.h)" % MA)
PROGRAM = re.compile(r"(?:usr/)?s?bin/([^/]+)")
CMAKE = re.compile(r"usr/(?:lib/%s|lib|share)/cmake/[^/]+/([^/]+?)(?:Config|-config)\.cmake" % MA)
PREFIXES = ("usr/lib/", "usr/share/pkgconfig/", "usr/share/cmake/", "usr/include/", "usr/bin/",
            "usr/sbin/", "lib/", "bin/", "sbin/")
HEADER_PACKAGES = {"libc6-dev", "linux-libc-dev"}
KINDS = "plhbc"


def mirror():
    """The Debian archive URI apt uses on this machine."""
    sources = "/etc/apt/sources.list.d/debian.sources"
    if os.path.exists(sources):
        with open(sources) as f:
            for line in f:
                if line.startswith("URIs:"):
                    for uri in line.split()[1:]:
                        if not uri.rstrip("/").endswith("-security"):
                            return uri.rstrip("/")
    if os.path.exists("/etc/apt/sources.list"):
        with open("/etc/apt/sources.list") as f:
            for line in f:
                words = [w for w in line.split() if not w.startswith("[")]
                if len(words) >= 2 and words[0] == "deb" and "security" not in words[1]:
                    return words[1].rstrip("/")
    sys.exit("contents-index: no Debian mirror in /etc/apt/sources.list.d/debian.sources or sources.list")


def contents(uri, release, name, cache):
    """Lines of one Contents file, downloaded (or from the cache directory)."""
    url = "%s/dists/%s/main/%s" % (uri, release, name)
    if cache:
        path = os.path.join(cache, "%s-%s" % (release, name))
        if not os.path.exists(path):
            print("contents-index: downloading %s" % url, file=sys.stderr)
            os.makedirs(cache, exist_ok=True)
            with urllib.request.urlopen(url) as r, open(path + ".part", "wb") as f:
                while chunk := r.read(1 << 20):
                    f.write(chunk)
            os.replace(path + ".part", path)
        with gzip.open(path, "rt", encoding="utf-8", errors="surrogateescape") as f:
            yield from f
    else:
        print("contents-index: downloading %s" % url, file=sys.stderr)
        with urllib.request.urlopen(url) as r:
            with gzip.open(r, "rt", encoding="utf-8", errors="surrogateescape") as f:
                yield from f


def names(path, packages):
    """(kind, name) pairs the path gives each of its packages: yields (kind, name, package)."""
    m = PKGCONFIG.fullmatch(path)
    if m:
        for pkg in packages:
            yield "p", m.group(1), pkg
        return
    m = CMAKE.fullmatch(path)
    if m:
        for pkg in packages:
            yield "c", m.group(1), pkg
        return
    m = LINK.fullmatch(path)
    if m:
        kind = "l" if m.group(2) == "so" else "a"
        for pkg in packages:
            yield kind, m.group(1), pkg
        return
    m = HEADER.fullmatch(path)
    if m:
        for pkg in packages:
            if pkg.endswith("-dev") or pkg in HEADER_PACKAGES:
                yield "h", m.group(1), pkg
        return
    m = PROGRAM.fullmatch(path)
    if m:
        for pkg in packages:
            yield "b", m.group(1), pkg


def stem(kind, name):
    """The part of a name a package name may contain (see the header)."""
    name = name.lower()
    if kind == "h":
        return name.split("/")[0].removesuffix(".h")
    return name


def rank(kind, name, pkg):
    """Sort key of a package that ships `name` of `kind`: the smallest wins."""
    if kind == "b":
        dbg = pkg.endswith("-dbg") or pkg.endswith("-dbgsym")
        box = pkg.startswith("busybox") or pkg.startswith("toybox")
        return (dbg, box, pkg != name, len(pkg), pkg)
    return (not pkg.endswith("-dev"), stem(kind, name) not in pkg, len(pkg), pkg)


def index(lines):
    """{(kind, key): {package: name}} from Contents lines; key is the lowercased name for CMake."""
    found = {}
    for line in lines:
        if not line.startswith(PREFIXES):
            continue
        parts = line.rstrip("\n").rsplit(None, 1)
        if len(parts) != 2:
            continue
        path, pkgs = parts[0].rstrip(), parts[1]
        packages = [p.rsplit("/", 1)[-1] for p in pkgs.split(",")]
        for kind, name, pkg in names(path, packages):
            if not name or any(c.isspace() for c in name):
                continue
            key = name.lower() if kind == "c" else name
            spellings = found.setdefault((kind, key), {})
            # One spelling per package for CMake: the alphabetically first.
            if pkg not in spellings or name < spellings[pkg]:
                spellings[pkg] = name
    return found


def choose(found):
    """{package: [(kind, name)]}: each name once, with the package `rank` picks."""
    links = {key for kind, key in found if kind == "l"}
    chosen = {}
    for (kind, key), spellings in found.items():
        if kind == "a":
            if key in links:
                continue
            kind = "l"
        pkg = min(spellings, key=lambda p: rank(kind, spellings[p], p))
        chosen.setdefault(pkg, []).append((kind, spellings[pkg]))
    return chosen


def render(release, chosen):
    out = [
        "# Debian %s main (Contents-amd64, Contents-all): the package that ships each name." % release,
        "# Written by scripts/contents-index.py; kinds: p pkg-config, l link (-l), h header, b program, c CMake.",
    ]
    for pkg in sorted(chosen):
        tokens = sorted(set(chosen[pkg]), key=lambda t: (KINDS.index(t[0]), t[1]))
        out.append(pkg + "\t" + " ".join("%s:%s" % t for t in tokens))
    return "\n".join(out) + "\n"


def self_test():
    def pick(kind, name, *pkgs):
        return min(pkgs, key=lambda p: rank(kind, name, p))

    cases = [
        (("p", "zlib", "zlib1g", "zlib1g-dev"), "zlib1g-dev"),
        (("l", "z", "libfoo-dev", "zlib1g-dev"), "zlib1g-dev"),
        (("h", "readline/readline.h", "libreadline-dev", "libeditreadline-dev", "a-dev"), "libreadline-dev"),
        (("h", "x.h", "libbb-dev", "libaa-dev"), "libaa-dev"),
        (("c", "fmt", "libfmt-dev", "libspdlog-dev"), "libfmt-dev"),
        (("b", "xxd", "xxd", "vim-common"), "xxd"),
        (("b", "ls", "busybox", "coreutils"), "coreutils"),
        (("b", "sh", "busybox-static", "toybox", "dash"), "dash"),
        (("b", "foo", "foo-dbg", "bar"), "bar"),
        (("b", "foo", "abcd", "abc"), "abc"),
    ]
    for (args, want) in cases:
        got = pick(*args)
        assert got == want, "%r: %s, not %s" % (args, got, want)
    lines = [
        "usr/lib/x86_64-linux-gnu/libq.a   libdevel/libq-dev\n",
        "usr/lib/x86_64-linux-gnu/libz.a   libdevel/zlib1g-dev\n",
        "usr/lib/x86_64-linux-gnu/libz.so  libdevel/zlib1g-dev\n",
        "usr/lib/libz.a                    libdevel/libz-mingw-dev\n",
        "usr/include/zlib.h                libdevel/zlib1g-dev,libs/zlib1g\n",
        "usr/include/x86_64-linux-gnu/zconf.h libdevel/zlib1g-dev\n",
        "usr/share/cmake/Fmt/fmt-config.cmake libdevel/libfmt-dev\n",
        "usr/lib/cmake/FMT/FMTConfig.cmake libdevel/libother-dev\n",
        "usr/bin/my prog                    utils/spaces\n",
        "usr/bin/xxd                       editors/xxd,editors/vim-common\n",
    ]
    got = choose(index(lines))
    want = {"libq-dev": [("l", "q")], "zlib1g-dev": [("l", "z"), ("h", "zlib.h"), ("h", "zconf.h")],
            "libfmt-dev": [("c", "fmt")], "xxd": [("b", "xxd")]}
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in want.items()}, got
    print("contents-index: self-test passed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--release", action="append", choices=RELEASES)
    ap.add_argument("--mirror")
    ap.add_argument("--cache")
    ap.add_argument("--out", default=os.path.join(ROOT, "toolchains", "contents"))
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    uri = (args.mirror or mirror()).rstrip("/")
    os.makedirs(args.out, exist_ok=True)
    for release in args.release or RELEASES:
        found = {}
        for name in ("Contents-amd64.gz", "Contents-all.gz"):
            for key, spellings in index(contents(uri, release, name, args.cache)).items():
                merged = found.setdefault(key, {})
                for pkg, spelling in spellings.items():
                    if pkg not in merged or spelling < merged[pkg]:
                        merged[pkg] = spelling
        text = render(release, choose(found))
        path = os.path.join(args.out, release + ".tsv")
        with open(path + ".part", "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        os.replace(path + ".part", path)
        print("contents-index: %s: %d bytes" % (path, len(text.encode("utf-8", "surrogateescape"))),
              file=sys.stderr)


if __name__ == "__main__":
    main()
