//! The command line, one parser for every command (clap, as mdBook's own
//! CLI): `cargo run -- --help` lists them all. `src/main.rs`
//! runs what it parses.

use crate::commands::export::{DEFAULT_SCALE, MAX_SCALE, Options};
use clap::{Arg, ArgMatches, value_parser};
use std::ffi::OsString;
use std::path::PathBuf;

/// What the command line asks for.
#[derive(Debug)]
pub struct Cli {
    /// `--root DIR`: the book's root, where book.toml is.
    pub root: Option<PathBuf>,
    /// `None`: build the book.
    pub command: Option<Command>,
}

#[derive(Debug, PartialEq)]
pub enum Command {
    Build(Chapters),
    Check(Chapters),
    Bless(Chapters),
    Serve {
        port: u16,
    },
    Figures(FiguresArgs),
    Outputs(Chapters),
    DeviceCheck {
        plan: Option<PathBuf>,
        registry: Option<PathBuf>,
        report: Option<PathBuf>,
    },
    DevicePlan {
        plan: PathBuf,
    },
    /// `preprocess supports RENDERER` is mdBook's question before it runs us.
    Preprocess {
        supports: Option<Supports>,
    },
}

/// Chapters by source path; none means the whole book.
#[derive(Debug, PartialEq)]
pub struct Chapters {
    pub chapters: Vec<PathBuf>,
}

#[derive(Debug, PartialEq)]
pub enum Supports {
    Supports { renderer: String },
}

#[derive(Debug, PartialEq)]
pub struct FiguresArgs {
    pub out: Option<PathBuf>,
    /// (svg, png)
    pub format: (bool, bool),
    pub scale: f32,
    pub names: Vec<String>,
}

const CHAPTERS_HELP: &str = "Chapters by source path (book/ch02/2.1.md); none: the whole book";

impl Cli {
    /// The parser: every command with its options, for `--help` too.
    pub fn command() -> clap::Command {
        let chapters = || {
            Arg::new("chapters")
                .value_name("CHAPTER.md")
                .num_args(0..)
                .value_parser(value_parser!(PathBuf))
                .help(CHAPTERS_HELP)
        };
        let path = |name: &'static str, value: &'static str| {
            Arg::new(name)
                .value_name(value)
                .value_parser(value_parser!(PathBuf))
        };
        let sub = |name: &'static str, about: &'static str| clap::Command::new(name).about(about);
        clap::Command::new("nnblocks")
            .bin_name("cargo run --")
            .version(env!("CARGO_PKG_VERSION"))
            .about(
                "Builds, checks and serves the executable book: every Rust snippet run, its \
                 outputs and figures stored under book/outputs",
            )
            .after_help(
                "With no command, builds the book (`cargo run`).\n\
                 Settings: book.toml's [preprocessor.nnblocks] (timeout, prose-numbers) apply \
                 to every command.\n\
                 Env: NNBLOCKS_WORK_DIR  scratch folder for the snippet registry and cache \
                 (default target/nnblocks)",
            )
            .arg(path("root", "DIR").long("root").global(true).help(
                "The book's root, where book.toml is (default: the nearest folder with a \
                 book.toml, from the working directory up)",
            ))
            .subcommands([
                sub(
                    "build",
                    "Build the book into target/book (the default command); with chapters, \
                     run only their snippets and show stored outputs elsewhere",
                )
                .arg(chapters()),
                sub(
                    "check",
                    "Run every snippet (of these chapters) and compare with the stored outputs",
                )
                .arg(chapters()),
                sub(
                    "bless",
                    "Run every snippet (of these chapters) and store outputs and figures \
                     under book/outputs, removing what no snippet produces",
                )
                .arg(chapters()),
                sub(
                    "serve",
                    "Build the book, serve it on http://127.0.0.1:PORT/, and rebuild and \
                     reload the open pages whenever a chapter or a crate changes; a failing \
                     snippet shows its error in the page",
                )
                .arg(
                    Arg::new("port")
                        .long("port")
                        .value_name("N")
                        .default_value("3000")
                        .value_parser(value_parser!(u16).range(1..)),
                ),
                sub(
                    "figures",
                    "Export every figure (or those named) as DIR/2-10-LABEL.svg and .png with \
                     DIR/index.md; runs only snippets whose figures are missing or stale",
                )
                .args([
                    path("out", "DIR")
                        .long("out")
                        .help("The folder to write to [default: target/figures]"),
                    Arg::new("format")
                        .long("format")
                        .value_name("LIST")
                        .default_value("svg,png")
                        .value_parser(formats)
                        .help("svg, png or svg,png"),
                    Arg::new("scale")
                        .long("scale")
                        .value_name("N")
                        // `--scale -1` is a bad scale, not an unknown flag.
                        .allow_negative_numbers(true)
                        .value_parser(scale)
                        .help(format!(
                            "PNG pixels per SVG pixel [default: {DEFAULT_SCALE}]"
                        )),
                    Arg::new("names")
                        .value_name("FIGURE")
                        .num_args(0..)
                        .help("Figure numbers (2-10, \"그림 2-10\") or labels; none: every figure"),
                ]),
                sub(
                    "outputs",
                    "Print every snippet (of these chapters) with its stored output as JSON: \
                     location, key, rules, output (null when not stored). Runs nothing",
                )
                .arg(chapters()),
                sub(
                    "device-check",
                    "Run every snippet with this build's features (with `cargo run --features \
                     cuda`, on the GPU) and compare with the stored CPU outputs, under each \
                     snippet's tolerance; or, given a plan and a registry built elsewhere, run \
                     that plan (see docs/CUDA.md)",
                )
                .args([
                    path("plan", "PLAN.json")
                        .requires("registry")
                        .help("The plan `device-plan` wrote"),
                    path("registry", "REGISTRY")
                        .help("The registry crate's folder, built for CUDA"),
                    path("report", "REPORT.md").help("Also write the table here"),
                ]),
                sub(
                    "device-plan",
                    "Write the registry crate and the plan here, for a device check on a GPU \
                     machine without cargo (see docs/CUDA.md)",
                )
                .arg(path("plan", "PLAN.json").required(true)),
                sub(
                    "preprocess",
                    "Act as mdBook's preprocessor (declared in book.toml): the book as JSON on \
                     stdin, the processed book on stdout",
                )
                .subcommand(
                    sub(
                        "supports",
                        "Whether it supports a renderer (every one: yes)",
                    )
                    .arg(Arg::new("renderer").required(true)),
                ),
            ])
    }

