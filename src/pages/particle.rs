//! Korean particles after generated text.
//!
//! The book writes generated text (figure numbers such as `그림 2-10`,
//! measured values such as `98.0%`, `0.9800`, `407,050`, `1.4배`) followed by
//! a particle whose form depends on the sound before it. The author writes the
//! pair (`은(는)`, `이(가)`, `(으)로`, ...) and the engine picks the form that
//! fits the generated text *as it is read aloud*: [`spoken_ending`] tells how
//! the text ends, [`pair_at`] finds the pair after it and [`choose`] picks the
//! form. [`fixed_particle`] finds a particle written in one fixed form where
//! the pair should have been written.
//!
//! # How text is read aloud ([`spoken_ending`])
//!
//! Only the end of the text matters (a leading `-`, words before, ...).
//!
//! 1. Trailing whitespace, closing brackets and quotes (`)` `]` `}` `"` `'`
//!    `”` `’` `」` `』` `》` `〉` `〕` `】`), periods (`.` `…`) and Markdown
//!    emphasis or code marks (`*` `_` `` ` ``) are skipped: `(그림 2-3)` ends
//!    like `3`.
//! 2. A trailing `%` is read 퍼센트: a vowel.
//! 3. A trailing Hangul syllable decides by its own final consonant (받침),
//!    `(code - 0xAC00) % 28`: 0 is none (`배`, `초`, `개`: vowel), 8 is ㄹ
//!    (`일`: [`Ending::Rieul`]), anything else a consonant (`점`).
//! 4. A trailing Latin letter is read by its Korean name (case-insensitive):
//!    `l` 엘 and `r` 알 end in ㄹ, `m` 엠 and `n` 엔 in a consonant, every
//!    other letter (에이, 비, 씨, 디, 이, 에프, 지, 에이치, 아이, 제이, 케이,
//!    오, 피, 큐, 에스, 티, 유, 브이, 더블유, 엑스, 와이, 지) in a vowel. A unit
//!    after a number is read by this rule too: `3.2s` ends like `s` (에스, a
//!    vowel), `5ms` like `s`, `3m` like `m`.
//! 5. Digits are read as Sino-Korean numerals: 0 영, 1 일, 2 이, 3 삼, 4 사,
//!    5 오, 6 육, 7 칠, 8 팔, 9 구. The number is the run of digits and commas
//!    at the end (so `2-10` is read 이 다시 십: only `10` matters).
//!    - After a decimal point the digits are read one by one and the last
//!      one decides: `0.98` 영 점 구팔 ends in ㄹ, `1.40` 일 점 사영 in a
//!      consonant, `2.5` 이 점 오 in a vowel. (`2.10` is thus read as a
//!      decimal, 이 점 일영; the book numbers figures with a dash.)
//!    - A whole number ignores its commas (`407,050` is 407050). If its last
//!      digit is not zero, that digit's reading decides (`2-34` 삼십사: a
//!      vowel). Otherwise its trailing zeros name the largest unit that is
//!      read last: 1 zero 십, 2 백, 3 천, 4 to 7 만, 8 to 11 억 (all ending in
//!      a consonant), 12 to 15 조 (a vowel), 16 and more 경 (a consonant). So
//!      `20` 이십, `110` 백십, `1200` 천이백, `30000` 삼만, `120000` 십이만,
//!      `407,050` 사십만 칠천 오십 all end in a consonant. A number made only of
//!      zeros is read 영.
//! 6. Anything else at the end (other symbols or scripts, an empty string,
//!    only punctuation) is not readable here: `None`.
//!
//! # Particle pairs ([`pair_at`], [`choose`])
//!
//! | written              | after a consonant | after a vowel | after ㄹ |
//! |----------------------|-------------------|---------------|----------|
//! | `은(는)` `는(은)`    | 은                | 는            | 은       |
//! | `이(가)` `가(이)`    | 이                | 가            | 이       |
//! | `을(를)` `를(을)`    | 을                | 를            | 을       |
//! | `과(와)` `와(과)`    | 과                | 와            | 과       |
//! | `(으)로`             | 으로              | 로            | 로       |
//! | `이나(나)`           | 이나              | 나            | 이나     |
//! | `이라(라)`           | 이라              | 라            | 이라     |
//! | `이다(다)`           | 이다              | 다            | 이다     |
//! | `아(야)`             | 아                | 야            | 아       |
//! | `이며(며)`           | 이며              | 며            | 이며     |
//!
//! Text written right after the pair stays as it is: `(으)로서` gives
//! `으로서` or `로서`, `이라(라)는` gives `이라는` or `라는`.
//!
//! # Particles written in a fixed form ([`fixed_particle`])
//!
//! These forms, glued to the start of the text after the generated text, are
//! reported with the pair to write instead:
//!
//! | fixed form  | counts when followed by                        | write     |
//! |-------------|------------------------------------------------|-----------|
//! | 으로        | anything (으로서, 으로써, 으로는, ...)         | `(으)로`  |
//! | 이나        | anything (이나마, ...)                         | `이나(나)`|
//! | 이라        | anything (이라는, 이라고, 이라면, ...)         | `이라(라)`|
//! | 이다        | anything                                       | `이다(다)`|
//! | 이며        | anything                                       | `이며(며)`|
//! | 은 는       | a word boundary                                | `은(는)` `는(은)` |
//! | 이 가       | a word boundary                                | `이(가)` `가(이)` |
//! | 을 를       | a word boundary                                | `을(를)` `를(을)` |
//! | 과 와       | a boundary, or 의 는 도 만 까지 (과의, 와는)   | `과(와)` `와(과)` |
//! | 로          | a boundary, or 서 써 는 도 의 만 부터 까지      | `(으)로`  |
//! | 나          | a word boundary                                | `이나(나)`|
//! | 라          | a boundary, or 는 고 면 서 도 (라는, 라고)     | `이라(라)`|
//! | 다          | a word boundary                                | `이다(다)`|
//! | 며          | a word boundary                                | `이며(며)`|
//!
//! A word boundary is the end of the text or any character that is not a
//! Hangul syllable (a space, punctuation, ...). Not reported:
//!
//! - a pair (`은(는)`): [`pair_at`] wins;
//! - particles that never vary: 의, 에, 에서, 에게, 도, 만, 까지, 부터, 처럼,
//!   보다, ...;
//! - `이` followed by a syllable other than those above (이고, 이면, 이지만,
//!   이므로, ...): these copula forms have no pair to suggest;
//! - `아` and `야`: `야` is also the informal copula, whose consonant form is
//!   이야, not 아;
//! - a form followed by a space (`2-3 은`): the particle is not glued.
//!
//! A word after a figure reference that merely starts with one of these forms
//! (`{{#fig x}}이` followed by a boundary) is treated as a particle: that is
//! intended, the generated text is always followed by a particle or nothing.

