//! The info string of a ```` ```rust ```` fence: rustdoc's flags plus ours.
//!
//! ```text
//! rust                                   run it, show its output
//! rust,no_run | should_panic | compile_fail
//! rust,ignore="why it cannot run"        rustdoc's ignore, with the reason required
//! rust,session=mnist                     share variables with earlier cells of the session
//! rust,figure=relu caption="ReLU 함수"   the snippet shows one figure per figure= (in order)
//! rust,tolerance=1e-4                    numbers may differ by this much (relative, at least absolute)
//! rust,timing                            every number of the output depends on timing: mask them
//! rust,timeout=300                       seconds before the snippet is killed
//! rust,solution=LABEL                    the worked solution of {{#exercise LABEL}}: shown folded
//! rust,predict                           the reader predicts the output first: the output is folded
//! ```
//! Tokens are separated by commas or spaces; values with spaces are quoted.

use std::fmt;

/// What the engine does with a snippet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    /// Compile, run, show stdout and figures.
    Run,
    /// Compile only.
    NoRun,
    /// Run; it must panic, and the panic message is part of the output.
    ShouldPanic,
    /// Compile alone; it must fail, and the compiler's error is the output.
    CompileFail,
    /// Neither compiled nor run; the reason is shown to the reader.
    Ignore(String),
}

impl Kind {
    /// The flag as rustdoc and mdBook spell it, if any.
    pub fn rustdoc_flag(&self) -> Option<&'static str> {
        match self {
            Kind::Run => None,
            Kind::NoRun => Some("no_run"),
            Kind::ShouldPanic => Some("should_panic"),
            Kind::CompileFail => Some("compile_fail"),
            Kind::Ignore(_) => Some("ignore"),
        }
    }

    /// Whether the snippet is part of the one-compile registry.
    pub fn in_registry(&self) -> bool {
        matches!(self, Kind::Run | Kind::NoRun | Kind::ShouldPanic)
    }
}

/// A figure the snippet must show, with its label (for `{{#fig label}}`) and caption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureAttr {
    pub label: String,
    pub caption: String,
}

/// Everything the info string of a Rust snippet says.
#[derive(Debug, Clone, PartialEq)]
pub struct Attrs {
    pub kind: Kind,
    pub session: Option<String>,
    pub figures: Vec<FigureAttr>,
    pub tolerance: Option<f64>,
    pub timing: bool,
    pub timeout_s: Option<u64>,
    /// The exercise this snippet solves (`solution=LABEL`): drawn folded.
    pub solution: Option<String>,
    /// The reader predicts the output before seeing it: the output is folded.
    pub predict: bool,
}

impl Attrs {
    /// How strictly this snippet's output is compared with the stored one.
    pub fn rules(&self) -> Rules {
        Rules {
            tolerance: self.tolerance,
            timing: self.timing,
        }
    }
}

/// How strictly to compare (`tolerance`, `timing`).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rules {
    pub tolerance: Option<f64>,
    pub timing: bool,
}

impl Default for Attrs {
    fn default() -> Self {
        Attrs {
            kind: Kind::Run,
            session: None,
            figures: Vec::new(),
            tolerance: None,
            timing: false,
            timeout_s: None,
            solution: None,
            predict: false,
        }
    }
}

/// A malformed or unknown attribute; the caller adds file:line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrError(pub String);

impl fmt::Display for AttrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const KNOWN: &str = "no_run, should_panic, compile_fail, ignore=\"reason\", session=NAME, \
                     figure=LABEL caption=\"...\", tolerance=NUMBER, timing, timeout=SECONDS, \
                     solution=LABEL, predict";