    /// The command line of this process; prints help or the error and exits.
    pub fn parse() -> Cli {
        Cli::from_matches(Cli::command().get_matches())
    }

    pub fn try_parse_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        Ok(Cli::from_matches(
            Cli::command().try_get_matches_from(args)?,
        ))
    }

    fn from_matches(m: ArgMatches) -> Cli {
        let root = m.get_one::<PathBuf>("root").cloned();
        let command = m.subcommand().map(|(name, m)| match name {
            "build" => Command::Build(Chapters::of(m)),
            "check" => Command::Check(Chapters::of(m)),
            "bless" => Command::Bless(Chapters::of(m)),
            "outputs" => Command::Outputs(Chapters::of(m)),
            "serve" => Command::Serve {
                port: *m.get_one("port").expect("a default"),
            },
            "figures" => Command::Figures(FiguresArgs {
                out: m.get_one("out").cloned(),
                format: *m.get_one("format").expect("a default"),
                scale: m.get_one("scale").copied().unwrap_or(DEFAULT_SCALE),
                names: (m.get_many::<String>("names").into_iter().flatten().cloned()).collect(),
            }),
            "device-check" => Command::DeviceCheck {
                plan: m.get_one("plan").cloned(),
                registry: m.get_one("registry").cloned(),
                report: m.get_one("report").cloned(),
            },
            "device-plan" => Command::DevicePlan {
                plan: m.get_one::<PathBuf>("plan").expect("required").clone(),
            },
            "preprocess" => Command::Preprocess {
                supports: m
                    .subcommand_matches("supports")
                    .map(|s| Supports::Supports {
                        renderer: s.get_one::<String>("renderer").expect("required").clone(),
                    }),
            },
            other => unreachable!("the parser has no command {other}"),
        });
        Cli { root, command }
    }
}

impl Chapters {
    fn of(m: &ArgMatches) -> Chapters {
        let chapters = m.get_many::<PathBuf>("chapters").into_iter().flatten();
        Chapters {
            chapters: chapters.cloned().collect(),
        }
    }
}

impl From<FiguresArgs> for Options {
    fn from(a: FiguresArgs) -> Options {
        Options {
            out: a.out,
            svg: a.format.0,
            png: a.format.1,
            scale: a.scale,
            names: a.names,
        }
    }
}

