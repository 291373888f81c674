//! Content keys: what a snippet's output can depend on, hashed.
//!
//! A key covers the snippet's code with its hidden lines and every earlier
//! cell of its session, its kind, the workspace crates its code names (with
//! their workspace dependencies), the data files, the locked versions (from
//! `Cargo.lock`) of every package those crates and the shared dependencies
//! reach, the shared dependency and profile tables of the root `Cargo.toml`,
//! the rustc version and the features. Prose is not in the key: editing it
//! runs nothing, and neither does locking a new dev-dependency somewhere or
//! editing a crate's benches, examples or tests.

use crate::markdown::attrs::Kind;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Bump when the generated wrapper code or the output format changes.
const ENGINE_VERSION: &str = "nnblocks-key-4";

/// A workspace crate under `crates/`, as snippets see it.
#[derive(Debug, Clone)]
pub struct WorkspaceCrate {
    pub name: String,
    pub dir: PathBuf,
    pub has_cuda: bool,
    /// Hash of this crate's files and of every workspace crate it depends on.
    closure_hash: String,
}

impl WorkspaceCrate {
    pub fn lib_name(&self) -> String {
        self.name.replace('-', "_")
    }
}

/// Everything outside the snippet that its key depends on.
#[derive(Debug, Clone)]
pub struct KeyEnv {
    base: String,
    pub crates: Vec<WorkspaceCrate>,
    /// What this machine adds to a build: host, CPU, compiler flags. Not in
    /// the store's keys (they travel), only in the build cache's folder.
    pub machine: String,
}

impl KeyEnv {
    pub fn compute(root: &Path, features: &[&str]) -> Result<Self> {
        Self::with_rustc(root, features, &rustc_version()?)
    }

    /// The key environment with `rustc_vv` as what `rustc -vV` prints.
    pub fn with_rustc(root: &Path, features: &[&str], rustc_vv: &str) -> Result<Self> {
        let lock = Lock::read(&root.join("Cargo.lock"))?;
        let manifest = read_manifest(&root.join("Cargo.toml"))?;
        let mut h = Sha256::new();
        h.update(ENGINE_VERSION);
        h.update(lock.closure(&dependency_names(external(shared_dependencies(&manifest)))));
        h.update(shared_manifest_tables(&manifest));
        h.update(toolchain(rustc_vv));
        h.update(features.join(","));
        hash_tree(&mut h, &root.join("data"), root)?;
        Ok(KeyEnv {
            base: hex(h.finalize().as_slice()),
            crates: crates_with_lock(root, &lock)?,
            machine: machine(root, rustc_vv)?,
        })
    }

    /// A key environment from a fixed text and no crates (tests).
    #[cfg(test)]
    pub(crate) fn fixed(base: &str) -> Self {
        KeyEnv {
            base: base.into(),
            crates: Vec::new(),
            machine: "test".into(),
        }
    }

    /// The key of the cell that ends `cells` (the code of a program's cells so far).
    pub fn key(&self, cells: &[&str], kind: &Kind) -> String {
        let mut h = Sha256::new();
        h.update(&self.base);
        h.update(format!("{kind:?}"));
        for code in cells {
            h.update((code.len() as u64).to_le_bytes());
            h.update(code);
        }
        // rustc's errors list trait impls from every crate it can see: a
        // compile_fail output depends on all of them.
        let sees_all = *kind == Kind::CompileFail;
        for krate in &self.crates {
            if sees_all || cells.iter().any(|c| mentions(c, &krate.lib_name())) {
                h.update(&krate.closure_hash);
            }
        }
        hex(&h.finalize()[..10])
    }
}

