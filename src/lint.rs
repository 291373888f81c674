//! Prose lints: a measured number typed by hand instead of taken from the
//! run (`{{#value}}`), and a word the glossary says the book does not use.

use std::collections::BTreeSet;

/// The numbers of `text`: `(byte offset, digits, followed by %)`, with
/// decimal points and thousands separators as written (`1,234.5`).
pub fn numbers(text: &str) -> Vec<(usize, &str, bool)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let glued = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if !b[i].is_ascii_digit() || glued {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len()
            && (b[i].is_ascii_digit()
                || (matches!(b[i], b'.' | b',') && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
        {
            i += 1;
        }
        out.push((start, &text[start..i], b.get(i) == Some(&b'%')));
    }
    out
}

/// Numbers that prose may not state by hand: with a decimal point or a
/// `%`, and not in `allowed` (the page's code, the book's section numbers).
pub fn typed_measurements<'a>(text: &'a str, allowed: &BTreeSet<String>) -> Vec<(usize, &'a str)> {
    numbers(text)
        .into_iter()
        .filter(|(_, n, percent)| (n.contains('.') || *percent) && !allowed.contains(*n))
        .map(|(at, n, percent)| {
            (
                at,
                if percent {
                    &text[at..at + n.len() + 1]
                } else {
                    n
                },
            )
        })
        .collect()
}

/// Every number written in `code`, as written.
pub fn code_numbers(code: &str) -> BTreeSet<String> {
    numbers(code)
        .into_iter()
        .map(|(_, n, _)| n.to_string())
        .collect()
}

/// The header of the glossary's table (`book/glossary.md`): its last
/// column lists the words the book does not use for the term.
pub const GLOSSARY_HEADER: &str = "| 용어 | 영어 | dfdx | 쓰지 않는 말 |";

/// `(word to avoid, the term to write)` from a glossary page's table, or
/// nothing if the page has no such table.
pub fn avoided_words(page: &str) -> Vec<(String, String)> {
    let Some(start) = page.find(GLOSSARY_HEADER) else {
        return Vec::new();
    };
    let cells = |line: &str| -> Vec<String> {
        let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
        inner.split('|').map(|c| c.trim().to_string()).collect()
    };
    let mut out = Vec::new();
    for line in page[start..].lines().skip(2) {
        if !line.trim_start().starts_with('|') {
            break;
        }
        let row = cells(line);
        let (Some(term), Some(avoid)) = (row.first(), row.get(3)) else {
            continue;
        };
        for word in avoid.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            out.push((word.to_string(), term.clone()));
        }
    }
    out
}

/// Where `text` uses a word to avoid: `(byte offset, word, term)`.
pub fn avoided_in<'a>(text: &str, words: &'a [(String, String)]) -> Vec<(usize, &'a str, &'a str)> {
    let mut found: Vec<(usize, &str, &str)> = words
        .iter()
        .flat_map(|(word, term)| {
            text.match_indices(word.as_str())
                .map(move |(at, _)| (at, word.as_str(), term.as_str()))
        })
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_glossary_table_says_which_words_to_avoid() {
        let page = format!(
            "# 용어집\n\n{GLOSSARY_HEADER}\n|---|---|---|---|\n\
             | 항목 | element | — | 원소 |\n| 텐서플로 | TensorFlow | — | 텐서플로우, 텐서 플로 |\n\
             | 축 | axis | — | |\n\n| 딴 표 | | | 무시 |\n"
        );
        let words = avoided_words(&page);
        assert_eq!(
            words,
            [
                ("원소".to_string(), "항목".to_string()),
                ("텐서플로우".into(), "텐서플로".into()),
                ("텐서 플로".into(), "텐서플로".into()),
            ]
        );
        let found = avoided_in("텐서플로우의 원소와 원소", &words);
        assert_eq!(
            found.iter().map(|f| (f.1, f.2)).collect::<Vec<_>>(),
            [
                ("텐서플로우", "텐서플로"),
                ("원소", "항목"),
                ("원소", "항목")
            ]
        );
        assert!(avoided_words("no table").is_empty());
    }

    #[test]
    fn finds_decimals_and_percents_only() {
        let allowed = code_numbers("let lr = 0.001; let momentum = 0.9;");
        let text = "학습률 0.001, 모멘텀 0.9로 98.1%와 0.9812, 정수 128과 50%, 2.3절, x2.5";
        let mut allowed = allowed;
        allowed.insert("2.3".into());
        assert_eq!(
            typed_measurements(text, &allowed)
                .iter()
                .map(|(_, n)| *n)
                .collect::<Vec<_>>(),
            ["98.1%", "0.9812", "50%"]
        );
    }

    #[test]
    fn numbers_keep_their_separators() {
        let found: Vec<&str> = numbers("407,050개, 1.5배, 끝. 3")
            .iter()
            .map(|n| n.1)
            .collect();
        assert_eq!(found, ["407,050", "1.5", "3"]);
    }
}
