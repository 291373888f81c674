//! `cargo run -- outputs`: every snippet of a chapter with what the store
//! holds for it, without running anything (the NumPy sheet's checker reads
//! it; it needs no NumPy itself).

use std::fs;

use crate::common::{book, clone};

#[test]
fn outputs_are_read_from_the_store_by_key() {
    let chapter = "# Sheet\n\n```python\nx\n```\n\n\
                   ```rust,session=s\nprintln!(\"[1.0, 2.0] f32\");\n```\n\n\
                   ```rust,session=s,tolerance=1e-3\nprintln!(\"3.5\");\n```\n";
    let (dir, pre) = book("outputs", chapter);
    let outputs = || nnblocks::stored_outputs(dir.path(), clone(&pre), &[]).unwrap();

    let before = outputs();
    let lines: Vec<usize> = before.iter().map(|o| o.location.line).collect();
    assert_eq!(lines, [7, 11], "only Rust snippets, at their fences");
    assert!(
        before.iter().all(|o| o.output.is_none()),
        "nothing stored yet"
    );
    assert_eq!(before[1].rules.tolerance, Some(1e-3));

    let key = before[0].key.clone().unwrap();
    let store = dir.path().join("book/outputs/bad");
    fs::create_dir_all(&store).unwrap();
    fs::write(store.join(format!("{key}.txt")), "[1.0, 2.0] f32\n").unwrap();
    let after = outputs();
    assert_eq!(after[0].output.as_deref(), Some("[1.0, 2.0] f32\n"));
    assert_eq!(after[1].output, None);
    let json = serde_json::to_value(&after).unwrap();
    let file = json[0]["location"]["file"].as_str().unwrap();
    assert!(file.ends_with("book/bad.md"), "{file}");
    assert_eq!(json[0]["output"], "[1.0, 2.0] f32\n");
}
