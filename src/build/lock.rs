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
        Self::acquire_or(work_dir, || {
            eprintln!(
                "nnblocks: waiting for another nnblocks build in {} ... \
                 (set NNBLOCKS_WORK_DIR to build side by side)",
                work_dir.display()
            )
        })
    }

    /// Locks `work_dir`; calls `waiting` first if another holder must let go.
    fn acquire_or(work_dir: &Path, waiting: impl FnOnce()) -> Result<WorkLock> {
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
                waiting();
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

    #[derive(Debug, PartialEq)]
    enum Event {
        Waiting,
        Locked,
    }

    #[test]
    fn a_second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = WorkLock::acquire(dir.path()).unwrap();
        let (tx, rx) = mpsc::channel();
        let path = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            let waiting = tx.clone();
            let _second =
                WorkLock::acquire_or(&path, move || waiting.send(Event::Waiting).unwrap()).unwrap();
            tx.send(Event::Locked).unwrap();
        });
        // Whatever the machine's load: the second finds the lock taken...
        assert_eq!(rx.recv().unwrap(), Event::Waiting, "the lock was not held");
        // ... and cannot have it while the first holds it (nothing may come:
        // the limit only says how long to look).
        assert_eq!(
            rx.recv_timeout(Duration::from_millis(200)),
            Err(mpsc::RecvTimeoutError::Timeout),
            "the second lock was granted while the first was held"
        );
        drop(first);
        assert_eq!(rx.recv().unwrap(), Event::Locked);
        waiter.join().unwrap();
    }
}
