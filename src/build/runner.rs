//! Running one program of the registry in a child process: per-cell
//! timeouts, a cap on output, stdout split into cells, figures collected.

use crate::build::output::{ArrayFile, FigureFile, Output, Value};
use anyhow::{Context, Result};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const CELL_MARK: &str = "\u{1e}cell:";
const FIGURE_MARK: &str = "\u{1e}figure:";
const VALUE_MARK: &str = "\u{1e}value:";
const ARRAY_MARK: &str = "\u{1e}array:";
const END_MARK: char = '\u{1e}';

/// What to run.
pub struct RunRequest<'a> {
    pub executable: &'a Path,
    pub program: &'a str,
    /// Where the program's figures are written (emptied first).
    pub figure_dir: PathBuf,
    /// One timeout per cell; each cell's clock starts at its marker.
    pub timeouts: Vec<Duration>,
    /// Bytes of stdout after which the program is killed.
    pub output_limit: usize,
}

/// How the process ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    Success,
    /// Exit code 101: a Rust panic.
    Panicked,
    Failed(String),
    TimedOut {
        cell: usize,
        after: Duration,
    },
    TooMuchOutput {
        limit: usize,
    },
}

/// What came out: one output per cell that started, and stderr.
#[derive(Debug)]
pub struct RunReport {
    pub cells: Vec<Output>,
    pub ending: Ending,
    pub stderr: String,
    pub elapsed: Duration,
    /// Wall time of each cell that started, from its marker to the next
    /// (the first from the process start, so it includes loading).
    pub cell_times: Vec<Duration>,
}

impl RunReport {
    /// The cell that was running when the program ended.
    pub fn last_cell(&self) -> usize {
        self.cells.len().saturating_sub(1)
    }
}

pub fn run(req: &RunRequest) -> Result<RunReport> {
    let _ = fs::remove_dir_all(&req.figure_dir);
    fs::create_dir_all(&req.figure_dir)
        .with_context(|| format!("creating {}", req.figure_dir.display()))?;
    let start = Instant::now();
    let mut child = Command::new(req.executable)
        .arg(req.program)
        .env("NNBLOCKS_FIGURE_DIR", &req.figure_dir)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", req.executable.display()))?;
    let chunks = read_chunks(child.stdout.take().context("stdout")?);
    let stderr = read_capped(child.stderr.take().context("stderr")?, req.output_limit);
    let (stdout, ending, starts) = watch(&mut child, &chunks, req)?;
    let end = Instant::now();
    let stderr = stderr.join().unwrap_or_default();
    let cells = split_cells(&stdout, &req.figure_dir)?;
    let bounds: Vec<Instant> = std::iter::once(start)
        .chain(starts)
        .chain(std::iter::once(end))
        .collect();
    Ok(RunReport {
        cells,
        ending,
        stderr,
        elapsed: end - start,
        cell_times: bounds.windows(2).map(|w| w[1] - w[0]).collect(),
    })
}

/// Collects stdout until exit, enforcing timeouts and the size cap; also
/// returns when each cell after the first started.
fn watch(
    child: &mut Child,
    chunks: &mpsc::Receiver<Vec<u8>>,
    req: &RunRequest,
) -> Result<(String, Ending, Vec<Instant>)> {
    let mut stdout = Vec::new();
    let mut starts = Vec::new();
    let mut cell = 0;
    let mut cells = CellCounter::default();
    let timeout = |cell: usize| {
        req.timeouts
            .get(cell)
            .copied()
            .unwrap_or(Duration::from_secs(60))
    };
    let mut deadline = Instant::now() + timeout(0);
    loop {
        let wait = deadline.saturating_duration_since(Instant::now());
        match chunks.recv_timeout(wait) {
            Ok(chunk) => {
                stdout.extend_from_slice(&chunk);
                if stdout.len() > req.output_limit {
                    kill(child);
                    return Ok((
                        lossy(stdout),
                        Ending::TooMuchOutput {
                            limit: req.output_limit,
                        },
                        starts,
                    ));
                }
                let started = cells.update(&stdout);
                if started > cell + 1 {
                    starts.extend((cell + 1..started).map(|_| Instant::now()));
                    cell = started - 1;
                    deadline = Instant::now() + timeout(cell);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                kill(child);
                return Ok((
                    lossy(stdout),
                    Ending::TimedOut {
                        cell,
                        after: timeout(cell),
                    },
                    starts,
                ));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait()?;
    Ok((lossy(stdout), ending_of(status), starts))
}

fn ending_of(status: ExitStatus) -> Ending {
    if status.success() {
        return Ending::Success;
    }
    if status.code() == Some(101) {
        return Ending::Panicked;
    }
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        let name = match signal {
            6 => " (SIGABRT: the process aborted)",
            9 => " (SIGKILL)",
            11 => " (SIGSEGV: invalid memory access)",
            _ => "",
        };
        return Ending::Failed(format!("killed by signal {signal}{name}"));
    }
    Ending::Failed(format!("exited with {status}"))
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn lossy(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Counts cell markers in stdout as it grows, looking only at what is new
/// since the last call (and the few bytes before it where a marker split
/// between two reads may start), so a long output costs linear time.
#[derive(Debug, Default)]
struct CellCounter {
    /// Markers found so far.
    found: usize,
    /// The first offset where a marker may still start: every marker that
    /// starts earlier has been counted.
    next: usize,
}

impl CellCounter {
    /// The number of cells started (at least one) now that `stdout`, which
    /// only ever grows, holds everything read so far.
    fn update(&mut self, stdout: &[u8]) -> usize {
        let mark = CELL_MARK.as_bytes();
        let new = stdout.get(self.next..).unwrap_or_default();
        self.found += new.windows(mark.len()).filter(|w| *w == mark).count();
        // A marker starting at or after this does not fit in what was read
        // yet: the next call looks from here.
        self.next = self.next.max((stdout.len() + 1).saturating_sub(mark.len()));
        self.found.max(1)
    }
}

fn read_chunks(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = vec![0; 64 * 1024];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    rx
}

fn read_capped(
    mut pipe: impl Read + Send + 'static,
    limit: usize,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = vec![0; 64 * 1024];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = limit.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
        }
        lossy(kept)
    })
}

/// Splits stdout on cell markers; figure markers become figures.
fn split_cells(stdout: &str, figure_dir: &Path) -> Result<Vec<Output>> {
    let mut cells = Vec::new();
    let body = stdout
        .strip_prefix(&format!("{CELL_MARK}0{END_MARK}"))
        .unwrap_or(stdout);
    for part in split_marker(body, CELL_MARK) {
        cells.push(cell_output(part, figure_dir)?);
    }
    Ok(cells)
}

/// Parts between markers of the form `MARK<index>\u{1e}`.
fn split_marker<'a>(text: &'a str, mark: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        match rest.find(mark) {
            Some(i) => {
                parts.push(&rest[..i]);
                let after = &rest[i + mark.len()..];
                rest = after
                    .find(END_MARK)
                    .map_or("", |j| &after[j + END_MARK.len_utf8()..]);
            }
            None => {
                parts.push(rest);
                return parts;
            }
        }
    }
}