/// How the text ends when read aloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// No final consonant: 2 이, 98.0% 퍼센트, 1.4배.
    Vowel,
    /// Final ㄹ: 1 일, 7 칠, 8 팔, l 엘. Takes 로 rather than 으로, and the
    /// consonant form of every other pair.
    Rieul,
    /// Any other final consonant: 0 영, 3 삼, 6 육, 10 십, m 엠.
    Consonant,
}

/// A particle pair: how it is written and its two forms.
struct Pair {
    written: &'static str,
    consonant: &'static str,
    vowel: &'static str,
    /// Whether text ending in ㄹ takes the vowel form (only (으)로 does).
    rieul_takes_vowel: bool,
}

const fn pair(written: &'static str, consonant: &'static str, vowel: &'static str) -> Pair {
    Pair {
        written,
        consonant,
        vowel,
        rieul_takes_vowel: false,
    }
}

/// Every pair [`pair_at`] recognises.
const PAIRS: &[Pair] = &[
    pair("은(는)", "은", "는"),
    pair("는(은)", "은", "는"),
    pair("이(가)", "이", "가"),
    pair("가(이)", "이", "가"),
    pair("을(를)", "을", "를"),
    pair("를(을)", "을", "를"),
    pair("과(와)", "과", "와"),
    pair("와(과)", "과", "와"),
    Pair {
        written: "(으)로",
        consonant: "으로",
        vowel: "로",
        rieul_takes_vowel: true,
    },
    pair("이나(나)", "이나", "나"),
    pair("이라(라)", "이라", "라"),
    pair("이다(다)", "이다", "다"),
    pair("아(야)", "아", "야"),
    pair("이며(며)", "이며", "며"),
];

