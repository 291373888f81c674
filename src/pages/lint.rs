//! Prose lints: a measured number typed by hand instead of taken from the
//! run (`{{#value}}`), a word the glossary says the book does not use, and
//! a sentence that ends in the plain register (한다체) where the book
//! writes 합니다체.

use std::collections::BTreeSet;
use std::ops::Range;

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

/// A block of prose (a paragraph, a list item, a heading, a table cell, a
/// caption) as it reads: text joined across the source's line breaks, with
/// code and math kept as written but never read as prose, and a way back to
/// the source.
#[derive(Debug, Default)]
pub struct Prose {
    pub text: String,
    /// Where each piece starts in `text` and in the source, and whether it
    /// is the source byte for byte (not a smart quote or an escape).
    pieces: Vec<(usize, usize, bool)>,
    /// Ranges of `text` that are code or math.
    opaque: Vec<Range<usize>>,
}

impl Prose {
    /// A caption, which starts at byte `source` of the page: its backtick
    /// spans are code.
    pub fn caption(text: &str, source: usize) -> Prose {
        let mut prose = Prose::default();
        let mut rest = text;
        while let Some(open) = rest.find('`') {
            let Some(close) = rest[open + 1..].find('`').map(|c| open + 1 + c) else {
                break;
            };
            prose.push_text(&rest[..open], source, false);
            prose.push_opaque(&rest[open..=close], source);
            rest = &rest[close + 1..];
        }
        prose.push_text(rest, source, false);
        prose
    }

    /// Prose text from byte `source` of the page; `verbatim` when it is the
    /// source as written, so that each byte maps back exactly.
    pub fn push_text(&mut self, text: &str, source: usize, verbatim: bool) {
        self.pieces.push((self.text.len(), source, verbatim));
        self.text.push_str(text);
    }

    /// Code or math from byte `source` of the page.
    pub fn push_opaque(&mut self, text: &str, source: usize) {
        let start = self.text.len();
        self.push_text(text, source, false);
        self.opaque.push(start..self.text.len());
    }

    /// Whether there is anything to read.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// The byte of the page where byte `at` of `text` comes from.
    pub fn source(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.0 <= at).saturating_sub(1);
        match self.pieces.get(i) {
            Some(&(start, source, true)) => source + at - start,
            Some(&(_, source, false)) => source,
            None => 0,
        }
    }

    fn in_opaque(&self, at: usize) -> bool {
        self.opaque.iter().any(|r| r.contains(&at))
    }
}

/// How a glossary word is named in a message: in backticks unless it
/// has its own (`` `Dense` 층 ``).
pub fn quoted(word: &str) -> String {
    if word.contains('`') {
        word.to_string()
    } else {
        format!("`{word}`")
    }
}

/// Where `prose` uses a word to avoid: `(byte offset in prose.text, word,
/// term)`. A space in the word matches any run of white space, line breaks
/// included; a match cuts no code span (so `원소` in `` `원소` `` is code,
/// while a word written with backticks, `` `Dense` 레이어 ``, matches the code
/// span it names).
pub fn avoided_in<'a>(
    prose: &Prose,
    words: &'a [(String, String)],
) -> Vec<(usize, &'a str, &'a str)> {
    let text = prose.text.as_str();
    let mut found = Vec::new();
    for (word, term) in words {
        let mut parts = word.split_whitespace();
        let Some(first) = parts.next() else {
            continue;
        };
        let rest: Vec<&str> = parts.collect();
        'start: for (at, _) in text.match_indices(first) {
            let mut end = at + first.len();
            for part in &rest {
                let gap = text[end..].len() - text[end..].trim_start().len();
                if gap == 0 || !text[end + gap..].starts_with(part) {
                    continue 'start;
                }
                end += gap + part.len();
            }
            let cut =
                |r: &Range<usize>| r.start < end && at < r.end && !(at <= r.start && r.end <= end);
            if !prose.opaque.iter().any(cut) {
                found.push((at, word.as_str(), term.as_str()));
            }
        }
    }
    found.sort();
    found
}

/// Words that end in 다 and are no verb: a particle (`에포크마다`) and
/// nouns (`람다`, `바다`). A sentence may end on one.
pub const NOT_VERBS: [&str; 3] = ["마다", "람다", "바다"];

/// A sentence that ends in the plain register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainEnding {
    /// Byte offset in `Prose::text` of the last word's 다.
    pub at: usize,
    /// The last word (`변한다`, `이다`; only `다` after code or a number).
    pub word: String,
    /// The sentence's last words, for the message.
    pub context: String,
}

