//! Failure injection: small books with one broken snippet each. Every
//! problem must fail the build and the check, name the markdown file and
//! line, and leave the other snippets' outputs intact.

use nnblocks::pages::config::Nnblocks;
use nnblocks::verify::report::Report;
use nnblocks::verify::settle::{Mode, Origin};
use std::fs;
use std::path::PathBuf;

use crate::common::{book, build_error, check, clone, own_workspace};

/// A good snippet before the bad one, whose output must survive.
const GOOD: &str = "# Bad\n\n```rust\nprintln!(\"good\");\n```\n\n";

fn assert_good_survived(report: &Report) {
    let (out, _) = report.outputs[0]
        .as_ref()
        .expect("the good snippet still has its output");
    assert_eq!(out.text, "good\n");
}

#[test]
fn compile_error_names_the_line() {
    let (dir, pre) = book(
        "compile",
        &format!("{GOOD}```rust\nlet a = 1;\nlet x: i32 = \"text\";\n```\n"),
    );
    let report = check(dir.path(), &pre, Mode::Build);
    let problems = report.problems(Mode::Build);
    assert!(
        problems.contains("bad.md:9: snippet does not compile"),
        "{problems}"
    );
    assert!(problems.contains("mismatched types"), "{problems}");
    assert!(
        problems.contains("bad.md:9:14"),
        "locations point into the markdown: {problems}"
    );
    assert_good_survived(&report);
    assert!(build_error(dir.path(), &pre).contains("bad.md:9: snippet does not compile"));
    let verify = check(dir.path(), &pre, Mode::Verify);
    assert!(
        verify
            .problems(Mode::Verify)
            .contains("bad.md:9: snippet does not compile")
    );
}

#[test]
fn panic_names_the_line_and_message() {
    let (dir, pre) = book(
        "panic",
        &format!(
            "{GOOD}```rust\nlet v: Vec<u8> = vec![];\nprintln!(\"before\");\npanic!(\"boom {{}}\", v.len());\n```\n"
        ),
    );
    let report = check(dir.path(), &pre, Mode::Build);
    let problems = report.problems(Mode::Build);
    assert!(
        problems.contains("bad.md:10: snippet panicked"),
        "{problems}"
    );
    assert!(problems.contains("boom 0"), "{problems}");
    assert_good_survived(&report);
    assert!(build_error(dir.path(), &pre).contains("boom 0"));
}

#[test]
fn endless_loop_times_out() {
    let (dir, pre) = book(
        "timeout",
        &format!("{GOOD}```rust,timeout=2\nloop {{ std::hint::spin_loop(); }}\n```\n"),
    );
    let report = check(dir.path(), &pre, Mode::Build);
    let problems = report.problems(Mode::Build);
    assert!(
        problems.contains("bad.md:7: snippet timed out after 2 s"),
        "{problems}"
    );
    assert_good_survived(&report);
}

#[test]
fn abort_is_reported() {
    let (dir, pre) = book(
        "abort",
        &format!("{GOOD}```rust\nstd::process::abort();\n```\n"),
    );
    let problems = check(dir.path(), &pre, Mode::Build).problems(Mode::Build);
    assert!(
        problems.contains("bad.md:7: snippet failed: killed by signal 6"),
        "{problems}"
    );
}

#[test]
fn bad_attribute_names_the_fence() {
    let (dir, pre) = book(
        "attr",
        &format!("{GOOD}Text.\n\n```rust,figure=a\nprintln!();\n```\n"),
    );
    let problems = check(dir.path(), &pre, Mode::Build).problems(Mode::Build);
    assert!(
        problems.contains("bad.md:9: bad snippet attributes: every figure= needs a caption"),
        "{problems}"
    );
    assert!(build_error(dir.path(), &pre).contains("bad.md:9: bad snippet attributes"));
}