/// What must follow a fixed form for it to count as the particle.
enum Next {
    /// The end of the text or a character that is not a Hangul syllable.
    Boundary,
    /// Anything at all.
    Anything,
    /// A boundary, or one of these particles stacked after it.
    BoundaryOr(&'static [&'static str]),
}

/// Particles stacked after 과/와.
const AFTER_GWA: &[&str] = &["의", "는", "도", "만", "까지"];
/// Particles stacked after 로 (로서 and 로써 are (으)로서, (으)로써).
const AFTER_RO: &[&str] = &["서", "써", "는", "도", "의", "만", "부터", "까지"];
/// Endings after the copula's 라.
const AFTER_RA: &[&str] = &["는", "고", "면", "서", "도"];

/// Fixed forms [`fixed_particle`] reports, longest first, with the pair to
/// write instead.
const FIXED: &[(&str, &str, Next)] = &[
    ("으로", "(으)로", Next::Anything),
    ("이나", "이나(나)", Next::Anything),
    ("이라", "이라(라)", Next::Anything),
    ("이다", "이다(다)", Next::Anything),
    ("이며", "이며(며)", Next::Anything),
    ("은", "은(는)", Next::Boundary),
    ("는", "는(은)", Next::Boundary),
    ("이", "이(가)", Next::Boundary),
    ("가", "가(이)", Next::Boundary),
    ("을", "을(를)", Next::Boundary),
    ("를", "를(을)", Next::Boundary),
    ("과", "과(와)", Next::BoundaryOr(AFTER_GWA)),
    ("와", "와(과)", Next::BoundaryOr(AFTER_GWA)),
    ("로", "(으)로", Next::BoundaryOr(AFTER_RO)),
    ("나", "이나(나)", Next::Boundary),
    ("라", "이라(라)", Next::BoundaryOr(AFTER_RA)),
    ("다", "이다(다)", Next::Boundary),
    ("며", "이며(며)", Next::Boundary),
];

/// How `text` ends when read aloud (None if it ends in nothing readable,
/// e.g. empty or only punctuation). See the module documentation for the
/// reading rules.
pub fn spoken_ending(text: &str) -> Option<Ending> {
    let text = text.trim_end_matches(is_skipped);
    match text.chars().next_back()? {
        '%' => Some(Ending::Vowel),
        '0'..='9' => Some(number_ending(text)),
        c if c.is_ascii_alphabetic() => Some(letter_ending(c)),
        c => syllable_ending(c),
    }
}

/// A particle pair at the start of `after`: returns (byte length of the pair
/// as written, the pair as written).
pub fn pair_at(after: &str) -> Option<(usize, &'static str)> {
    PAIRS
        .iter()
        .find(|p| after.starts_with(p.written))
        .map(|p| (p.written.len(), p.written))
}

/// The form of `pair` (as returned by [`pair_at`]) after text ending in
/// `ending`.
///
/// # Panics
///
/// If `pair` is not one of the pairs [`pair_at`] recognises.
pub fn choose(pair: &str, ending: Ending) -> &'static str {
    let p = PAIRS
        .iter()
        .find(|p| p.written == pair)
        .unwrap_or_else(|| panic!("`{pair}` is not a particle pair"));
    match ending {
        Ending::Vowel => p.vowel,
        Ending::Rieul if p.rieul_takes_vowel => p.vowel,
        Ending::Rieul | Ending::Consonant => p.consonant,
    }
}

