//! The device check (in one go, or `device-plan` here and `device-check`
//! with a prebuilt registry there): run here with the CPU registry, every
//! snippet must match its stored output; changed, missing and failing
//! outputs must be reported.

use nnblocks::build::registry::Registry;
use nnblocks::engine::default_target_dir;
use nnblocks::engine::device::{self, Verdict};
use nnblocks::markdown::attrs::Kind;
use nnblocks::plan::DevicePlan;
use nnblocks::verify::settle::Mode;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{book, check, clone, workspace};

const CHAPTER: &str = "# Device\n\n\
```rust\nprintln!(\"exact {}\", 6 * 7);\n```\n\n\
```rust,tolerance=1e-3\nprintln!(\"loss {:.4}\", 0.25_f64);\n```\n\n\
```rust,session=s\nlet x = 3;\nprintln!(\"x = {x}\");\n```\n\n\
```rust,session=s\nprintln!(\"x + 1 = {}\", x + 1);\n```\n\n\
```rust,should_panic\nprintln!(\"before\");\nlet v: Vec<u8> = Vec::new();\nlet _ = v[0];\n```\n\n\
```rust,no_run\nloop {}\n```\n\n\
```rust,timing\nprintln!(\"{} steps per second\", 1000);\n```\n";

fn stored(dir: &Path, key: &str) -> PathBuf {
    dir.join("book/outputs/bad").join(format!("{key}.txt"))
}

#[test]
fn device_check_runs_a_prebuilt_registry_against_the_store() {
    let (dir, pre) = book("device", CHAPTER);
    let report = check(dir.path(), &pre, Mode::Bless);
    assert!(
        report.failures.is_empty(),
        "{}",
        report.problems(Mode::Bless)
    );
    let work_dir = pre.work_dir.clone().unwrap();

    // In one go (plan, build with this engine's features, run): here, the CPU.
    let rows = nnblocks::device_check(dir.path(), clone(&pre)).unwrap();
    assert_eq!(rows.len(), 6);
    assert!(
        rows.iter().all(|r| r.verdict == Verdict::Exact),
        "{}",
        device::report(&rows)
    );

    // In two halves, as for a GPU machine without cargo.
    let plan = nnblocks::device_plan(dir.path(), clone(&pre)).unwrap();

    // no_run is compiled, not run: six snippets in five programs.
    assert_eq!(plan.programs.len(), 5);
    assert_eq!(plan.programs[3].kind, Kind::ShouldPanic);
    let lines: Vec<usize> = plan
        .programs
        .iter()
        .flat_map(|p| &p.cells)
        .map(|c| c.location.line)
        .collect();
    assert_eq!(lines, [3, 7, 11, 16, 20, 30]);

    let target = default_target_dir(&workspace());
    let package = Registry::new(&workspace(), &target, &work_dir, &[], true).package;
    let registry = target.join("debug").join(package);
    let check = |plan: &DevicePlan| device::check(plan, &registry, dir.path()).unwrap();
    let rows = check(&plan);
    let verdicts: Vec<&Verdict> = rows.iter().map(|r| &r.verdict).collect();
    assert!(
        verdicts.iter().all(|v| **v == Verdict::Exact),
        "{}",
        device::report(&rows)
    );
    assert!(device::report(&rows).contains("6 of 6 snippets match (6 exactly, 0 but"));

    // A timing snippet's numbers are never compared.
    let timing = stored(dir.path(), &plan.programs[4].cells[0].key);
    fs::write(&timing, "1234 steps per second\n").unwrap();
    assert_eq!(check(&plan)[5].verdict, Verdict::Masked);

    // Rounding within the snippet's tolerance, and beyond it.
    let loss = stored(dir.path(), &plan.programs[1].cells[0].key);
    fs::write(&loss, "loss 0.2501\n").unwrap();
    assert!(matches!(check(&plan)[1].verdict, Verdict::Within(d) if (d - 1e-4).abs() < 1e-9));
    fs::write(&loss, "loss 0.2600\n").unwrap();
    let row = &check(&plan)[1];
    assert!(
        matches!(&row.verdict, Verdict::Differs { deviation: Some(d), .. } if (d - 0.01).abs() < 1e-9),
        "{row:?}"
    );
    let text = device::report(&check(&plan));
    assert!(
        text.contains("bad.md:7: DIFFERS (numbers only, max dev. 1.0e-2)"),
        "{text}"
    );
    assert!(text.contains("-loss 0.2600"), "the diff is shown: {text}");
    // A session's second cell whose output is not stored.
    fs::remove_file(stored(dir.path(), &plan.programs[2].cells[1].key)).unwrap();
    assert_eq!(check(&plan)[3].verdict, Verdict::NotStored);

    // A program the registry lacks fails, and so does the rest of its session.
    let mut broken = plan.clone();
    broken.programs[2].id = "p_missing".into();
    let rows = check(&broken);
    assert!(
        matches!(&rows[2].verdict, Verdict::Failed(why) if why.contains("no program `p_missing`")),
        "{:?}",
        rows[2]
    );
    assert_eq!(
        rows[3].verdict,
        Verdict::Failed("an earlier cell of its session failed".into())
    );
}