/// Parses an info string. `Ok(None)` means the block is not a Rust snippet.
pub fn parse(info: &str) -> Result<Option<Attrs>, AttrError> {
    let tokens = tokenize(info)?;
    let mut tokens = tokens.into_iter();
    match tokens.next() {
        Some((lang, None)) if lang == "rust" => {}
        _ => return Ok(None),
    }
    let mut attrs = Attrs::default();
    let mut kinds = Vec::new();
    for (key, value) in tokens {
        apply(&mut attrs, &mut kinds, &key, value)?;
    }
    if kinds.len() > 1 {
        return Err(AttrError(format!(
            "conflicting attributes: {}",
            kinds.join(", ")
        )));
    }
    if attrs.figures.iter().any(|f| f.caption.is_empty()) {
        return Err(AttrError(
            "every figure= needs a caption=\"...\" after it".into(),
        ));
    }
    if attrs.session.is_some() && attrs.kind != Kind::Run {
        return Err(AttrError(format!(
            "a session cell must be a plain runnable snippet, not {}",
            kinds.join("")
        )));
    }
    if !attrs.figures.is_empty() && !matches!(attrs.kind, Kind::Run) {
        return Err(AttrError("only a runnable snippet can show figures".into()));
    }
    Ok(Some(attrs))
}

