//! The snippet registry: one generated crate that holds every runnable
//! snippet of the book as a module, compiled once; `compile_fail` snippets
//! are extra binaries of the same crate, each compiled alone.
//!
//! The crate lives in `target/nnblocks/registry/`, depends on every
//! `[workspace.dependencies]` entry and every crate under `crates/`, copies
//! the root's `Cargo.lock` and profiles, and shares the workspace's target
//! directory, so dfdx is compiled once for tests, book and registry alike.

use crate::plan::Program;
use crate::plan::codegen;
use crate::plan::key::WorkspaceCrate;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where a compiler error is.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorSite {
    /// In a program's module: the program id and the line of the module.
    Program { id: String, line: usize },
    /// In a compile_fail bin.
    Bin(String),
    /// In a crate's own code: its `file:line`, relative to the workspace
    /// where it is in it.
    Crate { file: PathBuf, line: usize },
    /// Nowhere in particular (a linker error, a bad manifest...).
    Unknown,
}

/// A compiler error and where it is.
#[derive(Debug, Clone)]
pub struct CompileError {
    /// The cargo target being compiled (the registry, a bin, a crate).
    pub target: String,
    pub site: ErrorSite,
    pub rendered: String,
}

/// What `cargo build` of the registry produced.
#[derive(Debug, Default)]
pub struct BuildResult {
    pub executable: Option<PathBuf>,
    pub errors: Vec<CompileError>,
    /// compile_fail bins that compiled anyway.
    pub compiled_bins: Vec<String>,
}

pub struct Registry {
    pub root: PathBuf,
    pub dir: PathBuf,
    /// Package and binary name, unique per work folder: registries share the
    /// target folder, where cargo copies each binary to `debug/<name>`.
    pub package: String,
    pub target_dir: PathBuf,
    pub features: Vec<String>,
    pub quiet: bool,
    /// The programs last written, to tell their modules from other files.
    programs: BTreeSet<String>,
}

impl Registry {
    pub fn new(
        root: &Path,
        target_dir: &Path,
        work_dir: &Path,
        features: &[&str],
        quiet: bool,
    ) -> Self {
        Registry {
            root: root.to_path_buf(),
            dir: work_dir.join("registry"),
            package: package_name(target_dir, work_dir),
            target_dir: target_dir.to_path_buf(),
            features: features.iter().map(|s| s.to_string()).collect(),
            quiet,
            programs: BTreeSet::new(),
        }
    }

    /// Writes the crate: manifest, main.rs with one module per program (the
    /// code the plan generated), and one `src/bin/<id>.rs` per compile_fail
    /// snippet. Unchanged files are not rewritten, so cargo rebuilds only
    /// what changed.
    pub fn write(
        &mut self,
        programs: &[&Program],
        compile_fail: &[(String, &str)],
        crates: &[WorkspaceCrate],
    ) -> Result<()> {
        let src = self.dir.join("src");
        let bin = src.join("bin");
        fs::create_dir_all(&bin).with_context(|| format!("creating {}", bin.display()))?;
        write_if_changed(&self.dir.join("Cargo.toml"), &self.manifest(crates)?)?;
        write_if_changed(
            &self.dir.join("Cargo.lock"),
            &fs::read_to_string(self.root.join("Cargo.lock")).context("reading Cargo.lock")?,
        )?;
        let mut keep = vec![src.join("main.rs")];
        self.programs.clear();
        for p in programs {
            let path = src.join(format!("{}.rs", p.id));
            write_if_changed(&path, &p.code)?;
            keep.push(path);
            self.programs.insert(p.id.clone());
        }
        let ids: Vec<&str> = programs.iter().map(|p| p.id.as_str()).collect();
        write_if_changed(&src.join("main.rs"), &codegen::main_file(&ids))?;
        for (id, code) in compile_fail {
            let path = bin.join(format!("{id}.rs"));
            write_if_changed(&path, &codegen::standalone_file(code))?;
            keep.push(path);
        }
        remove_others(&src, &keep)?;
        remove_others(&bin, &keep)
    }