/// If `after` starts with a particle that varies with the preceding sound but
/// is written in one fixed form, glued directly (no space): returns (the fixed
/// form found, the pair to write instead), e.g. `Some(("은", "은(는)"))`.
/// None when `after` starts with a pair, with a particle that never varies, or
/// with anything else. See the module documentation for the forms reported.
pub fn fixed_particle(after: &str) -> Option<(&'static str, &'static str)> {
    if pair_at(after).is_some() {
        return None;
    }
    FIXED.iter().find_map(|(form, pair, next)| {
        let rest = after.strip_prefix(form)?;
        let counts = match next {
            Next::Anything => true,
            Next::Boundary => at_boundary(rest),
            Next::BoundaryOr(stacked) => {
                at_boundary(rest) || stacked.iter().any(|s| rest.starts_with(s))
            }
        };
        counts.then_some((*form, *pair))
    })
}

/// Characters skipped at the end of the text before reading it.
fn is_skipped(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ')' | ']'
                | '}'
                | '"'
                | '\''
                | '”'
                | '’'
                | '」'
                | '』'
                | '》'
                | '〉'
                | '〕'
                | '】'
                | '.'
                | '…'
                | '*'
                | '_'
                | '`'
        )
}

/// Whether `rest` starts at a word boundary: the end, or not a Hangul syllable.
fn at_boundary(rest: &str) -> bool {
    rest.chars().next().is_none_or(|c| !is_syllable(c))
}

fn is_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// The ending of a Hangul syllable, from its final consonant.
fn syllable_ending(c: char) -> Option<Ending> {
    if !is_syllable(c) {
        return None;
    }
    Some(match (u32::from(c) - 0xAC00) % 28 {
        0 => Ending::Vowel,
        8 => Ending::Rieul,
        _ => Ending::Consonant,
    })
}

/// The ending of a Latin letter's Korean name.
fn letter_ending(c: char) -> Ending {
    match c.to_ascii_lowercase() {
        'l' | 'r' => Ending::Rieul,     // 엘, 알
        'm' | 'n' => Ending::Consonant, // 엠, 엔
        _ => Ending::Vowel,             // 에이, 비, 씨, ...
    }
}

/// The ending of one digit read as a Sino-Korean numeral.
fn digit_ending(d: u8) -> Ending {
    match d {
        b'1' | b'7' | b'8' => Ending::Rieul,     // 일, 칠, 팔
        b'0' | b'3' | b'6' => Ending::Consonant, // 영, 삼, 육
        _ => Ending::Vowel,                      // 이, 사, 오, 구
    }
}

/// The ending of the number at the end of `text` (which ends in a digit).
fn number_ending(text: &str) -> Ending {
    let bytes = text.as_bytes();
    // The run of digits and commas at the end; every byte of it is ASCII, so
    // `start` is a character boundary.
    let mut start = bytes.len();
    while start > 0 && (bytes[start - 1].is_ascii_digit() || bytes[start - 1] == b',') {
        start -= 1;
    }
    let last = bytes[bytes.len() - 1];
    let is_fraction = start >= 2 && bytes[start - 1] == b'.' && bytes[start - 2].is_ascii_digit();
    if is_fraction {
        // Read digit by digit after the point.
        return digit_ending(last);
    }
    let digits: Vec<u8> = bytes[start..]
        .iter()
        .copied()
        .filter(u8::is_ascii_digit)
        .collect();
    let zeros = digits.iter().rev().take_while(|&&d| d == b'0').count();
    match zeros {
        0 => digit_ending(last),
        _ if zeros == digits.len() => Ending::Consonant, // 영
        1..=11 => Ending::Consonant,                     // 십 백 천 만 억
        12..=15 => Ending::Vowel,                        // 조
        _ => Ending::Consonant,                          // 경
    }
}

#[cfg(test)]
mod tests {
    use super::Ending::{Consonant, Rieul, Vowel};
    use super::*;

    #[track_caller]
    fn ends(text: &str, expected: Ending) {
        assert_eq!(spoken_ending(text), Some(expected), "{text:?}");
    }

