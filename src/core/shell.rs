//! Quoting for the `KEY=value` lines users `eval`.

/// The value as one POSIX shell word: bare when it holds only inert characters, else single-quoted.
pub fn quote(value: &str) -> String {
    let inert = |b: u8| b.is_ascii_alphanumeric() || b"._/+:,=@%-".contains(&b);
    if value.bytes().all(inert) {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoting() {
        assert_eq!(quote("aarch64-linux-gnu"), "aarch64-linux-gnu");
        assert_eq!(quote(""), "");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("$(id)"), "'$(id)'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("a\nb"), "'a\nb'");
    }
}