/// Whether `code` uses `ident` as a whole identifier.
pub fn mentions(code: &str, ident: &str) -> bool {
    code.match_indices(ident).any(|(i, _)| {
        let b = code.as_bytes();
        let before = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        let j = i + ident.len();
        let after = j >= b.len() || !(b[j].is_ascii_alphanumeric() || b[j] == b'_');
        before && after
    })
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn rustc_version() -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(&rustc)
        .arg("-vV")
        .output()
        .with_context(|| format!("running `{rustc} -vV`"))?;
    anyhow::ensure!(
        out.status.success(),
        "`{rustc} -vV` failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The toolchain's version from `rustc -vV`: its release and commit, the
/// same on every host it ships for.
fn toolchain(rustc_vv: &str) -> String {
    rustc_vv
        .lines()
        .filter(|l| l.starts_with("release:") || l.starts_with("commit-hash:"))
        .map(|l| format!("{}\n", l.trim()))
        .collect()
}

/// What this machine adds to a build, hashed: the host triple, the CPU
/// (our kernels and gemm pick code paths by its features), and the compiler
/// flags from the environment and `.cargo/config.toml`.
fn machine(root: &Path, rustc_vv: &str) -> Result<String> {
    let mut h = Sha256::new();
    h.update(rustc_vv);
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "NNBLOCKS_PORTABLE_KERNELS",
    ] {
        h.update(format!("{var}={:?}\n", std::env::var_os(var)));
    }
    for config in [".cargo/config.toml", ".cargo/config"] {
        if let Ok(bytes) = fs::read(root.join(config)) {
            h.update(bytes);
        }
    }
    h.update(cpu());
    Ok(hex(&h.finalize()[..8]))
}

/// The CPU's model and features, as far as the platform tells.
fn cpu() -> String {
    let info = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let first = |field: &str| {
        info.lines()
            .find(|l| l.starts_with(field))
            .unwrap_or_default()
            .to_string()
    };
    format!(
        "{} {}\n{}\n{}",
        std::env::consts::ARCH,
        std::env::consts::OS,
        first("model name"),
        first("flags")
    )
}

fn read_manifest(path: &Path) -> Result<toml::Table> {
    String::from_utf8(read(path)?)?
        .parse()
        .with_context(|| format!("parsing {}", path.display()))
}

/// The package names dependency entries pull in (`package = ...` renames).
fn dependency_names<'a>(
    entries: impl Iterator<Item = (&'a String, &'a toml::Value)>,
) -> Vec<String> {
    entries
        .map(|(key, spec)| {
            spec.get("package")
                .and_then(|p| p.as_str())
                .unwrap_or(key)
                .to_string()
        })
        .collect()
}

/// The resolved packages of `Cargo.lock` and what each depends on.
struct Lock {
    /// (name, version) -> dependency entries ("name" or "name version ...").
    packages: BTreeMap<(String, String), Vec<String>>,
}

impl Lock {
    fn read(path: &Path) -> Result<Lock> {
        let table = read_manifest(path)?;
        let mut packages = BTreeMap::new();
        for p in table
            .get("package")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            let field = |k: &str| {
                p.get(k)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let deps = p
                .get("dependencies")
                .and_then(|d| d.as_array())
                .map(|d| {
                    d.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            packages.insert((field("name"), field("version")), deps);
        }
        Ok(Lock { packages })
    }

    /// Locked versions of every package reachable from `roots`, as text.
    fn closure(&self, roots: &[String]) -> String {
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut todo: Vec<String> = roots.to_vec();
        while let Some(entry) = todo.pop() {
            let mut parts = entry.split(' ');
            let name = parts.next().unwrap_or_default();
            let version = parts.next();
            for (key, deps) in self.packages.range((name.to_string(), String::new())..) {
                if key.0 != name {
                    break;
                }
                if version.is_some_and(|v| v != key.1) || seen.contains(key) {
                    continue;
                }
                seen.push(key.clone());
                todo.extend(deps.iter().cloned());
            }
        }
        seen.sort();
        seen.iter().map(|(n, v)| format!("{n} {v}\n")).collect()
    }
}

/// The parts of the root manifest that the snippet registry inherits:
/// external shared dependencies (workspace crates are keyed by reach) and
/// the profiles.
fn shared_manifest_tables(table: &toml::Table) -> String {
    let deps = external(shared_dependencies(table))
        .map(|(name, spec)| format!("{name} = {spec}\n"))
        .collect::<String>();
    let profile = table
        .get("profile")
        .map(|p| p.to_string())
        .unwrap_or_default();
    deps + &profile
}

fn shared_dependencies(manifest: &toml::Table) -> Option<&toml::Table> {
    manifest
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.as_table())
}

/// Entries that are not workspace crates (no `path`).
fn external(table: Option<&toml::Table>) -> impl Iterator<Item = (&String, &toml::Value)> {
    table
        .into_iter()
        .flatten()
        .filter(|(_, spec)| spec.get("path").is_none())
}

/// The crates under `crates/` with their hashes: their files, the locked
/// versions their dependencies resolve to, and the same for every workspace
/// crate they depend on.
fn crates_with_lock(root: &Path, lock: &Lock) -> Result<Vec<WorkspaceCrate>> {
    let mut found = BTreeMap::new();
    let crates_dir = root.join("crates");
    let Ok(entries) = fs::read_dir(&crates_dir) else {
        return Ok(Vec::new());
    };
    for entry in entries {
        let dir = entry?.path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let table = read_manifest(&manifest)?;
        let name = table
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .with_context(|| format!("{}: no package name", manifest.display()))?
            .to_string();
        let deps: Vec<String> = table
            .get("dependencies")
            .and_then(|d| d.as_table())
            .map(|d| d.keys().cloned().collect())
            .unwrap_or_default();
        let has_cuda = table.get("features").and_then(|f| f.get("cuda")).is_some();
        let mut h = Sha256::new();
        hash_library_files(&mut h, &dir, root)?;
        for section in ["dependencies", "build-dependencies"] {
            let deps = table.get(section).and_then(|d| d.as_table());
            h.update(lock.closure(&dependency_names(external(deps))));
        }
        found.insert(name, (dir, deps, has_cuda, hex(&h.finalize())));
    }
    let closure_hash = |name: &str| {
        let mut seen = vec![name.to_string()];
        let mut i = 0;
        while i < seen.len() {
            for dep in &found[&seen[i]].1 {
                if found.contains_key(dep) && !seen.contains(dep) {
                    seen.push(dep.clone());
                }
            }
            i += 1;
        }
        seen.sort();
        let mut h = Sha256::new();
        for name in seen {
            h.update(&found[&name].3);
        }
        hex(&h.finalize())
    };
    Ok(found
        .iter()
        .map(|(name, (dir, _, has_cuda, _))| WorkspaceCrate {
            name: name.clone(),
            dir: dir.clone(),
            has_cuda: *has_cuda,
            closure_hash: closure_hash(name),
        })
        .collect())
}

/// Top-level folders of a crate that hold other targets than its library:
/// snippets cannot link them, so editing a bench re-runs no snippet.
const NOT_LIBRARY: [&str; 3] = ["benches", "examples", "tests"];

/// Hashes the files of the crate at `dir` that its library can depend on:
/// all but [`NOT_LIBRARY`] (assets such as fonts stay in).
fn hash_library_files(h: &mut Sha256, dir: &Path, root: &Path) -> Result<()> {
    let mut files = Vec::new();
    collect_files(dir, &mut files)?;
    files.retain(|f| !NOT_LIBRARY.iter().any(|d| f.starts_with(dir.join(d))));
    hash_files(h, files, root)
}

/// Hashes every file under `dir` (paths relative to `root`, sorted); a
/// missing directory hashes as empty. Skips `target` folders.
pub fn hash_tree(h: &mut Sha256, dir: &Path, root: &Path) -> Result<()> {
    let mut files = Vec::new();
    collect_files(dir, &mut files)?;
    hash_files(h, files, root)
}

fn hash_files(h: &mut Sha256, mut files: Vec<PathBuf>, root: &Path) -> Result<()> {
    files.sort();
    for file in files {
        let rel = file.strip_prefix(root).unwrap_or(&file);
        // The same key on Windows: paths hashed with `/`.
        h.update(rel.to_string_lossy().replace('\\', "/").as_bytes());
        let bytes = read(&file)?;
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    Ok(())
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            if entry.file_name() != "target" {
                collect_files(&path, out)?;
            }
        } else {
            out.push(path);
        }
    }
    Ok(())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with(crates: Vec<WorkspaceCrate>) -> KeyEnv {
        KeyEnv {
            base: "base".into(),
            crates,
            machine: "m".into(),
        }
    }