/// A cell's text, with its figure and value markers taken out.
fn cell_output(part: &str, figure_dir: &Path) -> Result<Output> {
    let mut out = Output::default();
    let mut rest = part;
    loop {
        let next = [FIGURE_MARK, VALUE_MARK, ARRAY_MARK]
            .iter()
            .filter_map(|m| rest.find(m).map(|i| (i, *m)))
            .min();
        let Some((i, mark)) = next else { break };
        out.text.push_str(&rest[..i]);
        let after = &rest[i + mark.len()..];
        let end = after.find(END_MARK).unwrap_or(after.len());
        let payload = &after[..end];
        if mark == FIGURE_MARK {
            out.figures.push(figure(figure_dir, payload)?);
        } else if mark == ARRAY_MARK {
            out.arrays.push(array(figure_dir, payload)?);
        } else {
            let (name, number) = payload.split_once('=').unwrap_or((payload, ""));
            out.values.push(Value {
                name: name.into(),
                number: number.into(),
            });
        }
        rest = after.get(end + END_MARK.len_utf8()..).unwrap_or("");
    }
    out.text.push_str(rest);
    // By name, as the store lists them.
    out.arrays.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The figure file `name` that a snippet wrote into `figure_dir`.
fn figure(figure_dir: &Path, name: &str) -> Result<FigureFile> {
    let path = figure_dir.join(name);
    let bytes = fs::read(&path).with_context(|| format!("reading figure {}", path.display()))?;
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(FigureFile { ext, bytes })
}

/// The array file `name` (`NAME.EXT`) that a snippet wrote into `dir`.
fn array(dir: &Path, name: &str) -> Result<ArrayFile> {
    let file = figure(dir, name)?;
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned());
    Ok(ArrayFile {
        name: stem.unwrap_or_default(),
        ext: file.ext,
        bytes: file.bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_cells_and_figures() -> Result<()> {
        let dir = tempfile::tempdir()?;
        fs::write(dir.path().join("figure-1.svg"), "<svg/>")?;
        let stdout = "\u{1e}cell:0\u{1e}a\n\u{1e}figure:figure-1.svg\u{1e}b\n\u{1e}value:acc=0.98\u{1e}\u{1e}cell:1\u{1e}c";
        let cells = split_cells(stdout, dir.path())?;
        assert_eq!(cells.len(), 2);
        assert_eq!(cells[0].text, "a\nb\n");
        assert_eq!(cells[0].values_text(), "acc = 0.98\n");
        assert!(cells[1].values.is_empty());
        assert_eq!(cells[0].figures[0].ext, "svg");
        assert_eq!(cells[0].figures[0].bytes, b"<svg/>");
        assert_eq!(cells[1].text, "c");
        fs::write(dir.path().join("w-1.f16"), [0x00, 0x3c])?;
        fs::write(dir.path().join("v.f64"), [0; 8])?;
        let mut cells = split_cells(
            "a\u{1e}array:w-1.f16\u{1e}b\u{1e}array:v.f64\u{1e}",
            dir.path(),
        )?;
        assert_eq!(cells[0].text, "ab");
        // Sorted by name, as the store loads them, whatever order they came in.
        assert_eq!(cells[0].arrays[1].name, "w-1");
        cells[0].arrays.remove(0);
        assert_eq!(
            (
                cells[0].arrays[0].name.as_str(),
                cells[0].arrays[0].ext.as_str()
            ),
            ("w-1", "f16")
        );
        assert_eq!(cells[0].arrays[0].numbers(), Some(vec![1.0]));
        // A standalone snippet has no markers.
        assert_eq!(split_cells("plain\n", dir.path())?[0].text, "plain\n");
        Ok(())
    }

    #[test]
    fn cell_markers_split_between_reads_count_once() {
        let stdout =
            "\u{1e}cell:0\u{1e}a\n\u{1e}cell:1\u{1e}\u{1e}figure:f.svg\u{1e}b\u{1e}cell:2\u{1e}c";
        let bytes = stdout.as_bytes();
        let whole = |s: &[u8]| {
            let mark = CELL_MARK.as_bytes();
            s.windows(mark.len()).filter(|w| *w == mark).count().max(1)
        };
        // Reads of every size, down to one byte, cut each marker at every
        // point; the count must always be the full rescan's.
        for size in 1..=bytes.len() {
            let mut counter = CellCounter::default();
            let mut read = Vec::new();
            for chunk in bytes.chunks(size) {
                read.extend_from_slice(chunk);
                assert_eq!(counter.update(&read), whole(&read), "reads of {size} bytes");
            }
            assert_eq!(counter.found, 3, "reads of {size} bytes");
        }
        // A marker cut right after its first byte, then completed.
        let mut counter = CellCounter::default();
        let mut read = b"x\x1e".to_vec();
        counter.update(&read);
        assert_eq!(counter.found, 0);
        read.extend_from_slice(b"cell:1\x1e");
        counter.update(&read);
        assert_eq!(counter.found, 1);
        read.extend_from_slice(b"\x1ece");
        counter.update(&read);
        assert_eq!(counter.found, 1);
        read.extend_from_slice(b"ll:2\x1e");
        assert_eq!(counter.update(&read), 2);
        assert_eq!(
            counter.update(&read),
            2,
            "nothing new: nothing counted twice"
        );
    }

    #[test]
    fn missing_figure_file_is_an_error() {
        let err =
            split_cells("\u{1e}figure:nope.png\u{1e}", Path::new("/nonexistent")).unwrap_err();
        assert!(format!("{err:#}").contains("nope.png"));
    }

    fn sh(script: &str, timeouts: &[u64], limit: usize) -> Result<RunReport> {
        let dir = tempfile::tempdir()?;
        let exe = dir.path().join("prog.sh");
        fs::write(&exe, format!("#!/bin/sh\n{script}\n"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&exe, fs::Permissions::from_mode(0o755))?;
        }
        run(&RunRequest {
            executable: &exe,
            program: "p",
            figure_dir: dir.path().join("figs"),
            timeouts: timeouts.iter().map(|s| Duration::from_millis(*s)).collect(),
            output_limit: limit,
        })
    }

    #[test]
    fn endings() -> Result<()> {
        assert_eq!(sh("echo hi", &[NEVER], 1 << 20)?.ending, Ending::Success);
        assert_eq!(sh("exit 101", &[NEVER], 1 << 20)?.ending, Ending::Panicked);
        let r = sh("echo oops >&2; exit 3", &[NEVER], 1 << 20)?;
        assert_eq!(r.stderr, "oops\n");
        assert!(matches!(r.ending, Ending::Failed(ref m) if m.contains("3")));
        assert!(
            matches!(sh("kill -ABRT $$", &[NEVER], 1 << 20)?.ending, Ending::Failed(ref m) if m.contains("SIGABRT"))
        );
        Ok(())
    }

    /// A timeout no test reaches, however slowly `sh` starts under load.
    const NEVER: u64 = 60_000;

    #[test]
    fn per_cell_timeouts() -> Result<()> {
        // Cell 1 prints its marker, then nothing ever: only its own timeout,
        // counted from its marker, ends it. Cell 0's would not for a minute.
        let r = sh(
            "printf '\\036cell:0\\036a'; sleep 0.3; printf '\\036cell:1\\036b'; exec sleep 600",
            &[NEVER, 200],
            1 << 20,
        )?;
        assert_eq!(
            r.ending,
            Ending::TimedOut {
                cell: 1,
                after: Duration::from_millis(200)
            }
        );
        let texts: Vec<&str> = r.cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["a", "b"]);
        // Cell 0 ran until cell 1's marker (after the sleep), cell 1 until the kill.
        assert_eq!(r.cell_times.len(), 2);
        assert!(r.cell_times[0] >= Duration::from_millis(300));
        assert!(r.cell_times[1] >= Duration::from_millis(200));
        Ok(())
    }

    #[test]
    fn output_cap() -> Result<()> {
        let r = sh("exec yes", &[NEVER], 100_000)?;
        assert_eq!(r.ending, Ending::TooMuchOutput { limit: 100_000 });
        Ok(())
    }
}