    fn manifest(&self, crates: &[WorkspaceCrate]) -> Result<String> {
        let root_manifest: toml::Table = fs::read_to_string(self.root.join("Cargo.toml"))
            .context("reading Cargo.toml")?
            .parse()
            .context("parsing Cargo.toml")?;
        let mut deps = root_manifest
            .get("workspace")
            .and_then(|w| w.get("dependencies"))
            .and_then(|d| d.as_table())
            .cloned()
            .unwrap_or_default();
        for (_, dep) in deps.iter_mut() {
            if let Some(path) = dep.get_mut("path") {
                let abs = self.root.join(path.as_str().unwrap_or_default());
                *path = toml::Value::String(abs.to_string_lossy().into_owned());
            }
        }
        let mut cuda: Vec<toml::Value> = Vec::new();
        if deps.contains_key("dfdx") {
            cuda.push("dfdx/cuda".into());
        }
        for krate in crates {
            let mut dep = toml::Table::new();
            dep.insert(
                "path".into(),
                krate.dir.to_string_lossy().into_owned().into(),
            );
            deps.insert(krate.name.clone(), dep.into());
            if krate.has_cuda {
                cuda.push(format!("{}/cuda", krate.name).into());
            }
        }
        let mut manifest = toml::Table::new();
        manifest.insert(
            "package".into(),
            toml::toml! { version = "0.0.0" edition = "2024" publish = false }.into(),
        );
        if let Some(package) = manifest.get_mut("package").and_then(|p| p.as_table_mut()) {
            package.insert("name".into(), self.package.clone().into());
        }
        manifest.insert("workspace".into(), toml::Table::new().into());
        manifest.insert("dependencies".into(), deps.into());
        let mut features = toml::Table::new();
        features.insert("cuda".into(), cuda.into());
        manifest.insert("features".into(), features.into());
        if let Some(profile) = root_manifest.get("profile") {
            manifest.insert("profile".into(), profile.clone());
        }
        Ok(format!(
            "# Generated by nnblocks from the book's snippets: do not edit.\n{}",
            toml::to_string(&manifest)?
        ))
    }

    /// Builds the registry binary and any compile_fail bins (`bins`),
    /// attributing every compiler error to its program cell or bin.
    pub fn build(&self, bins: &[String]) -> Result<BuildResult> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(&cargo);
        cmd.arg("build")
            .arg("--keep-going")
            .arg("--message-format=json")
            .arg("--manifest-path")
            .arg(self.dir.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&self.target_dir)
            .arg("--bin")
            .arg(&self.package);
        for b in bins {
            cmd.arg("--bin").arg(b);
        }
        if !self.features.is_empty() {
            cmd.arg("--features").arg(self.features.join(","));
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .with_context(|| format!("running {cargo} build"))?;
        let quiet = self.quiet;
        let stderr = child.stderr.take().map(|e| {
            std::thread::spawn(move || {
                let mut all = String::new();
                for line in BufReader::new(e).lines().map_while(Result::ok) {
                    // Cargo's progress is shown; its error summary is not:
                    // we report each snippet's errors at its markdown line.
                    if !quiet && !line.starts_with("error") && !line.starts_with("warning") {
                        eprintln!("{line}");
                    }
                    all.push_str(&line);
                    all.push('\n');
                }
                all
            })
        });
        let stdout = child.stdout.take().context("cargo stdout")?;
        let result = self.read_messages(BufReader::new(stdout), bins)?;
        let status = child.wait()?;
        let stderr = stderr.and_then(|h| h.join().ok()).unwrap_or_default();
        if !status.success() && result.errors.is_empty() {
            bail!("building the snippet registry failed ({status}):\n{stderr}");
        }
        Ok(result)
    }