    fn krate(name: &str, hash: &str) -> WorkspaceCrate {
        WorkspaceCrate {
            name: name.into(),
            dir: PathBuf::new(),
            has_cuda: false,
            closure_hash: hash.into(),
        }
    }

    #[test]
    fn key_depends_on_code_session_and_kind() {
        let env = env_with(vec![]);
        let k = env.key(&["let a = 1;"], &Kind::Run);
        assert_eq!(k.len(), 20);
        assert_eq!(k, env.key(&["let a = 1;"], &Kind::Run));
        assert_ne!(k, env.key(&["let a = 2;"], &Kind::Run));
        assert_ne!(k, env.key(&["let a = 1;"], &Kind::ShouldPanic));
        assert_ne!(
            env.key(&["x", "y"], &Kind::Run),
            env.key(&["xy"], &Kind::Run)
        );
    }

    #[test]
    fn key_depends_only_on_crates_the_code_names() {
        let before = env_with(vec![
            krate("nnblocks-tensors", "1"),
            krate("nnblocks-dense", "2"),
        ]);
        let after = env_with(vec![
            krate("nnblocks-tensors", "1"),
            krate("nnblocks-dense", "3"),
        ]);
        let code = "use nnblocks_tensors::mnist;";
        assert_eq!(
            before.key(&[code], &Kind::Run),
            after.key(&[code], &Kind::Run)
        );
        let code = "let m = nnblocks_dense::Model::new();";
        assert_ne!(
            before.key(&[code], &Kind::Run),
            after.key(&[code], &Kind::Run)
        );
        assert!(!mentions("nnblocks_denser", "nnblocks_dense"));
    }

