//! Files the server keeps under its data directory (secrets, credentials): readable by the
//! server's own user only.

use std::io::Write;
use std::path::Path;

/// Creates `path` with `contents`, mode 0600; refuses to overwrite an existing file.
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}