    /// What cargo's messages about a build of this registry say (one JSON
    /// object a line, `--message-format=json`): the binary, the
    /// compile_fail `bins` that compiled, every error and where it is.
    pub fn read_messages(&self, messages: impl BufRead, bins: &[String]) -> Result<BuildResult> {
        let mut result = BuildResult::default();
        for line in messages.lines() {
            let line = line.context("reading cargo's messages")?;
            let Ok(msg) = serde_json::from_str::<CargoMessage>(&line) else {
                continue;
            };
            self.absorb(msg, bins, &mut result);
        }
        Ok(result)
    }

    /// The registry as if it had just been written with programs `ids`.
    #[cfg(test)]
    pub(crate) fn with_programs(mut self, ids: &[String]) -> Self {
        self.programs = ids.iter().cloned().collect();
        self
    }

    fn absorb(&self, msg: CargoMessage, bins: &[String], result: &mut BuildResult) {
        let target = msg.target.map(|t| t.name).unwrap_or_default();
        match msg.reason.as_str() {
            "compiler-artifact" if target == self.package => result.executable = msg.executable,
            "compiler-artifact" if bins.contains(&target) => result.compiled_bins.push(target),
            "compiler-message" => {
                let Some(m) = msg.message else { return };
                let summary = m.spans.is_empty() && m.message.starts_with("aborting due to");
                let rendered = self.scrub(m.rendered.as_deref().unwrap_or(&m.message));
                match m.level.as_str() {
                    "error" if !summary => result.errors.push(CompileError {
                        target,
                        site: self.site(&m),
                        rendered,
                    }),
                    // rustc says in separate notes where an error inside a
                    // dependency was instantiated ("the above error was
                    // encountered while instantiating"): they belong to it.
                    "note" => {
                        let Some(last) = last_of(&mut result.errors, &target) else {
                            return;
                        };
                        if matches!(last.site, ErrorSite::Program { .. } | ErrorSite::Bin(_)) {
                            return;
                        }
                        let site = self.site(&m);
                        if matches!(site, ErrorSite::Program { .. } | ErrorSite::Bin(_)) {
                            last.site = site;
                        }
                        last.rendered.push_str(&rendered);
                    }
                    // "For more information about this error, try `rustc --explain`".
                    "failure-note" => {
                        if let Some(last) = last_of(&mut result.errors, &target) {
                            last.rendered.push_str(&rendered);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// Where an error is. A snippet's module or bin wins wherever it is
    /// named, so an error that rustc reports inside a dependency (dfdx's
    /// post-monomorphization errors) is blamed on the snippet that
    /// instantiated it; otherwise the primary span's file.
    fn site(&self, m: &Diagnostic) -> ErrorSite {
        let spans = m.all_spans();
        for s in &spans {
            let path = Path::new(&s.file_name);
            let stem = || path.file_stem().map(|s| s.to_string_lossy().into_owned());
            let in_registry = !path.is_absolute() || path.starts_with(&self.dir);
            if !in_registry {
                continue;
            }
            let parent = path.parent().and_then(Path::file_name);
            match (stem(), parent.and_then(|p| p.to_str())) {
                (Some(id), Some("bin")) => return ErrorSite::Bin(id),
                (Some(id), _) if self.programs.contains(&id) => {
                    return ErrorSite::Program {
                        id,
                        line: s.line_start,
                    };
                }
                _ => {}
            }
        }
        match spans.iter().find(|s| s.is_primary).or(spans.first()) {
            Some(s) => ErrorSite::Crate {
                file: PathBuf::from(self.scrub(&s.file_name)),
                line: s.line_start,
            },
            None => ErrorSite::Unknown,
        }
    }

    /// Removes machine-specific paths from compiler output.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.replace(&format!("{}/", self.dir.display()), "");
        text = text.replace(&format!("{}/", self.root.display()), "");
        strip_registry_paths(&text)
            .split_inclusive('\n')
            .filter(|line| !VOLATILE_NOTES.iter().any(|n| line.contains(n)))
            .collect()
    }
}

/// The last error of `target`: rustc runs for several targets at once, and
/// their messages interleave.
fn last_of<'a>(errors: &'a mut [CompileError], target: &str) -> Option<&'a mut CompileError> {
    errors.iter_mut().rev().find(|e| e.target == target)
}

/// rustc notes whose text changes from build to build.
const VOLATILE_NOTES: [&str; 2] = [
    "the full name for the type has been written to",
    "consider using `--verbose` to print the full type name",
];

/// `nnblocks-registry` for the default work folder `target/nnblocks`.
fn package_name(target_dir: &Path, work_dir: &Path) -> String {
    match work_dir.strip_prefix(target_dir) {
        Ok(rel) if rel == Path::new("nnblocks") => "nnblocks-registry".into(),
        Ok(rel) => format!(
            "nnblocks-registry-{}",
            rel.to_string_lossy()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
        ),
        Err(_) => {
            use sha2::Digest;
            let hash = sha2::Sha256::digest(work_dir.to_string_lossy().as_bytes());
            format!("nnblocks-registry-{}", crate::plan::key::hex(&hash[..6]))
        }
    }
}

/// `/home/u/.cargo/registry/src/index.crates.io-abc/dfdx-0.13.0/src/x.rs`
/// becomes `dfdx-0.13.0/src/x.rs`.
fn strip_registry_paths(text: &str) -> String {
    const MARK: &str = "/registry/src/";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(MARK) {
        let path_start = rest[..i]
            .rfind(|c: char| c.is_whitespace() || c == '`' || c == '(')
            .map_or(0, |j| j + 1);
        let after = &rest[i + MARK.len()..];
        let Some(slash) = after.find('/') else { break };
        out.push_str(&rest[..path_start]);
        rest = &after[slash + 1..];
    }
    out.push_str(rest);
    out
}

#[derive(Deserialize)]
struct CargoMessage {
    reason: String,
    target: Option<CargoTarget>,
    message: Option<Diagnostic>,
    executable: Option<PathBuf>,
}

#[derive(Deserialize)]
struct CargoTarget {
    name: String,
}

#[derive(Deserialize)]
struct Diagnostic {
    message: String,
    level: String,
    rendered: Option<String>,
    spans: Vec<Span>,
    #[serde(default)]
    children: Vec<Diagnostic>,
}

impl Diagnostic {
    /// Its spans, primary first, each followed by its macro call sites,
    /// then its children's (where rustc says which instantiation an error
    /// was found in).
    fn all_spans(&self) -> Vec<&Span> {
        let mut spans: Vec<&Span> = Vec::new();
        let primary = self.spans.iter().filter(|s| s.is_primary);
        for span in primary.chain(self.spans.iter().filter(|s| !s.is_primary)) {
            // A span inside a macro (`assert!`), then the macro's call site.
            let mut at = Some(span);
            while let Some(s) = at {
                spans.push(s);
                at = s.expansion.as_ref().map(|e| &e.span);
            }
        }
        for child in &self.children {
            spans.extend(child.all_spans());
        }
        spans
    }
}

#[derive(Deserialize)]
struct Span {
    file_name: String,
    line_start: usize,
    is_primary: bool,
    /// Where the macro that produced this span was called.
    expansion: Option<Box<Expansion>>,
}

#[derive(Deserialize)]
struct Expansion {
    span: Span,
}

fn write_if_changed(path: &Path, content: &str) -> Result<()> {
    if fs::read_to_string(path).ok().as_deref() == Some(content) {
        return Ok(());
    }
    fs::write(path, content).with_context(|| format!("writing {}", path.display()))
}

fn remove_others(dir: &Path, keep: &[PathBuf]) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && !keep.contains(&path) {
            fs::remove_file(&path)?;
        }
    }
    Ok(())
}

/// Renumbers the source excerpts that rustc shows under `--> file:LINE`
/// with `map(LINE)`, widening the gutter when the new numbers are longer,
/// so the excerpt's line numbers agree with the location above it.
pub fn renumber_gutter(text: &str, file: &str, map: impl Fn(usize) -> usize) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < lines.len() {
        let arrow = lines[i].trim_start();
        let ours = arrow.starts_with("--> ") && arrow[4..].starts_with(&format!("{file}:"));
        if !ours {
            out.push_str(lines[i]);
            i += 1;
            continue;
        }
        let numbered = |l: &str| {
            let digits: String = l
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let rest = &l.trim_start()[digits.len()..];
            (!digits.is_empty() && rest.trim_start().starts_with('|')).then_some(digits)
        };
        // The excerpt: this line and the gutter lines after it.
        let end = (i + 1..lines.len())
            .find(|&j| !lines[j].starts_with(' ') && numbered(lines[j]).is_none())
            .unwrap_or(lines.len());
        let new_width = (i + 1..end)
            .filter_map(|j| numbered(lines[j]))
            .map(|d| map(d.parse().unwrap_or(0)).to_string().len())
            .max()
            .unwrap_or(0);
        let old_width = lines[i].len() - arrow.len();
        let pad = " ".repeat(new_width.saturating_sub(old_width));
        for line in &lines[i..end] {
            match numbered(line) {
                Some(d) => {
                    let after = &line.trim_start()[d.len()..];
                    let n = map(d.parse().unwrap_or(0)).to_string();
                    let width = old_width.max(new_width);
                    out.push_str(&format!("{n:>width$}{after}"));
                }
                None => {
                    out.push_str(&pad);
                    out.push_str(line);
                }
            }
        }
        i = end;
    }
    out
}

