//! Outputs on disk, by content key: the committed store under `book/outputs/`
//! and the build cache under `target/`, with one layout:
//! `<dir>/<chapter path without .md>/<key>.txt`, `<key>-<n>.<svg|png>` for
//! figures and `<key>-<name>.<f16|f32|f64>` for arrays.

use crate::build::output::{ArrayFile, FigureFile, Output, Value};
use anyhow::{Context, Result, bail};
use std::fs;
use std::path::{Path, PathBuf};

/// Values from their `name = number` lines.
fn parse_values(text: &str, path: &Path) -> Result<Vec<Value>> {
    (text.lines().enumerate())
        .map(|(i, line)| match line.split_once(" = ") {
            Some((name, number)) => Ok(Value {
                name: name.into(),
                number: number.into(),
            }),
            None => bail!("{}:{}: expected `name = number`", path.display(), i + 1),
        })
        .collect()
}

pub const FIGURE_EXTS: [&str; 2] = ["svg", "png"];
pub const ARRAY_EXTS: [&str; 3] = ["f16", "f32", "f64"];

/// A directory of outputs keyed by chapter and content key.
#[derive(Debug, Clone)]
pub struct Store {
    pub dir: PathBuf,
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store { dir: dir.into() }
    }

    /// The folder of one chapter, from its path relative to the book source.
    pub fn chapter_dir(&self, chapter: &Path) -> PathBuf {
        self.dir.join(chapter.with_extension(""))
    }

    /// The path of a figure file, for linking it from the chapter.
    pub fn figure_path(&self, chapter: &Path, key: &str, n: usize, ext: &str) -> PathBuf {
        self.chapter_dir(chapter).join(format!("{key}-{n}.{ext}"))
    }

    /// The path of an array file, for linking it from the chapter.
    pub fn array_path(&self, chapter: &Path, key: &str, array: &ArrayFile) -> PathBuf {
        (self.chapter_dir(chapter)).join(format!("{key}-{}.{}", array.name, array.ext))
    }

    /// The arrays stored under `key` in `dir`, by name.
    fn load_arrays(dir: &Path, key: &str) -> Result<Vec<ArrayFile>> {
        let prefix = format!("{key}-");
        let mut arrays = Vec::new();
        let Ok(entries) = fs::read_dir(dir) else {
            return Ok(arrays);
        };
        for entry in entries {
            let path = entry?.path();
            let (Some(stem), Some(ext)) = (
                path.file_stem().and_then(|s| s.to_str()),
                path.extension().and_then(|e| e.to_str()),
            ) else {
                continue;
            };
            let Some(name) = stem.strip_prefix(&prefix) else {
                continue;
            };
            if ARRAY_EXTS.contains(&ext) {
                let bytes =
                    fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
                arrays.push(ArrayFile {
                    name: name.into(),
                    ext: ext.into(),
                    bytes,
                });
            }
        }
        arrays.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(arrays)
    }

    /// Whether a complete entry is stored under `key` (its text file,
    /// written last, is there), without reading it.
    pub fn has(&self, chapter: &Path, key: &str) -> bool {
        self.chapter_dir(chapter)
            .join(format!("{key}.txt"))
            .is_file()
    }

    pub fn load(&self, chapter: &Path, key: &str) -> Result<Option<Output>> {
        let dir = self.chapter_dir(chapter);
        let text_path = dir.join(format!("{key}.txt"));
        let text = match fs::read_to_string(&text_path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading {}", text_path.display())),
        };
        let mut figures = Vec::new();
        for n in 1.. {
            let Some((ext, bytes)) = FIGURE_EXTS.iter().find_map(|ext| {
                fs::read(dir.join(format!("{key}-{n}.{ext}")))
                    .ok()
                    .map(|b| (ext.to_string(), b))
            }) else {
                break;
            };
            figures.push(FigureFile { ext, bytes });
        }
        let values_path = dir.join(format!("{key}.values"));
        let values = match fs::read_to_string(&values_path) {
            Ok(t) => parse_values(&t, &values_path)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", values_path.display())),
        };
        Ok(Some(Output {
            text,
            figures,
            values,
            arrays: Self::load_arrays(&dir, key)?,
        }))
    }

    /// Writes an entry; each file is written to a temporary name and renamed.
    pub fn save(&self, chapter: &Path, key: &str, output: &Output) -> Result<()> {
        let dir = self.chapter_dir(chapter);
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        for (n, fig) in output.figures.iter().enumerate() {
            write_atomic(
                &dir.join(format!("{key}-{}.{}", n + 1, fig.ext)),
                &fig.bytes,
            )?;
        }
        for array in &output.arrays {
            write_atomic(&self.array_path(chapter, key, array), &array.bytes)?;
        }
        let values = dir.join(format!("{key}.values"));
        if output.values.is_empty() {
            match fs::remove_file(&values) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("removing {}", values.display()));
                }
                _ => {}
            }
        } else {
            write_atomic(&values, output.values_text().as_bytes())?;
        }
        // The text file last: its presence marks a complete entry.
        write_atomic(&dir.join(format!("{key}.txt")), output.text.as_bytes())
    }

    /// Every file in the store, for finding entries no snippet uses.
    pub fn files(&self) -> Result<Vec<PathBuf>> {
        let mut out = Vec::new();
        collect(&self.dir, &mut out)?;
        out.sort();
        Ok(out)
    }

    /// The key a store file belongs to (`abc.txt`, `abc-2.svg` -> `abc`).
    pub fn key_of(file: &Path) -> Option<String> {
        let stem = file.file_stem()?.to_str()?;
        Some(stem.split('-').next()?.to_string())
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Writes through a temporary file in the same folder, then renames, so a
/// reader never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let Some(name) = path.file_name() else {
        bail!("{}: not a file path", path.display());
    };
    let tmp = path.with_file_name(format!(
        ".{}.tmp{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_figures() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let store = Store::new(dir.path());
        let chapter = Path::new("ch02/data.md");
        let out = Output {
            text: "x = 1\n".into(),
            figures: vec![
                FigureFile {
                    ext: "svg".into(),
                    bytes: b"<svg/>".to_vec(),
                },
                FigureFile {
                    ext: "png".into(),
                    bytes: vec![1, 2, 3],
                },
            ],
            values: vec![Value {
                name: "acc".into(),
                number: "0.98".into(),
            }],
            arrays: vec![ArrayFile {
                name: "digit-weights".into(),
                ext: "f16".into(),
                bytes: vec![0x00, 0x3c, 0x00, 0xc0],
            }],
        };
        assert_eq!(store.load(chapter, "k1")?, None);
        assert!(!store.has(chapter, "k1"));
        store.save(chapter, "k1", &out)?;
        assert!(store.has(chapter, "k1"));
        assert_eq!(store.load(chapter, "k1")?.as_ref(), Some(&out));
        assert!(dir.path().join("ch02/data/k1-2.png").is_file());
        assert_eq!(
            fs::read_to_string(dir.path().join("ch02/data/k1.values"))?,
            "acc = 0.98\n"
        );
        assert_eq!(out.arrays[0].numbers(), Some(vec![1.0, -2.0]));
        assert!(dir.path().join("ch02/data/k1-digit-weights.f16").is_file());
        let files = store.files()?;
        assert_eq!(files.len(), 5);
        assert!(
            files
                .iter()
                .all(|f| Store::key_of(f).as_deref() == Some("k1"))
        );
        assert!(
            !files
                .iter()
                .any(|f| f.file_name().unwrap().to_string_lossy().contains(".tmp"))
        );
        Ok(())
    }
}
