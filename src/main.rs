//! `cargo run` builds the book; `cargo run -- --help` lists every command
//! (parsed in `commands::cli`), each run here.

use anyhow::{Context, Result};
use nnblocks::commands::cli::{Cli, Command};
use nnblocks::commands::export::Options;
use nnblocks::pages::config::Nnblocks;
use nnblocks::verify::settle::Mode;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let root = match (cli.root, &cli.command) {
        (Some(root), _) => root,
        // mdBook gives the root with the book.
        (None, Some(Command::Preprocess { .. })) => PathBuf::new(),
        (None, _) => nnblocks::find_root(&std::env::current_dir()?)?,
    };
    match cli.command {
        None => build(&root, &[]),
        Some(Command::Build(c)) => build(&root, &c.chapters),
        Some(Command::Check(c)) => check(&root, Mode::Verify, &c.chapters),
        Some(Command::Bless(c)) => check(&root, Mode::Bless, &c.chapters),
        Some(Command::Outputs(c)) => outputs(&root, &c.chapters),
        Some(Command::DevicePlan { plan }) => device_plan(&root, &plan),
        Some(Command::DeviceCheck {
            plan: Some(plan),
            registry: Some(registry),
            report,
        }) => device_check(&root, &plan, &registry, report.as_deref()),
        Some(Command::DeviceCheck { .. }) => {
            device_report(nnblocks::device_check(&root, Nnblocks::default()), None)
        }
        Some(Command::Figures(args)) => figures(&root, &args.into()),
        Some(Command::Serve { port }) => {
            nnblocks::commands::serve::serve(&root, port)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Preprocess { supports: Some(_) }) => Ok(ExitCode::SUCCESS),
        Some(Command::Preprocess { supports: None }) => preprocess(),
    }
}

fn build(root: &Path, chapters: &[PathBuf]) -> Result<ExitCode> {
    let start = Instant::now();
    let run_only = (!chapters.is_empty()).then(|| chapters.to_vec());
    let preprocessor = Nnblocks {
        run_only,
        ..Nnblocks::default()
    };
    let book = nnblocks::load_book(root, preprocessor)?;
    book.build()?;
    let out = book.build_dir_for("html");
    eprintln!(
        "nnblocks: built the book in {:.1} s: open {}",
        start.elapsed().as_secs_f64(),
        out.join("index.html").display()
    );
    Ok(ExitCode::SUCCESS)
}

fn check(root: &Path, mode: Mode, chapters: &[PathBuf]) -> Result<ExitCode> {
    let start = Instant::now();
    let report = nnblocks::check_chapters(root, mode, Nnblocks::default(), chapters)?;
    eprint!("{}", report.problems(mode));
    let verb = if mode == Mode::Bless {
        "blessed"
    } else {
        "checked"
    };
    eprintln!(
        "nnblocks: {verb} {} snippet(s) ({} program(s) run) in {:.1} s{}",
        report.snippets.len(),
        report.programs_run,
        start.elapsed().as_secs_f64(),
        if !report.removed.is_empty() {
            format!("; removed {} stale file(s)", report.removed.len())
        } else {
            String::new()
        }
    );
    let clean = match mode {
        Mode::Bless => report.failures.is_empty(),
        _ => report.is_clean(),
    };
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn outputs(root: &Path, chapters: &[PathBuf]) -> Result<ExitCode> {
    let outputs = nnblocks::stored_outputs(root, Nnblocks::default(), chapters)?;
    println!("{}", serde_json::to_string_pretty(&outputs)?);
    Ok(ExitCode::SUCCESS)
}

fn figures(root: &Path, options: &Options) -> Result<ExitCode> {
    let start = Instant::now();
    let done = nnblocks::commands::export::export(
        root,
        Nnblocks::default(),
        options,
        &mut std::io::stderr(),
    )?;
    eprintln!(
        "nnblocks: exported {} figure(s) to {} ({} file(s) with index.md; {} program(s) run) in {:.1} s",
        done.figures,
        done.dir.display(),
        done.files.len(),
        done.programs_run,
        start.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn device_plan(root: &Path, out: &Path) -> Result<ExitCode> {
    let plan = nnblocks::device_plan(root, Nnblocks::default())?;
    let json = serde_json::to_string_pretty(&plan)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    nnblocks::verify::store::write_atomic(out, json.as_bytes())?;
    let cells: usize = plan.programs.iter().map(|p| p.cells.len()).sum();
    eprintln!(
        "nnblocks: {} program(s), {cells} snippet(s) planned in {}",
        plan.programs.len(),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn device_check(
    root: &Path,
    plan: &Path,
    registry: &Path,
    report: Option<&Path>,
) -> Result<ExitCode> {
    let plan = nnblocks::engine::device::read_plan(plan)?;
    device_report(
        nnblocks::engine::device::check(&plan, registry, root),
        report,
    )
}

/// Prints the device check's table (and writes it to `report`); fails
/// unless every snippet matches.
fn device_report(
    rows: Result<Vec<nnblocks::engine::device::Row>>,
    report: Option<&Path>,
) -> Result<ExitCode> {
    let rows = rows?;
    let text = nnblocks::engine::device::report(&rows);
    print!("{text}");
    if let Some(path) = report {
        std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(if rows.iter().all(|r| r.verdict.is_match()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// mdBook's protocol: the book as JSON on stdin, the processed book on stdout.
fn preprocess() -> Result<ExitCode> {
    use mdbook_preprocessor::Preprocessor;
    let (ctx, book) = mdbook_preprocessor::parse_input(std::io::stdin())?;
    let book = Nnblocks::default().run(&ctx, book)?;
    serde_json::to_writer(std::io::stdout(), &book)?;
    Ok(ExitCode::SUCCESS)
}
