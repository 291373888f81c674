//! One build at a time per work folder: the registry crate, its binary and
//! the figure folders under `target/nnblocks` are shared, and a second build
//! rewriting them would run the wrong program or delete another's figures.

use anyhow::{Context, Result};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

/// Held while the work folder is in use; released when dropped (or when the
/// process dies: the operating system drops the lock with the file).
#[derive(Debug)]
pub struct WorkLock(#[allow(dead_code)] File);

impl WorkLock {
    /// Locks `work_dir`, waiting (and saying so) while another build holds it.
    pub fn acquire(work_dir: &Path) -> Result<WorkLock> {
        std::fs::create_dir_all(work_dir)
            .with_context(|| format!("creating {}", work_dir.display()))?;
        let path = work_dir.join("lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                eprintln!(
                    "nnblocks: waiting for another nnblocks build in {} ... \
                     (set NNBLOCKS_WORK_DIR to build side by side)",
                    work_dir.display()
                );
                file.lock()
                    .with_context(|| format!("locking {}", path.display()))?;
            }
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("locking {}", path.display()));
            }
        }
        Ok(WorkLock(file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = WorkLock::acquire(dir.path()).unwrap();
        let (tx, rx) = mpsc::channel();
        let path = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            let _second = WorkLock::acquire(&path).unwrap();
            tx.send(()).unwrap();
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "the second lock was granted while the first was held"
        );
        drop(first);
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the second lock is granted once the first is dropped");
        waiter.join().unwrap();
    }
}