/// Rewrites `file:LINE` in compiler text with `map(LINE)`.
pub fn rewrite_locations(text: &str, file: &str, map: impl Fn(usize) -> String) -> String {
    let pattern = format!("{file}:");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&pattern) {
        out.push_str(&rest[..i]);
        let after = &rest[i + pattern.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>() {
            Ok(line) => out.push_str(&map(line)),
            Err(_) => out.push_str(&pattern),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_machine_paths() {
        let r = Registry::new(
            Path::new("/work/main"),
            Path::new("/work/main/target"),
            Path::new("/work/main/target/nnblocks"),
            &[],
            true,
        );
        let text = "  --> /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/dfdx-0.13.0/src/lib.rs:3:1\n  \
                    --> /work/main/crates/tensors/src/lib.rs:1:1\n  \
                    --> /work/main/target/nnblocks/registry/src/bin/cf_1.rs:2:5";
        assert_eq!(
            r.scrub(text),
            "  --> dfdx-0.13.0/src/lib.rs:3:1\n  --> crates/tensors/src/lib.rs:1:1\n  --> src/bin/cf_1.rs:2:5"
        );
    }

    #[test]
    fn drops_notes_that_change_per_build() {
        let r = Registry::new(
            Path::new("/r"),
            Path::new("/t"),
            Path::new("/t/n"),
            &[],
            true,
        );
        let noted = "error\n   = note: the full name for the type has been written to 'target/x.txt'\n   \
                     = note: consider using `--verbose` to print the full type name to the console\n\nend";
        assert_eq!(r.scrub(noted), "error\n\nend");
    }

    #[test]
    fn excerpts_are_renumbered_with_their_location() {
        let text = "error[E0308]: mismatched types\n --> src/p_a.rs:9:14\n  |\n9 | let x: i32 = \"t\";\n  |        ---\n\nerror: other\n --> src/other.rs:9:1\n  |\n9 | x\n";
        let renumbered = renumber_gutter(text, "src/p_a.rs", |l| l + 100);
        assert_eq!(
            renumbered,
            "error[E0308]: mismatched types\n   --> src/p_a.rs:9:14\n    |\n109 | let x: i32 = \"t\";\n    |        ---\n\nerror: other\n --> src/other.rs:9:1\n  |\n9 | x\n"
        );
    }

    #[test]
    fn rewrites_locations() {
        let text = "error\n --> src/p_a.rs:12:5\n   |\n12 | x\n";
        assert_eq!(
            rewrite_locations(text, "src/p_a.rs", |l| format!("book/a.md:{}", l + 100)),
            "error\n --> book/a.md:112:5\n   |\n12 | x\n"
        );
    }
}
