//! Files named on the command line, read with care: only regular files
//! (never a directory, a device such as /dev/zero, or a FIFO that may
//! never see a writer), and only up to a size that makes sense for what
//! they hold, so a wrong path is a clear usage error, never a hang or an
//! exhausted memory.

use std::path::Path;

use super::UsageError;

/// The most a password file may hold.
pub const PASSWORD_FILE: u64 = 64 << 10;
/// The most a request body (`-file:`) or a PowerShell script may hold.
pub const BODY_FILE: u64 = 64 << 20;
/// The most a CA bundle (`--cacert`) may hold.
pub const CA_FILE: u64 = 16 << 20;
/// The most a certificate, key or keytab may hold.
pub const KEY_FILE: u64 = 1 << 20;

/// Checks that `path` is a regular file of at most `cap` bytes; `what`
/// names it in the message (`the password file`).
pub fn check(path: &Path, what: &str, cap: u64) -> Result<(), UsageError> {
    let shown = path.display();
    let metadata = std::fs::metadata(path)
        .map_err(|e| UsageError::new(format!("cannot read {what} {shown}: {e}")))?;
    if !metadata.is_file() {
        return Err(UsageError::new(format!(
            "{what} {shown} is not a regular file (a directory, device or pipe); give a file"
        )));
    }
    if metadata.len() > cap {
        return Err(UsageError::new(format!(
            "{what} {shown} holds {} bytes, more than {what} can need ({cap} at most)",
            metadata.len()
        )));
    }
    Ok(())
}

/// Reads `path` as text after [`check`].
pub fn read_to_string(path: &Path, what: &str, cap: u64) -> Result<String, UsageError> {
    check(path, what, cap)?;
    std::fs::read_to_string(path)
        .map_err(|e| UsageError::new(format!("cannot read {what} {}: {e}", path.display())))
}

/// Reads `path` as bytes after [`check`].
pub fn read(path: &Path, what: &str, cap: u64) -> Result<Vec<u8>, UsageError> {
    check(path, what, cap)?;
    std::fs::read(path)
        .map_err(|e| UsageError::new(format!("cannot read {what} {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_of_a_sensible_size() {
        let e = check(Path::new("/dev/zero"), "the password file", PASSWORD_FILE).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let e = check(Path::new("/"), "the CA file", CA_FILE).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let e = check(Path::new("/no/such/file"), "the keytab", KEY_FILE).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot read the keytab /no/such/file"),
            "{e}"
        );
        let dir = std::env::temp_dir().join(format!("winrm-local-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big");
        std::fs::write(&big, vec![b'x'; 100]).unwrap();
        let e = check(&big, "the password file", 10).unwrap_err();
        assert!(e.to_string().contains("holds 100 bytes"), "{e}");
        assert!(check(&big, "the password file", 100).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