/// Where a sentence of `prose` ends in the plain register (한다체/해라체).
///
/// A sentence ends at `.`, `!`, `?`, `:`, `;`, `…`, a closing `)` or `]`, or
/// at the end of the block (a caption, a list item), after any parentheses
/// that follow its last word (`변한다 (원서 그림 2.16)`). Its last word is
/// plain when it ends in 다 other than the 합니다체 endings -ㅂ니다 and
/// -ㅂ시다 (합니다, 습니다, 입니다, 봅시다: a ㅂ before 니다/시다, so
/// 아니다 is plain too), unless it is one of [`NOT_VERBS`]. Code, math and
/// quotations (“…”, ‘…’, "…", 「…」, 『…』) are someone else's words and are
/// not read.
pub fn plain_endings(prose: &Prose) -> Vec<PlainEnding> {
    let text = prose.text.as_str();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut found = Vec::new();
    let mut closing: Option<char> = None;
    for (k, &(at, c)) in chars.iter().enumerate() {
        if prose.in_opaque(at) {
            continue;
        }
        if let Some(close) = closing {
            if c == close {
                closing = None;
            }
            continue;
        }
        closing = match c {
            '“' => Some('”'),
            '‘' => Some('’'),
            '"' => Some('"'),
            '「' => Some('」'),
            '『' => Some('』'),
            _ => None,
        };
        let next = chars.get(k + 1).map(|&(_, n)| n);
        let before = k.checked_sub(1).map(|b| chars[b].1);
        // `(다)` is the second form of a particle pair (`{{#value x}}이다(다)`),
        // read with the first.
        let pair = before == Some('(') && next == Some(')');
        if c != '다' || next.is_some_and(is_syllable) || pair {
            continue;
        }
        let start = chars[..k]
            .iter()
            .rposition(|&(i, p)| !is_syllable(p) || prose.in_opaque(i))
            .map_or(0, |s| s + 1);
        let word: Vec<char> = chars[start..=k].iter().map(|&(_, ch)| ch).collect();
        let polite = word.len() >= 3
            && matches!(word[word.len() - 2], '니' | '시')
            && final_consonant(word[word.len() - 3]) == Some(FINAL_BIEUP);
        let spelled: String = word.iter().collect();
        if polite || NOT_VERBS.iter().any(|w| spelled.ends_with(w)) {
            continue;
        }
        let end = at + c.len_utf8();
        if ends_sentence(text, end) {
            found.push(PlainEnding {
                at,
                word: spelled,
                context: last_words(text, end),
            });
        }
    }
    found
}

fn is_syllable(c: char) -> bool {
    ('가'..='힣').contains(&c)
}

/// The index of ㅂ among the final consonants (합, 습, 입).
const FINAL_BIEUP: u32 = 17;

/// The final consonant (jongseong) of a Hangul syllable, by index: 0 for
/// none, [`FINAL_BIEUP`] for ㅂ.
fn final_consonant(c: char) -> Option<u32> {
    is_syllable(c).then(|| (c as u32 - '가' as u32) % 28)
}

/// Whether a sentence ends at byte `end` of `text`: after white space and
/// parenthesized remarks, the text ends or a sentence mark follows.
fn ends_sentence(text: &str, mut end: usize) -> bool {
    loop {
        let rest = text[end..].trim_start();
        end = text.len() - rest.len();
        if !rest.starts_with('(') {
            break;
        }
        let mut depth = 0;
        let Some(close) = rest.char_indices().find_map(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        }) else {
            return false;
        };
        end += close + 1;
    }
    match text[end..].chars().next() {
        None => true,
        Some(c) => matches!(c, '.' | '!' | '?' | ':' | ';' | '…' | ')' | ']'),
    }
}

