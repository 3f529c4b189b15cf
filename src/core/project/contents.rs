//! Stub until the Contents index lands (branch contents-index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    PkgConfig,
    Link,
    Header,
    Program,
    Cmake,
}

pub fn package(_release: &str, _kind: Kind, _name: &str) -> Option<&'static str> {
    None
}
