//! Files and folders only their owner may read or open, whatever the umask: the data folder,
//! the SQLite database (its `-wal` and `-shm` follow the database file's mode), the `.eml`
//! outbox and each message in it, and the generated JWT secret.

use std::io;
use std::path::Path;

/// Owner only: read and write.
pub const FILE_MODE: u32 = 0o600;
/// Owner only: list, create, enter.
pub const DIR_MODE: u32 = 0o700;

/// Creates `path` (and any missing parents) as owner-only folders; with `tighten`, an existing
/// `path` is made owner-only too (a folder that is the app's own, not one it was pointed into).
/// Tightening what exists is best effort: a folder someone else owns is left as it is.
pub fn private_dir(path: &Path, tighten: bool) -> io::Result<()> {
    if path.as_os_str().is_empty() {
        return Ok(());
    }
    if path.is_dir() {
        if tighten {
            let _ = set_mode(path, DIR_MODE);
        }
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(path)?;
    set_mode(path, DIR_MODE)
}

/// Makes an existing file owner-only (best effort), or creates it empty that way; a missing
/// optional file (`create == false`) is left missing.
pub fn private_file(path: &Path, create: bool) -> io::Result<()> {
    if path.exists() {
        let _ = set_mode(path, FILE_MODE);
        return Ok(());
    }
    if create {
        open_options().open(path)?;
    }
    Ok(())
}

/// Options that create a new file owner-only (truncating one that exists).
pub fn open_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> io::Result<()> {
    Ok(())
}

/// The SQLite database at `path` and its folder, owner-only, before SQLite opens it: SQLite gives
/// the `-wal` and `-shm` files it makes the database file's mode; any left from an earlier run
/// are tightened too.
pub fn private_sqlite(path: &Path) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        private_dir(parent, false)?;
    }
    private_file(path, true)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        private_file(Path::new(&side), false)?;
    }
    Ok(())
}
