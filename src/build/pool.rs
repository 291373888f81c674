//! Running a plan's programs side by side: each is its own process, so
//! independent programs share the cores; what depends on the order (the
//! results, the reports) is kept in program order.

use crate::plan::Program;
use std::sync::atomic::{AtomicUsize, Ordering};

/// In which order and how the programs run.
#[derive(Debug, PartialEq)]
pub struct Schedule {
    /// Run side by side, in this order (as workers free up).
    pub shared: Vec<usize>,
    /// Run one at a time after the others: their output measures time
    /// (`timing`), and a neighbour on the other core would slow them.
    pub alone: Vec<usize>,
}

/// The schedule of `runs` (indexes into `programs`). A program whose cells
/// were given a longer timeout starts first: an author raises the timeout
/// where a program runs long, and the longest one should not begin last
/// while the other cores have nothing left to do.
pub fn schedule(programs: &[Program], runs: &[usize]) -> Schedule {
    let (alone, mut shared): (Vec<usize>, Vec<usize>) =
        (runs.iter().copied()).partition(|&p| programs[p].cells.iter().any(|c| c.rules.timing));
    let longest = |p: &usize| programs[*p].cells.iter().map(|c| c.timeout_s).max();
    // Stable: equal timeouts keep the book's order.
    shared.sort_by_key(|p| std::cmp::Reverse(longest(p)));
    Schedule { shared, alone }
}

/// `run` for each item, on at most `workers` threads, each taking the next
/// item as it finishes one; the results in the items' order.
pub fn side_by_side<T: Send>(
    items: &[usize],
    workers: usize,
    run: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, T)> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..workers.clamp(1, items.len().max(1)))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&item) = items.get(n) else {
                            return mine;
                        };
                        mine.push((n, run(item)));
                    }
                })
            })
            .collect();
        (threads.into_iter())
            .flat_map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    results.sort_by_key(|(n, _)| *n);
    results.into_iter().map(|(_, r)| r).collect()
}

/// How many programs run at once: one per core.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::attrs::{Kind, Rules};
    use crate::markdown::snippet::Location;
    use crate::plan::Cell;
    use crate::plan::codegen::CellLines;
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    fn program(timeouts: &[u64], timing: bool) -> Program {
        let cell = |&timeout_s: &u64| Cell {
            snippet: 0,
            location: Location {
                file: "book/a.md".into(),
                line: 1,
            },
            code_line: 2,
            lines: CellLines {
                first_line: 1,
                len: 1,
            },
            chapter: "a.md".into(),
            key: "k".into(),
            rules: Rules {
                tolerance: None,
                timing,
            },
            timeout_s,
            figures: 0,
        };
        Program {
            id: "p".into(),
            kind: Kind::Run,
            own_main: false,
            cells: timeouts.iter().map(cell).collect(),
            code: String::new(),
        }
    }

    #[test]
    fn timing_programs_run_alone_and_long_ones_start_first() {
        let programs = [
            program(&[60], false),
            program(&[120], true),
            program(&[60, 900], false),
            program(&[60], false),
            program(&[600], false),
        ];
        assert_eq!(
            schedule(&programs, &[0, 1, 2, 3, 4]),
            Schedule {
                shared: vec![2, 4, 0, 3],
                alone: vec![1],
            }
        );
        // Only what is to run is scheduled.
        assert_eq!(
            schedule(&programs, &[3, 0]),
            Schedule {
                shared: vec![3, 0],
                alone: vec![],
            }
        );
    }

    #[test]
    fn items_run_at_once_and_results_keep_their_order() {
        // Each item waits until both have started: both see the other only
        // if two run at once (the wait's limit only stops a broken pool).
        let started = (Mutex::new(0), Condvar::new());
        let results = side_by_side(&[7, 3], 2, |item| {
            let (count, changed) = &started;
            let mut n = count.lock().unwrap();
            *n += 1;
            changed.notify_all();
            let (_n, wait) = changed
                .wait_timeout_while(n, Duration::from_secs(60), |n| *n < 2)
                .unwrap();
            (item * 10, !wait.timed_out())
        });
        assert_eq!(results, [(70, true), (30, true)]);
        // One worker runs them one after another, in order.
        let order = Mutex::new(Vec::new());
        let results = side_by_side(&[5, 1, 4], 1, |item| {
            order.lock().unwrap().push(item);
            item
        });
        assert_eq!(results, [5, 1, 4]);
        assert_eq!(order.into_inner().unwrap(), [5, 1, 4]);
        assert!(side_by_side(&[], 4, |i| i).is_empty());
    }
}