/// The last words of the sentence ending at byte `end`, for a message.
fn last_words(text: &str, end: usize) -> String {
    let before = &text[..end];
    // After the last sentence mark followed by a space (not `0.5`).
    let sentence_start = before
        .rmatch_indices(['.', '!', '?', ':', ';'])
        .find(|(i, _)| before[i + 1..].starts_with(char::is_whitespace))
        .map_or(0, |(i, _)| i + 1);
    let sentence = before[sentence_start..].trim_start();
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let tail = words[words.len().saturating_sub(6)..].join(" ");
    if words.len() > 6 {
        format!("…{tail}")
    } else {
        tail
    }
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
        let found = avoided_in(&Prose::caption("텐서플로우의 원소와 원소", 0), &words);
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

    #[test]
    fn avoided_words_may_have_spaces_and_terms_backticks() {
        let page = format!(
            "{GLOSSARY_HEADER}\n|---|---|---|---|\n\
             | `Dense` 층 | `Dense` layer | `Linear` | 밀집 층, `Dense` 레이어 |\n\
             | 크로스엔트로피 | cross-entropy | — | 교차 엔트로피 |\n"
        );
        let words = avoided_words(&page);
        assert_eq!(
            words,
            [
                ("밀집 층".to_string(), "`Dense` 층".to_string()),
                ("`Dense` 레이어".into(), "`Dense` 층".into()),
                ("교차 엔트로피".into(), "크로스엔트로피".into()),
            ]
        );
        assert_eq!(quoted(&words[0].0), "`밀집 층`");
        assert_eq!(quoted(&words[0].1), "`Dense` 층");
        // As the page reads: a line break between the two words (a space in
        // the block), several spaces, code kept with its backticks.
        let mut prose = Prose::default();
        prose.push_text("두 밀집", 100, true);
        prose.push_text(" ", 110, false);
        prose.push_text("층과 교차   엔트로피, ", 111, true);
        prose.push_opaque("`Dense`", 150);
        prose.push_text(" 레이어와 ", 160, true);
        prose.push_opaque("`밀집 층`", 175);
        prose.push_text(", 밀집층", 190, true);
        let found = avoided_in(&prose, &words);
        let at = |n: usize| prose.source(found[n].0);
        assert_eq!(
            found.iter().map(|f| f.1).collect::<Vec<_>>(),
            ["밀집 층", "교차 엔트로피", "`Dense` 레이어"],
            "code is not prose, and 밀집층 is no 밀집 층"
        );
        assert_eq!((at(0), at(1), at(2)), (104, 111 + 7, 150));
    }

    /// The last words of the plain sentences of a caption.
    fn plain(text: &str) -> Vec<String> {
        plain_endings(&Prose::caption(text, 0))
            .into_iter()
            .map(|p| p.word)
            .collect()
    }

    #[test]
    fn captions_in_the_plain_register_fail() {
        // -ㄴ다 before the original's figure number, with no period.
        assert_eq!(
            plain("x를 조금 바꾸면 y가 조금만 변한다 (원서 그림 2.16)"),
            ["변한다"]
        );
        // -이다, and a bare 다 after a number or code.
        assert_eq!(plain("번호는 걸음 순서이다."), ["순서이다"]);
        assert_eq!(plain("정확도는 {{#value acc %.1}}이다(다)."), ["이다"]);
        assert_eq!(plain("손실은 0.5다. 모양은 `(2, 3)`다"), ["다", "다"]);
        // A sentence before a remark in parentheses, and the next one.
        assert_eq!(
            plain(
                "SGD가 손실을 낮춘다(파라미터 하나). 위는 곡면이고 번호는 순서다 (원서 그림 2.19)"
            ),
            ["낮춘다", "순서다"]
        );
        // 합니다체 passes.
        assert!(plain("음수는 0이 되고 양수는 그대로 통과합니다.").is_empty());
        assert!(plain("회색 노드 “1”은 편향 노드입니다 (원서 그림 2.5)").is_empty());
        // A noun phrase, with or without a period.
        assert!(plain("에포크별 훈련 손실(왼쪽)과 훈련 정확도(오른쪽)").is_empty());
        assert!(plain("이미지마다 세 채널, 프레임마다").is_empty());
    }

    #[test]
    fn prose_in_the_plain_register_fails_wherever_a_sentence_ends() {
        assert_eq!(plain("입력이 바뀌면 출력도 변한다."), ["변한다"]);
        assert_eq!(
            plain("값이 줄었다. 곧 줄겠다! 항목을 읽는다? 다음과 같다: 끝"),
            ["줄었다", "줄겠다", "읽는다", "같다"]
        );
        // Inside parentheses, and 아니다 (no ㅂ before 니다).
        assert_eq!(
            plain("(음수는 0으로 둔다) 전치는 모양 변환이 아니다"),
            ["둔다", "아니다"]
        );
        // 합니다체: -ㅂ니다, -습니다, -ㅂ시다.
        assert!(plain("출력도 변합니다. 있습니다! 입니다: 살펴봅시다. 아닙니다").is_empty());
        // Not a sentence's end: a particle, a connective, a quoted word.
        assert!(plain("x보다 큰 값, 크다고 하면 변한다는 뜻입니다.").is_empty());
        // Someone else's sentence, in quotes.
        assert!(plain("원서는 “전치는 특별한 모양 변환이다”라고 씁니다.").is_empty());
        assert!(plain("원서는 \"모양 변환이다.\" 라고 씁니다.").is_empty());
        // Code and math are not prose.
        assert!(plain("`println!(\"끝났다.\")`을 실행합니다.").is_empty());
        let mut prose = Prose::default();
        prose.push_text("식 ", 0, true);
        prose.push_opaque("$y = x다.$", 2);
        prose.push_text("는 읽지 않습니다.", 14, true);
        assert!(plain_endings(&prose).is_empty());
    }

    #[test]
    fn a_plain_ending_names_its_word_and_maps_to_the_source() {
        let mut prose = Prose::default();
        prose.push_text("첫 문장은 합니다체입니다. 둘째 문장은 줄을", 0, true);
        prose.push_text(" ", 60, false);
        prose.push_text("넘겨 변한다.", 61, true);
        let found = plain_endings(&prose);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].word, "변한다");
        assert_eq!(found[0].context, "둘째 문장은 줄을 넘겨 변한다");
        // 다 is the last syllable of 변한다: 넘겨 (6 bytes), a space, 변한 (6).
        assert_eq!(prose.source(found[0].at), 61 + 13);
    }
}