#[test]
fn html_in_output_is_escaped() {
    let (dir, pre) = book(
        "html",
        "# H\n\n```rust\nprintln!(\"<script>alert(1)</script> & {{{{#include x}}}}\");\n```\n\nAfter.\n",
    );
    let book = nnblocks::load_book(dir.path(), clone(&pre)).unwrap();
    book.build().unwrap();
    let html = fs::read_to_string(dir.path().join("out/bad.html")).unwrap();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{#include x}}"),
        "{html}"
    );
    assert!(
        html.contains("<p>After.</p>"),
        "prose after the output is still markdown"
    );
}

#[test]
fn ten_megabytes_of_output_are_stopped() {
    let (dir, pre) = book(
        "flood",
        &format!(
            "{GOOD}```rust\nlet line = \"x\".repeat(1023);\nfor _ in 0..10 * 1024 {{ println!(\"{{line}}\"); }}\n```\n"
        ),
    );
    let report = check(dir.path(), &pre, Mode::Build);
    let problems = report.problems(Mode::Build);
    assert!(
        problems.contains("bad.md:7: snippet printed more than 1024 KiB"),
        "{problems}"
    );
    assert!(problems.len() < 100_000, "the message stays short");
    assert_good_survived(&report);
}

#[test]
fn expectations_of_rustdoc_flags() {
    let chapter = "# F\n\n```rust,should_panic\nprintln!(\"fine\");\n```\n\n```rust,compile_fail\nlet x: u8 = 1;\n```\n";
    let (dir, pre) = book("flags", chapter);
    let problems = check(dir.path(), &pre, Mode::Build).problems(Mode::Build);
    assert!(
        problems.contains("bad.md:3: should_panic snippet finished without panicking"),
        "{problems}"
    );
    assert!(
        problems.contains("bad.md:7: compile_fail snippet compiled without error"),
        "{problems}"
    );
}

#[test]
fn figures_and_references_must_agree() {
    let chapter = "# F\n\nSee {{#fig nowhere}}.\n\n```rust,figure=a caption=\"A\"\nprintln!(\"no figure\");\n```\n";
    let (dir, pre) = book("figs", chapter);
    let problems = check(dir.path(), &pre, Mode::Build).problems(Mode::Build);
    assert!(
        problems
            .contains("bad.md:5: the snippet showed 0 figure(s) but its info string declares 1"),
        "{problems}"
    );
    let (dir, pre) = book("figref", "# F\n\nSee {{#fig nowhere}} and $\\frac{1}$.\n");
    let err = build_error(dir.path(), &pre);
    assert!(
        err.contains("bad.md:3: {{#fig nowhere}} refers to no figure"),
        "{err}"
    );
    assert!(err.contains("bad.md:3: invalid LaTeX"), "{err}");
}

#[test]
fn new_snippets_are_missing_from_the_store_until_blessed() {
    let (dir, pre) = book("bless", "# B\n\n```rust\nprintln!(\"{}\", 6 * 7);\n```\n");
    let verify = check(dir.path(), &pre, Mode::Verify);
    assert_eq!(verify.missing.len(), 1, "{}", verify.problems(Mode::Verify));
    assert!(
        verify
            .problems(Mode::Verify)
            .contains("bad.md:3: output not in the store yet")
    );
    // The build still shows it, from the cache, without touching book/.
    let build = check(dir.path(), &pre, Mode::Build);
    assert_eq!(build.outputs[0].as_ref().unwrap().1, Origin::Fresh);
    assert!(
        !dir.path().join("book/outputs").exists(),
        "a build never writes the store"
    );
    let bless = check(dir.path(), &pre, Mode::Bless);
    assert!(bless.failures.is_empty());
    let verify = check(dir.path(), &pre, Mode::Verify);
    assert!(verify.is_clean(), "{}", verify.problems(Mode::Verify));
    // A warm build finds everything in the store and runs nothing.
    let warm = check(dir.path(), &pre, Mode::Build);
    assert_eq!(warm.programs_run, 0);
    assert_eq!(warm.outputs[0].as_ref().unwrap().1, Origin::Store);
    // A changed output is a mismatch with a diff; a removed snippet leaves an orphan.
    let store = dir.path().join("book/outputs/bad");
    let stored = fs::read_dir(&store)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    fs::write(&stored, "41\n").unwrap();
    let verify = check(dir.path(), &pre, Mode::Verify);
    let problems = verify.problems(Mode::Verify);
    assert!(
        problems.contains("bad.md:3: output is not what the book stores"),
        "{problems}"
    );
    assert!(problems.contains("-41\n+42"), "{problems}");
    fs::write(dir.path().join("book/bad.md"), "# B\n\nNo code.\n").unwrap();
    let verify = check(dir.path(), &pre, Mode::Verify);
    assert_eq!(verify.orphans, vec![stored.clone()]);
    check(dir.path(), &pre, Mode::Bless);
    assert!(!stored.exists(), "bless removes what no snippet produces");
}