fn apply(
    attrs: &mut Attrs,
    kinds: &mut Vec<String>,
    key: &str,
    value: Option<String>,
) -> Result<(), AttrError> {
    let flag = |kind: Kind, kinds: &mut Vec<String>, attrs: &mut Attrs| {
        kinds.push(key.to_string());
        attrs.kind = kind;
    };
    match (key, value) {
        ("no_run", None) => flag(Kind::NoRun, kinds, attrs),
        ("should_panic", None) => flag(Kind::ShouldPanic, kinds, attrs),
        ("compile_fail", None) => flag(Kind::CompileFail, kinds, attrs),
        ("ignore", Some(reason)) if !reason.trim().is_empty() => {
            flag(Kind::Ignore(reason), kinds, attrs)
        }
        ("ignore", _) => {
            return Err(AttrError(
                "`ignore` needs a written reason: ignore=\"why this cannot run\"".into(),
            ));
        }
        ("timing", None) => attrs.timing = true,
        ("predict", None) => attrs.predict = true,
        ("solution", Some(label)) if is_name(&label) => attrs.solution = Some(label),
        ("session", Some(name)) if is_name(&name) => attrs.session = Some(name),
        ("figure", Some(label)) if is_name(&label) => attrs.figures.push(FigureAttr {
            label,
            caption: String::new(),
        }),
        ("caption", Some(caption)) => match attrs.figures.last_mut() {
            Some(fig) if fig.caption.is_empty() => fig.caption = caption,
            _ => return Err(AttrError("caption= must follow its figure=".into())),
        },
        ("tolerance", Some(v)) => match v.parse::<f64>() {
            Ok(t) if t > 0.0 && t.is_finite() => attrs.tolerance = Some(t),
            _ => {
                return Err(AttrError(format!(
                    "tolerance={v}: expected a positive number such as 1e-4"
                )));
            }
        },
        ("timeout", Some(v)) => match v.parse::<u64>() {
            Ok(s) if s > 0 => attrs.timeout_s = Some(s),
            _ => {
                return Err(AttrError(format!(
                    "timeout={v}: expected a whole number of seconds"
                )));
            }
        },
        (key, Some(v)) if ["session", "figure", "solution"].contains(&key) => {
            return Err(AttrError(format!(
                "{key}={v}: use letters, digits, '-' and '_' only"
            )));
        }
        (key, Some(_))
            if [
                "no_run",
                "should_panic",
                "compile_fail",
                "timing",
                "predict",
            ]
            .contains(&key) =>
        {
            return Err(AttrError(format!("`{key}` takes no value")));
        }
        (key, None)
            if [
                "session",
                "figure",
                "caption",
                "tolerance",
                "timeout",
                "solution",
            ]
            .contains(&key) =>
        {
            return Err(AttrError(format!("`{key}` needs a value: {key}=...")));
        }
        (key, _) => {
            return Err(AttrError(format!(
                "unknown attribute `{key}` (known: {KNOWN})"
            )));
        }
    }
    Ok(())
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Splits on commas and whitespace outside quotes into `key` or `key=value`.
fn tokenize(info: &str) -> Result<Vec<(String, Option<String>)>, AttrError> {
    let mut tokens = Vec::new();
    let mut chars = info.chars().peekable();
    loop {
        while chars.next_if(|c| *c == ',' || c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(tokens);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && *c != ',' && !c.is_whitespace()) {
            if c == '"' {
                return Err(AttrError(format!("unexpected quote after `{key}`")));
            }
            key.push(c);
        }
        if chars.next_if_eq(&'=').is_none() {
            tokens.push((key, None));
            continue;
        }
        let value = if chars.next_if_eq(&'"').is_some() {
            quoted(&mut chars, &key)?
        } else {
            let mut v = String::new();
            while let Some(c) = chars.next_if(|c| *c != ',' && !c.is_whitespace()) {
                v.push(c);
            }
            v
        };
        if value.is_empty() {
            return Err(AttrError(format!("`{key}=` has an empty value")));
        }
        tokens.push((key, Some(value)));
    }
}

fn quoted(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    key: &str,
) -> Result<String, AttrError> {
    let mut value = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Ok(value),
            '\\' => match chars.next() {
                Some(e @ ('"' | '\\')) => value.push(e),
                _ => return Err(AttrError(format!("{key}=: bad escape (use \\\" or \\\\)"))),
            },
            c => value.push(c),
        }
    }
    Err(AttrError(format!("{key}=\"...: missing closing quote")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(info: &str) -> Attrs {
        parse(info).unwrap().unwrap()
    }

    fn err(info: &str) -> String {
        parse(info).unwrap_err().0
    }

    #[test]
    fn other_languages_are_not_snippets() {
        assert_eq!(parse("text").unwrap(), None);
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse("rusty").unwrap(), None);
        assert_eq!(parse("toml,ignore").unwrap(), None);
    }

    #[test]
    fn plain_rust_runs() {
        assert_eq!(ok("rust"), Attrs::default());
    }

    #[test]
    fn rustdoc_flags() {
        assert_eq!(ok("rust,no_run").kind, Kind::NoRun);
        assert_eq!(ok("rust should_panic").kind, Kind::ShouldPanic);
        assert_eq!(ok("rust, compile_fail").kind, Kind::CompileFail);
        assert_eq!(
            ok(r#"rust,ignore="needs a GPU, and \"cuda\"""#).kind,
            Kind::Ignore("needs a GPU, and \"cuda\"".into())
        );
    }

    #[test]
    fn our_attributes() {
        let a = ok(
            r#"rust,session=mnist figure=grid caption="MNIST 샘플, 격자" figure=b caption=B tolerance=1e-4 timeout=300 timing"#,
        );
        assert_eq!(a.session.as_deref(), Some("mnist"));
        assert_eq!(
            a.figures,
            vec![
                FigureAttr {
                    label: "grid".into(),
                    caption: "MNIST 샘플, 격자".into()
                },
                FigureAttr {
                    label: "b".into(),
                    caption: "B".into()
                },
            ]
        );
        assert_eq!(a.tolerance, Some(1e-4));
        assert_eq!(a.timeout_s, Some(300));
        assert!(a.timing);
        assert!(a.solution.is_none() && !a.predict);
        let s = ok("rust,compile_fail,solution=ex-rank predict");
        assert_eq!(s.solution.as_deref(), Some("ex-rank"));
        assert!(s.predict);
        assert_eq!(s.kind, Kind::CompileFail);
        assert!(
            parse("rust,solution")
                .unwrap_err()
                .0
                .contains("needs a value")
        );
        assert!(
            parse("rust,predict=1")
                .unwrap_err()
                .0
                .contains("takes no value")
        );
    }

    #[test]
    fn bad_attributes_say_what_is_wrong() {
        assert!(err("rust,ignore").contains("written reason"));
        assert!(err("rust,foo").contains("unknown attribute `foo`"));
        assert!(err("rust,no_run,should_panic").contains("conflicting"));
        assert!(err("rust,figure=a").contains("caption"));
        assert!(err("rust,caption=x").contains("must follow"));
        assert!(err("rust,tolerance=big").contains("positive number"));
        assert!(err("rust,timeout=-1").contains("whole number"));
        assert!(err(r#"rust,figure=a caption="open"#).contains("closing quote"));
        assert!(err("rust,session").contains("needs a value"));
        assert!(err("rust,session=a b").contains("unknown attribute `b`"));
        assert!(err("rust,session=a/b").contains("letters"));
        assert!(err("rust,session=a,no_run").contains("session cell"));
        assert!(err("rust,timing=1").contains("takes no value"));
        assert!(err("rust,compile_fail,figure=a caption=b").contains("only a runnable"));
    }
}
