//! The one Tera setup: every embedded template (the generated Dockerfiles and their partials, bake, CI and
//! publish scripts, the CMake toolchain and Meson cross files), the filters that quote values for the
//! syntax they land in, and rendering that reports Tera's whole error chain.
//!
//! Undefined variables are errors in Tera, so a template cannot silently drop a value; names end in
//! neither .html nor .xml, so Tera's HTML escaping stays off. Tera escapes nothing else: every value is
//! validated by its module before it reaches a template.

use super::shell;
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;
use tera::{Context, Tera, Value};

/// The embedded templates, parsed once per process.
pub fn all() -> &'static Tera {
    static ALL: LazyLock<Tera> = LazyLock::new(|| {
        let mut t = setup();
        t.add_raw_templates(EMBEDDED.iter().copied())
            .expect("the embedded templates parse (tested)");
        t
    });
    &ALL
}

const EMBEDDED: &[(&str, &str)] = &[
    (
        "header",
        include_str!("../../templates/dockerfile/header.Dockerfile"),
    ),
    (
        "mab-stage",
        include_str!("../../templates/dockerfile/mab-stage.Dockerfile"),
    ),
    (
        "apt-host",
        include_str!("../../templates/dockerfile/apt-host.Dockerfile"),
    ),
    (
        "apt-target",
        include_str!("../../templates/dockerfile/apt-target.Dockerfile"),
    ),
    (
        "ccache",
        include_str!("../../templates/dockerfile/ccache.Dockerfile"),
    ),
    (
        "runtime",
        include_str!("../../templates/dockerfile/runtime.Dockerfile"),
    ),
    (
        "go.Dockerfile",
        include_str!("../../templates/dockerfile/go.Dockerfile"),
    ),
    (
        "rust.Dockerfile",
        include_str!("../../templates/dockerfile/rust.Dockerfile"),
    ),
    (
        "c.Dockerfile",
        include_str!("../../templates/dockerfile/c.Dockerfile"),
    ),
    ("dockerignore", include_str!("../../templates/dockerignore")),
    (
        "docker-bake.hcl",
        include_str!("../../templates/docker-bake.hcl"),
    ),
    ("github.yml", include_str!("../../templates/ci/github.yml")),
    ("gitlab.yml", include_str!("../../templates/ci/gitlab.yml")),
    (
        "publish/header.sh",
        include_str!("../../templates/publish/header.sh"),
    ),
    (
        "publish/digest.sh",
        include_str!("../../templates/publish/digest.sh"),
    ),
    (
        "publish/docker.sh",
        include_str!("../../templates/publish/docker.sh"),
    ),
    (
        "publish/podman.sh",
        include_str!("../../templates/publish/podman.sh"),
    ),
    (
        "publish/buildx.sh",
        include_str!("../../templates/publish/buildx.sh"),
    ),
    (
        "cmake-toolchain.cmake",
        include_str!("../../templates/cmake-toolchain.cmake"),
    ),
    (
        "meson-cross.ini",
        include_str!("../../templates/meson-cross.ini"),
    ),
];

/// An empty Tera with mab's filters.
fn setup() -> Tera {
    let mut t = Tera::default();
    t.register_filter("sh", filter(shell::quote));
    t.register_filter("hcl", filter(hcl_string));
    t.register_filter(
        "yaml",
        filter(|s| serde_json::to_string(s).expect("strings serialise")),
    );
    t
}

fn filter(
    f: impl Fn(&str) -> String + Send + Sync + 'static,
) -> impl Fn(&Value, &HashMap<String, Value>) -> tera::Result<Value> + Send + Sync + 'static {
    move |v, _| match v.as_str() {
        Some(s) => Ok(Value::String(f(s))),
        None => Err(tera::Error::msg("this filter takes a string")),
    }
}

/// An HCL quoted string: JSON's escapes plus HCL's template markers (`${`, `%{`) doubled.
pub fn hcl_string(s: &str) -> String {
    serde_json::to_string(s)
        .expect("strings serialise")
        .replace("${", "$${")
        .replace("%{", "%%{")
}

/// A template that failed to render: a bug in mab's templates or values, never the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateError {}

/// Renders the embedded template `name`.
pub fn render(name: &str, cx: &Context) -> Result<String, TemplateError> {
    render_in(all(), name, cx)
}

/// Renders `name` from `t`, with Tera's whole chain in the error (the undefined name is in a source).
pub fn render_in(t: &Tera, name: &str, cx: &Context) -> Result<String, TemplateError> {
    t.render(name, cx).map_err(|e| {
        let mut msg = format!("internal error rendering {name}: {e}");
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg.push_str(&format!(": {s}"));
            source = s.source();
        }
        TemplateError(msg)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse() {
        all();
    }

    #[test]
    fn undefined_variables_are_errors() {
        let mut t = setup();
        t.add_raw_template("t", "{{ triple }} {{ nope }}").unwrap();
        let mut cx = Context::new();
        cx.insert("triple", "aarch64-linux-gnu");
        let err = render_in(&t, "t", &cx).unwrap_err();
        assert!(err.to_string().contains("nope"), "{err}");
        t.add_raw_template("u", "{{ triple | sh }}").unwrap();
        assert_eq!(render_in(&t, "u", &cx).unwrap(), "aarch64-linux-gnu");
    }
}