#[test]
fn an_author_can_build_while_another_chapter_is_broken() {
    let (dir, mut pre) = book(
        "run-only",
        "# Broken\n\n```rust\nlet x: i32 = \"no\";\n```\n\n```rust,bad_attr\n```\n",
    );
    fs::write(
        dir.path().join("book/mine.md"),
        "# Mine\n\n```rust\nprintln!(\"mine\");\n```\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("book/SUMMARY.md"),
        "# S\n\n- [Bad](bad.md)\n- [Mine](mine.md)\n",
    )
    .unwrap();
    assert!(build_error(dir.path(), &pre).contains("bad.md:4"));
    pre.run_only = Some(vec![PathBuf::from("book/mine.md")]);
    let book = nnblocks::load_book(dir.path(), clone(&pre)).unwrap();
    book.build().unwrap();
    let html = fs::read_to_string(dir.path().join("out/mine.html")).unwrap();
    assert!(html.contains("mine\n</pre>"), "{html}");
}

#[test]
fn reblessing_leaves_matching_timings_alone() {
    let chapter = "# T\n\n```rust,timing\nlet t = std::time::Instant::now();\nlet mut x = 0u64;\nfor i in 0..1000 { x = x.wrapping_add(std::hint::black_box(i)); }\nprintln!(\"{} {}\", x, t.elapsed().as_nanos());\n```\n";
    let (dir, pre) = book("rebless", chapter);
    assert!(check(dir.path(), &pre, Mode::Bless).failures.is_empty());
    let store = dir.path().join("book/outputs/bad");
    let file = fs::read_dir(&store)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let first = fs::read_to_string(&file).unwrap();
    assert!(check(dir.path(), &pre, Mode::Bless).failures.is_empty());
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        first,
        "a matching output is not rewritten"
    );
}

#[test]
fn a_crate_that_does_not_compile_is_named_with_rustcs_text() {
    let dir = own_workspace(
        &[(
            "bad.md",
            "# C\n\n```rust\nprintln!(\"{}\", broken::answer());\n```\n",
        )],
        &[(
            "broken",
            "/// The answer.\npub fn answer() -> u32 {\n    \"forty-two\"\n}\n",
        )],
    );
    let pre = Nnblocks {
        quiet: true,
        ..Nnblocks::default()
    };
    let report = check(dir.path(), &pre, Mode::Build);
    let problems = report.problems(Mode::Build);
    assert!(
        problems
            .contains("crates/broken/src/lib.rs:3: does not compile (a crate the snippets use)"),
        "{problems}"
    );
    assert!(problems.contains("mismatched types"), "{problems}");
    assert!(
        problems.contains("crates/broken/src/lib.rs:3:5"),
        "{problems}"
    );
}