/// `svg`, `png` or both, comma-separated.
fn formats(list: &str) -> Result<(bool, bool), String> {
    let (mut svg, mut png) = (false, false);
    for format in list.split(',').map(str::trim) {
        match format.to_ascii_lowercase().as_str() {
            "svg" => svg = true,
            "png" => png = true,
            _ => return Err(format!("`{format}`: give svg, png or svg,png")),
        }
    }
    Ok((svg, png))
}

fn scale(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(s) if s > 0.0 && s <= MAX_SCALE => Ok(s),
        _ => Err(format!(
            "a number above 0 and at most {MAX_SCALE} (PNG pixels per SVG pixel), not `{text}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Cli, String> {
        let args = std::iter::once("nnblocks").chain(line.split_whitespace());
        Cli::try_parse_from(args).map_err(|e| e.to_string())
    }

    fn command(line: &str) -> Option<Command> {
        parse(line).unwrap().command
    }

    fn chapters(paths: &[&str]) -> Chapters {
        Chapters {
            chapters: paths.iter().map(PathBuf::from).collect(),
        }
    }

    #[test]
    fn the_parser_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every invocation README.md, docs/ and mdBook use.
    #[test]
    fn documented_invocations_parse() {
        assert_eq!(command(""), None);
        assert_eq!(
            command("build book/preface.md"),
            Some(Command::Build(chapters(&["book/preface.md"])))
        );
        assert_eq!(command("check"), Some(Command::Check(chapters(&[]))));
        assert_eq!(
            command("bless book/a.md book/b.md"),
            Some(Command::Bless(chapters(&["book/a.md", "book/b.md"])))
        );
        assert_eq!(command("serve"), Some(Command::Serve { port: 3000 }));
        assert_eq!(
            command("serve --port 4000"),
            Some(Command::Serve { port: 4000 })
        );
        assert_eq!(command("outputs"), Some(Command::Outputs(chapters(&[]))));
        assert_eq!(
            command("device-plan plan.json"),
            Some(Command::DevicePlan {
                plan: "plan.json".into()
            })
        );
        let device = |plan: Option<&str>, registry: Option<&str>, report: Option<&str>| {
            Some(Command::DeviceCheck {
                plan: plan.map(PathBuf::from),
                registry: registry.map(PathBuf::from),
                report: report.map(PathBuf::from),
            })
        };
        assert_eq!(command("device-check"), device(None, None, None));
        assert_eq!(
            command("device-check p.json reg"),
            device(Some("p.json"), Some("reg"), None)
        );
        assert_eq!(
            command("device-check p.json reg r.md"),
            device(Some("p.json"), Some("reg"), Some("r.md"))
        );
        assert_eq!(
            command("preprocess"),
            Some(Command::Preprocess { supports: None })
        );
        assert_eq!(
            command("preprocess supports html"),
            Some(Command::Preprocess {
                supports: Some(Supports::Supports {
                    renderer: "html".into()
                })
            })
        );
        let cli = parse("check book/a.md --root /b").unwrap();
        assert_eq!(cli.root, Some(PathBuf::from("/b")));
        assert_eq!(parse("--root /b").unwrap().root, Some("/b".into()));
    }

    #[test]
    fn figures_options() {
        let Some(Command::Figures(args)) =
            command("figures 2-29 s232-grids --scale 3 --out DIR --format=png")
        else {
            panic!()
        };
        let o = Options::from(args);
        assert_eq!(o.out, Some(PathBuf::from("DIR")));
        assert_eq!((o.svg, o.png, o.scale), (false, true, 3.0));
        assert_eq!(o.names, ["2-29", "s232-grids"]);
        let Some(Command::Figures(args)) = command("figures") else {
            panic!()
        };
        assert_eq!(Options::from(args), Options::default());
        for (line, message) in [
            ("figures --scale 0", "above 0"),
            ("figures --scale 99", "at most 16"),
            ("figures --format gif", "give svg, png"),
            ("figures --width 3", "--width"),
            ("help", "Usage"),
            ("figures --out", "a value is required"),
            ("device-check p.json", "REGISTRY"),
            ("serve --port 0", "0"),
        ] {
            let err = parse(line).unwrap_err();
            assert!(err.contains(message), "{line}: {err}");
        }
    }

    #[test]
    fn help_lists_every_command() {
        let help = Cli::command().render_long_help().to_string();
        for name in [
            "build",
            "check",
            "bless",
            "serve",
            "figures",
            "outputs",
            "device-check",
            "device-plan",
            "preprocess",
            "--root",
        ] {
            assert!(help.contains(name), "{name} missing from:\n{help}");
        }
    }
}