    /// The form `pair` takes after `text`.
    fn form(text: &str, pair: &str) -> &'static str {
        let (len, written) = pair_at(pair).expect("a pair");
        assert_eq!(len, pair.len());
        choose(written, spoken_ending(text).expect("readable"))
    }

    #[test]
    fn every_final_digit() {
        let expected = [
            Consonant, Rieul, Vowel, Consonant, Vowel, Vowel, Consonant, Rieul, Rieul, Vowel,
        ];
        for (d, e) in expected.into_iter().enumerate() {
            ends(&d.to_string(), e);
            ends(&format!("그림 2-3{d}"), e);
            ends(&format!("-{d}"), e);
        }
    }

    #[test]
    fn whole_numbers_ending_in_zeros_are_read_by_their_unit() {
        for n in [
            "10",
            "20",
            "100",
            "110",
            "1000",
            "1200",
            "10000",
            "30000",
            "120000",
            "100000000",
            "407,050",
            "1,000,000",
            "00",
        ] {
            ends(n, Consonant);
        }
        ends("1000000000000", Vowel); // 일조
        ends("20000000000000000", Consonant); // 이경
        ends("1,234", Vowel);
        ends("2,001", Rieul);
    }

    #[test]
    fn decimals_are_read_digit_by_digit() {
        ends("0.98", Rieul);
        ends("0.9800", Consonant);
        ends("1.40", Consonant);
        ends("2.5", Vowel);
        ends("손실 0.0123", Consonant);
        ends("2.5.", Vowel);
    }

    #[test]
    fn percent_and_syllables() {
        ends("98.0%", Vowel);
        ends("1.4배", Vowel);
        ends("3.2초", Vowel);
        ends("5개", Vowel);
        ends("90점", Consonant);
        ends("1일", Rieul);
        ends("정확도", Vowel);
    }

    #[test]
    fn latin_letters_by_their_korean_names() {
        ends("l", Rieul);
        ends("L", Rieul);
        ends("r", Rieul);
        ends("m", Consonant);
        ends("N", Consonant);
        ends("a", Vowel);
        ends("3.2s", Vowel);
        ends("ReLU", Vowel);
        for c in "abcdefghijkopqstuvwxyz".chars() {
            ends(&c.to_string(), Vowel);
        }
    }

    #[test]
    fn closing_punctuation_is_skipped() {
        ends("(그림 2-3)", Consonant);
        ends("[2-9] ", Vowel);
        ends("\"98.0%\"", Vowel);
        ends("‘2-1’", Rieul);
        ends("**2-10**", Consonant);
        ends("`0.98`", Rieul);
        ends("그림 2-3.", Consonant);
    }

    #[test]
    fn nothing_readable() {
        assert_eq!(spoken_ending(""), None);
        assert_eq!(spoken_ending("  "), None);
        assert_eq!(spoken_ending(".)\""), None);
        assert_eq!(spoken_ending("2 ×"), None);
    }

    #[test]
    fn the_book_cases() {
        assert_eq!(form("그림 2-9", "는(은)"), "는");
        assert_eq!(form("그림 2-10", "은(는)"), "은");
        assert_eq!(form("그림 2-20", "은(는)"), "은");
        assert_eq!(form("그림 2-26", "은(는)"), "은");
        assert_eq!(form("그림 2-34", "은(는)"), "는");
        assert_eq!(form("98.0%", "이다(다)"), "다");
        assert_eq!(form("0.9800", "(으)로"), "으로");
        assert_eq!(form("0.98", "(으)로"), "로");
        assert_eq!(form("407,050", "이(가)"), "이");
        assert_eq!(form("1.4배", "이(가)"), "가");
    }

    #[test]
    fn eu_ro_after_rieul_vowel_and_consonant() {
        assert_eq!(form("1", "(으)로"), "로");
        assert_eq!(form("7", "(으)로"), "로");
        assert_eq!(form("8", "(으)로"), "로");
        assert_eq!(form("l", "(으)로"), "로");
        assert_eq!(form("2", "(으)로"), "로");
        assert_eq!(form("3", "(으)로"), "으로");
        assert_eq!(form("m", "(으)로"), "으로");
        assert_eq!(form("a", "(으)로"), "로");
        // Other pairs take their consonant form after ㄹ.
        assert_eq!(form("1", "은(는)"), "은");
        assert_eq!(form("l", "이(가)"), "이");
    }

    #[test]
    fn pair_at_each_pair() {
        let cases = [
            ("은(는)", "은", "는"),
            ("는(은)", "은", "는"),
            ("이(가)", "이", "가"),
            ("가(이)", "이", "가"),
            ("을(를)", "을", "를"),
            ("를(을)", "을", "를"),
            ("과(와)", "과", "와"),
            ("와(과)", "과", "와"),
            ("(으)로", "으로", "로"),
            ("이나(나)", "이나", "나"),
            ("이라(라)", "이라", "라"),
            ("이다(다)", "이다", "다"),
            ("아(야)", "아", "야"),
            ("이며(며)", "이며", "며"),
        ];
        for (written, consonant, vowel) in cases {
            let after = format!("{written} 보여 준다.");
            assert_eq!(pair_at(&after), Some((written.len(), written)));
            assert_eq!(choose(written, Consonant), consonant);
            assert_eq!(choose(written, Vowel), vowel);
            let rieul = if written == "(으)로" {
                vowel
            } else {
                consonant
            };
            assert_eq!(choose(written, Rieul), rieul);
        }
        assert_eq!(pair_at("(으)로서"), Some(("(으)로".len(), "(으)로")));
        assert_eq!(pair_at("이라(라)는"), Some(("이라(라)".len(), "이라(라)")));
    }

    #[test]
    fn pair_at_without_a_pair() {
        for after in ["", "은 보여", "에서", " 은(는)", "(그림 2-3)", "은 (는)"] {
            assert_eq!(pair_at(after), None, "{after:?}");
        }
    }

    #[test]
    #[should_panic(expected = "is not a particle pair")]
    fn choose_rejects_what_is_not_a_pair() {
        choose("은", Vowel);
    }

    #[test]
    fn fixed_particles_are_reported() {
        let cases = [
            ("은 보여", "은", "은(는)"),
            ("는", "는", "는(은)"),
            ("이 보여", "이", "이(가)"),
            ("가 크다", "가", "가(이)"),
            ("을 보면", "을", "을(를)"),
            ("를.", "를", "를(을)"),
            ("과 같이", "과", "과(와)"),
            ("와의 차이", "와", "와(과)"),
            ("으로", "으로", "(으)로"),
            ("으로서", "으로", "(으)로"),
            ("로", "로", "(으)로"),
            ("로서", "로", "(으)로"),
            ("로써", "로", "(으)로"),
            ("로 줄었다", "로", "(으)로"),
            ("이다.", "이다", "이다(다)"),
            ("다.", "다", "이다(다)"),
            ("이며,", "이며", "이며(며)"),
            ("이나 그 이상", "이나", "이나(나)"),
            ("나 그 이상", "나", "이나(나)"),
            ("이라는", "이라", "이라(라)"),
            ("라는", "라", "이라(라)"),
            ("며,", "며", "이며(며)"),
        ];
        for (after, fixed, pair) in cases {
            assert_eq!(fixed_particle(after), Some((fixed, pair)), "{after:?}");
            assert!(pair_at(pair).is_some(), "{pair}");
        }
    }

    #[test]
    fn what_is_not_a_fixed_particle() {
        for after in [
            "에서",
            "의",
            "에",
            "에게",
            "도",
            "만",
            "까지",
            "부터",
            "처럼",
            "보다",
            "은(는)",
            "이(가)",
            "(으)로",
            "이나(나)",
            " 은",
            "",
            "이고",
            "이면",
            "로그",
            "은행",
            "아",
            "야",
            "다음",
        ] {
            assert_eq!(fixed_particle(after), None, "{after:?}");
        }
    }
}