#[test]
fn errors_found_only_after_others_are_fixed_are_reported_in_one_run() {
    // rustc stops before evaluating constants (E0080) while the crate has
    // type errors: the engine drops the first snippet and builds again.
    let chapter = format!(
        "{GOOD}```rust\nlet x: i32 = \"text\";\n```\n\n\
         ```rust\nstruct Check<const N: usize>;\nimpl<const N: usize> Check<N> {{\n    \
         const NONZERO: () = assert!(N > 0, \"N must not be zero\");\n}}\n\
         let () = Check::<0>::NONZERO;\n```\n\n\
         ```rust\nuse dfdx::prelude::*;\nlet dev = AutoDevice::default();\n\
         let t: Tensor<Rank1<4>, f32, _> = dev.zeros();\nlet _ = t.reshape::<Rank1<5>>();\n```\n"
    );
    let (dir, pre) = book("e0080", &chapter);
    let report = check(dir.path(), &pre, Mode::Build);
    let problems = report.problems(Mode::Build);
    assert!(
        problems.contains("bad.md:8: snippet does not compile:"),
        "{problems}"
    );
    assert!(problems.contains("mismatched types"), "{problems}");
    assert!(
        problems.contains("bad.md:14: snippet does not compile:"),
        "{problems}"
    );
    assert!(problems.contains("N must not be zero"), "{problems}");
    assert!(
        problems.contains("bad.md:23: snippet does not compile:"),
        "dfdx's reshape error is blamed on the snippet: {problems}"
    );
    assert_eq!(report.failures.len(), 3, "{problems}");
    assert_good_survived(&report);
}

#[test]
fn should_panic_with_its_own_main_shows_the_readers_line() {
    let chapter = "# P\n\n```rust,should_panic\nfn main() {\n    let v: Vec<u8> = Vec::new();\n    let _ = v[0];\n}\n```\n";
    let (dir, pre) = book("own-main", chapter);
    let report = check(dir.path(), &pre, Mode::Build);
    let (out, _) = report.outputs[0].as_ref().expect("an output");
    assert!(
        out.text.contains("panicked at src/main.rs:3:"),
        "{}",
        out.text
    );
}

#[test]
fn a_bless_with_failures_removes_nothing() {
    let (dir, pre) = book("bless-fail", "# B\n\n```rust\nprintln!(\"1\");\n```\n");
    assert!(check(dir.path(), &pre, Mode::Bless).removed.is_empty());
    let store = dir.path().join("book/outputs/bad");
    let stored = fs::read_dir(&store)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    fs::write(
        dir.path().join("book/bad.md"),
        "# B\n\n```rust\npanic!(\"no\");\n```\n",
    )
    .unwrap();
    let report = check(dir.path(), &pre, Mode::Bless);
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.orphans, vec![stored.clone()]);
    assert!(report.removed.is_empty(), "{:?}", report.removed);
    assert!(stored.exists());
}

