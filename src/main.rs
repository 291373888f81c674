//! `cargo run` builds the book; `cargo run -- bless` re-blesses its outputs.

use anyhow::{Context, Result, bail};
use nnblocks::pages::preprocess::{NAME, Nnblocks};
use nnblocks::verify::settle::Mode;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "\
usage: cargo run -- [COMMAND]

  build [CHAPTER.md...]   build the book into target/book (the default); with chapters,
                          run only their snippets and show stored outputs elsewhere
  check [CHAPTER.md...]   run every snippet (of these chapters) and compare with the stored outputs
  bless [CHAPTER.md...]   run every snippet (of these chapters) and store outputs and figures
                          under book/outputs, removing what no snippet produces
  serve [--port N]        build the book, serve it on http://127.0.0.1:N/ (default 3000),
                          and rebuild and reload the open pages whenever a chapter or a
                          crate changes; a failing snippet shows its error in the page
  preprocess   act as mdBook's preprocessor (declared in book.toml)
  figures [--out DIR] [--format svg,png] [--scale N] [FIGURE...]
                          export every figure (or those named by number, 2-10, or label)
                          as DIR/2-10-LABEL.svg and .png (PNG at N pixels per SVG pixel,
                          default 2) with DIR/index.md; default DIR target/figures.
                          Runs only snippets whose figures are missing or stale

  outputs [CHAPTER.md...] print every snippet (of these chapters) with its stored output as
                          JSON: location, key, rules, output (null when not stored).
                          Runs nothing

  device-check            run every snippet with this build's features (with
                          `cargo run --features cuda`, on the GPU) and compare with the
                          stored CPU outputs, under each snippet's tolerance
  device-plan PLAN.json   the same in two halves, for a GPU machine without cargo: write
                          the registry crate and the plan here, build the registry for
  device-check PLAN.json REGISTRY [REPORT.md]
                          CUDA, and run the plan there (see docs/CUDA.md)

options: --root DIR   the book's root, where book.toml is (default: the nearest
                      folder with a book.toml, from the working directory up)
env:     NNBLOCKS_WORK_DIR   scratch folder for the snippet registry and cache
                             (default target/nnblocks)";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let root = match args.iter().position(|a| a == "--root") {
        Some(i) => {
            let Some(dir) = args.get(i + 1) else {
                bail!("--root needs a directory\n\n{USAGE}")
            };
            let root = PathBuf::from(dir);
            args.drain(i..i + 2);
            root
        }
        None if args.first().map(String::as_str) == Some("preprocess") => PathBuf::new(),
        None => nnblocks::find_root(&std::env::current_dir()?)?,
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => build(&root, &[]),
        ["build", chapters @ ..] => build(&root, chapters),
        ["check", chapters @ ..] => check(&root, Mode::Verify, chapters),
        ["bless", chapters @ ..] => check(&root, Mode::Bless, chapters),
        ["outputs", chapters @ ..] => outputs(&root, chapters),
        ["device-plan", plan] => device_plan(&root, Path::new(plan)),
        ["device-check"] => device_report(nnblocks::device_check(&root, Nnblocks::default()), None),
        ["device-check", plan, registry, report @ ..] if report.len() <= 1 => device_check(
            &root,
            Path::new(plan),
            Path::new(registry),
            report.first().map(Path::new),
        ),
        ["figures", options @ ..] => figures(&root, options),
        ["serve"] => serve(&root, "3000"),
        ["serve", "--port", port] => serve(&root, port),
        ["preprocess", "supports", _renderer] => Ok(ExitCode::SUCCESS),
        ["preprocess"] => preprocess(),
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!("unknown arguments {args:?}\n\n{USAGE}"),
    }
}

fn build(root: &std::path::Path, chapters: &[&str]) -> Result<ExitCode> {
    let start = Instant::now();
    let run_only = (!chapters.is_empty()).then(|| chapters.iter().map(PathBuf::from).collect());
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

fn check(root: &std::path::Path, mode: Mode, chapters: &[&str]) -> Result<ExitCode> {
    let start = Instant::now();
    let only: Vec<PathBuf> = chapters.iter().map(PathBuf::from).collect();
    let report = nnblocks::check_chapters(root, mode, Nnblocks::default(), &only)?;
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

fn outputs(root: &Path, chapters: &[&str]) -> Result<ExitCode> {
    let only: Vec<PathBuf> = chapters.iter().map(PathBuf::from).collect();
    let outputs = nnblocks::stored_outputs(root, Nnblocks::default(), &only)?;
    println!("{}", serde_json::to_string_pretty(&outputs)?);
    Ok(ExitCode::SUCCESS)
}

fn serve(root: &Path, port: &str) -> Result<ExitCode> {
    let port: u16 = (port.parse().ok())
        .filter(|&p| p > 0)
        .with_context(|| format!("--port {port}: not a port number (1 to 65535)"))?;
    nnblocks::commands::serve::serve(root, port)?;
    Ok(ExitCode::SUCCESS)
}

fn figures(root: &Path, args: &[&str]) -> Result<ExitCode> {
    let start = Instant::now();
    let options =
        nnblocks::commands::export::Options::parse(args).map_err(|e| {
        anyhow::anyhow!(
            "{e}\nusage: cargo run -- figures [--out DIR] [--format svg,png] [--scale N] [FIGURE...]"
        )
    })?;
    let done = nnblocks::commands::export::export(
        root,
        Nnblocks::default(),
        &options,
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
    let _ = NAME;
    Ok(ExitCode::SUCCESS)
}