    #[test]
    fn lock_closure_follows_dependencies_and_versions() {
        let mut packages = BTreeMap::new();
        let mut add = |n: &str, v: &str, deps: &[&str]| {
            packages.insert(
                (n.into(), v.into()),
                deps.iter().map(|d| d.to_string()).collect(),
            );
        };
        add("dfdx", "0.13.0", &["gemm", "rand 0.8.5"]);
        add("gemm", "0.15.5", &[]);
        add("rand", "0.8.5", &[]);
        add("rand", "0.9.0", &[]);
        add("criterion", "0.5.1", &["rand 0.9.0"]);
        let lock = Lock { packages };
        assert_eq!(
            lock.closure(&["dfdx".into()]),
            "dfdx 0.13.0\ngemm 0.15.5\nrand 0.8.5\n"
        );
        assert!(!lock.closure(&["dfdx".into()]).contains("criterion"));
        assert_eq!(lock.closure(&["rand".into()]), "rand 0.8.5\nrand 0.9.0\n");
    }

    #[test]
    fn closure_includes_workspace_dependencies() -> Result<()> {
        let root = tempfile::tempdir()?;
        for (name, deps) in [("a", "b = { path = \"../b\" }"), ("b", ""), ("c", "")] {
            let dir = root.path().join("crates").join(name);
            fs::create_dir_all(dir.join("src"))?;
            fs::write(
                dir.join("Cargo.toml"),
                format!("[package]\nname = \"{name}\"\n[dependencies]\n{deps}\n"),
            )?;
            fs::write(dir.join("src/lib.rs"), "")?;
        }
        let hashes = |root: &Path| -> Result<Vec<String>> {
            let no_lock = Lock {
                packages: BTreeMap::new(),
            };
            Ok(crates_with_lock(root, &no_lock)?
                .into_iter()
                .map(|c| c.closure_hash)
                .collect())
        };
        let before = hashes(root.path())?;
        fs::write(root.path().join("crates/b/src/lib.rs"), "// changed")?;
        let after = hashes(root.path())?;
        assert_ne!(before[0], after[0], "a depends on b");
        assert_ne!(before[1], after[1], "b changed");
        assert_eq!(before[2], after[2], "c is independent");
        // Benches, examples and tests are not the library; assets are.
        for target in ["benches/fit.rs", "examples/demo.rs", "tests/it.rs"] {
            let file = root.path().join("crates/c").join(target);
            fs::create_dir_all(file.parent().unwrap())?;
            fs::write(file, "fn main() {}")?;
        }
        assert_eq!(
            hashes(root.path())?[2],
            before[2],
            "c's library is unchanged"
        );
        fs::create_dir_all(root.path().join("crates/c/fonts"))?;
        fs::write(root.path().join("crates/c/fonts/a.ttf"), "glyphs")?;
        assert_ne!(hashes(root.path())?[2], before[2], "c's fonts changed");
        Ok(())
    }

    const RUSTC_VV: &str = "rustc 1.95.0 (59807616e 2026-04-14)\nbinary: rustc\n\
                            commit-hash: 59807616e1d4ad8b9a1ad2d4ad6e4e2d4a0c1f3e\n\
                            commit-date: 2026-04-14\nhost: x86_64-unknown-linux-gnu\n\
                            release: 1.95.0\nLLVM version: 20.1.8\n";

    #[test]
    fn store_keys_do_not_depend_on_the_host() -> Result<()> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let linux = KeyEnv::with_rustc(root, &[], RUSTC_VV)?;
        let mac_vv = RUSTC_VV
            .replace("x86_64-unknown-linux-gnu", "aarch64-apple-darwin")
            .replace("LLVM version: 20.1.8", "LLVM version: 20.1.7");
        let mac = KeyEnv::with_rustc(root, &[], &mac_vv)?;
        let code = ["use nnblocks_dense::Model;\nprintln!(\"x\");\n"];
        assert_eq!(linux.key(&code, &Kind::Run), mac.key(&code, &Kind::Run));
        assert_ne!(linux.machine, mac.machine, "the build cache is per host");
        let newer = KeyEnv::with_rustc(root, &[], &RUSTC_VV.replace("1.95.0", "1.96.0"))?;
        assert_ne!(linux.key(&code, &Kind::Run), newer.key(&code, &Kind::Run));
        Ok(())
    }

    #[test]
    fn compile_fail_keys_see_every_crate() {
        let env = env_with(vec![krate("nnblocks_dense", "d1")]);
        let changed = env_with(vec![krate("nnblocks_dense", "d2")]);
        let code = ["let x: u8 = 256;\n"];
        assert_ne!(
            env.key(&code, &Kind::CompileFail),
            changed.key(&code, &Kind::CompileFail)
        );
        assert_eq!(env.key(&code, &Kind::Run), changed.key(&code, &Kind::Run));
    }

    #[test]
    fn the_toolchain_is_its_release_and_commit() {
        assert_eq!(
            toolchain(RUSTC_VV),
            "commit-hash: 59807616e1d4ad8b9a1ad2d4ad6e4e2d4a0c1f3e\nrelease: 1.95.0\n"
        );
    }
}