#[test]
fn two_checks_sharing_a_work_folder_take_turns() {
    let chapter = |name: &str| {
        format!(
            "# {name}\n\n```rust\nstd::thread::sleep(std::time::Duration::from_millis(300));\n\
             println!(\"{name}\");\n```\n"
        )
    };
    let dir = own_workspace(&[("a.md", &chapter("a")), ("b.md", &chapter("b"))], &[]);
    let nnblocks = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_nnblocks"))
            .arg("--root")
            .arg(dir.path())
            .args(args)
            .env("NNBLOCKS_WORK_DIR", dir.path().join("work"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let bless = nnblocks(&["bless"]).wait_with_output().unwrap();
    assert!(
        bless.status.success(),
        "{}",
        String::from_utf8_lossy(&bless.stderr)
    );
    for _ in 0..3 {
        let a = nnblocks(&["check", "book/a.md"]);
        let b = nnblocks(&["check", "book/b.md"]);
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn values_published_by_a_snippet_are_stated_in_the_prose() {
    let chapter = "# 2.9 V\n\n```rust\nlet acc = 0.98125_f32;\nnnblocks_figures::value(\"acc\", acc);\n\
                   println!(\"정확도 {acc:.4}\");\n```\n\n정확도는 {{#value acc %.1}}입니다.\n";
    let (dir, pre) = book("values", chapter);
    assert!(check(dir.path(), &pre, Mode::Bless).failures.is_empty());
    let stored = fs::read_dir(dir.path().join("book/outputs/bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "values"))
        .expect("the value is stored beside the output");
    assert_eq!(
        fs::read_to_string(&stored).unwrap(),
        "acc = 0.981249988079071\n"
    );
    let book = nnblocks::load_book(dir.path(), clone(&pre)).unwrap();
    book.build().unwrap();
    let html = fs::read_to_string(dir.path().join("out/bad.html")).unwrap();
    assert!(html.contains("정확도는 98.1%입니다."), "{html}");
    assert!(!html.contains("value:acc"), "the marker is not shown");
    // A changed value is a mismatch like a changed output.
    fs::write(&stored, "acc = 0.97\n").unwrap();
    let problems = check(dir.path(), &pre, Mode::Verify).problems(Mode::Verify);
    assert!(
        problems.contains("bad.md:3: output is not what the book stores")
            && problems.contains("+acc = 0.981249988079071"),
        "{problems}"
    );
    // Stated before its snippet, typed by hand, published twice, or in
    // 한다체: errors.
    fs::write(
        dir.path().join("book/bad.md"),
        format!(
            "# 2.9 V\n\n{{{{#value acc}}}} 먼저, 손으로 0.98.\n\n값이 변한다.\n\n{}",
            &chapter[8..].replace(
                "println!",
                "nnblocks_figures::value(\"acc\", 1.0);\nprintln!"
            )
        ),
    )
    .unwrap();
    let err = build_error(dir.path(), &pre);
    assert!(
        err.contains("bad.md:3: {{#value acc}} comes before the snippet"),
        "{err}"
    );
    assert!(err.contains("bad.md:3: `0.98` is typed by hand"), "{err}");
    assert!(err.contains("value `acc` is published twice"), "{err}");
    // A sentence in 한다체, named like the rest.
    assert!(
        err.contains("bad.md:5: “값이 변한다” ends in 한다체 (`변한다`)"),
        "{err}"
    );
}

#[test]
fn exercises_have_folded_solutions_and_predictions() {
    let chapter = "# 2.9 E\n\n{{#exercise ex-sum}}은(는) 무엇을 출력할까요?\n\n\
                   ```rust,predict\nprintln!(\"{}\", 1 + 2);\n```\n\n\
                   ```rust,solution=ex-sum\nlet answer = 1 + 2; // 덧셈\nprintln!(\"답: {answer}\");\n```\n";
    let (dir, pre) = book("exercises", chapter);
    let book = nnblocks::load_book(dir.path(), clone(&pre)).unwrap();
    book.build().unwrap();
    let html = fs::read_to_string(dir.path().join("out/bad.html")).unwrap();
    assert!(
        html.contains("<span class=\"nb-exercise\" id=\"ex-ex-sum\">연습 2-1</span>은 무엇을"),
        "{html}"
    );
    let predicted = html
        .split("<details class=\"nb-predict\"><summary>실행 결과 보기</summary>")
        .nth(1)
        .expect("the predicted output is folded");
    let folded = &predicted[..predicted.find("</details>").unwrap()];
    assert!(folded.contains("class=\"nb-output\""), "{folded}");
    let solution = html
        .split("<details class=\"nb-solution\"><summary>연습 2-1 풀이</summary>")
        .nth(1)
        .expect("the solution is folded");
    let inside = &solution[..solution.find("</details>").unwrap()];
    assert!(
        inside.contains("let answer") && inside.contains("답: 3"),
        "{inside}"
    );

    // An exercise without its solution, and a solution without its exercise.
    fs::write(
        dir.path().join("book/bad.md"),
        "# 2.9 E\n\n{{#exercise lonely}} 풀어 보세요.\n\n```rust,solution=nowhere\nprintln!();\n```\n",
    )
    .unwrap();
    let err = build_error(dir.path(), &pre);
    assert!(
        err.contains("bad.md:3: {{#exercise lonely}} has no solution"),
        "{err}"
    );
    assert!(
        err.contains("bad.md:5: solution=nowhere solves no exercise"),
        "{err}"
    );
}
