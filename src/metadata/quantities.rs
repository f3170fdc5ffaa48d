//! Quantities in a body: a number (Arabic or Chinese numerals, decimals, thousands separators,
//! 万/亿 multipliers) with its unit or measure word (37起, 631万件, 98.5%, 8000万元) and the word
//! it counts, found in one pass over the characters.
//!
//! Numbers that are not amounts are skipped: dates and times (2023年9月25日, 16:19) have no unit
//! here, and numbers inside codes (GB 2760-2014, 〔2023〕1号, 400-826-1357, E7, 3C) touch a
//! letter, a dash, a colon or a slash; ordinals (第3批) follow 第.

use rustc_hash::FxHashSet;
use std::sync::LazyLock;

use crate::text::segment::Token;

/// At most this many quantities per article.
pub const CAP: usize = 30;

/// An amount read from the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// The number with 万/亿/千 applied (631万件 → 6310000).
    pub value: f64,
    /// Measure word or unit as printed (件, 批次, 元, %).
    pub unit: String,
    /// What is counted: the word right after the unit (218家企业 → 企业), else the word before
    /// the number in its clause (召回37起 → 召回); empty when neither is a content word.
    pub subject: String,
    /// The span as printed: the subject when it directly precedes the number, the number and
    /// the unit (召回37起, 631万件).
    pub text: String,
}

/// Units and measure words (simplified). Longest match wins, so 批次 beats 批 and 千克 beats a
/// 千 multiplier. Time units are left out on purpose: durations and dates are not counted.
#[rustfmt::skip]
const UNITS: &[&str] = &[
    "批次", "批", "人次", "场次", "架次", "辆次", "车次", "次", "件", "起", "例", "辆", "台", "家",
    "个百分点", "个", "名", "位", "人", "户", "座", "条", "项", "款", "种", "类", "大类", "份",
    "箱", "袋", "瓶", "盒", "包", "只", "头", "株", "支", "列", "架", "艘", "张", "本", "篇", "场",
    "处", "间", "栋", "层", "块", "枚", "套", "片", "粒", "颗", "根", "所", "节", "方面", "倍",
    "成", "吨", "万吨", "公斤", "千克", "克", "毫克", "微克", "斤", "公里", "千米", "米", "厘米",
    "毫米", "平方米", "平方公里", "平方千米", "立方米", "亩", "公顷", "升", "毫升", "千瓦", "瓦",
    "千瓦时", "度电", "元", "美元", "港元", "欧元", "日元", "英镑", "澳门元", "人民币", "港币",
    "新台币", "%", "‰", "℃",
];

/// Units that are not measure words: no noun follows them, so their subject is the word before
/// the number (气温降至2℃, 销售额8000万元).
#[rustfmt::skip]
const PLAIN_UNITS: &[&str] = &[
    "%", "‰", "℃", "倍", "成", "吨", "万吨", "公斤", "千克", "克", "毫克", "微克", "斤", "公里",
    "千米", "米", "厘米", "毫米", "平方米", "平方公里", "平方千米", "立方米", "亩", "公顷", "升",
    "毫升", "千瓦", "瓦", "千瓦时", "度电", "元", "美元", "港元", "欧元", "日元", "英镑", "澳门元",
    "人民币", "港币", "新台币",
];

static UNIT_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| UNITS.iter().copied().collect());

/// The longest unit in characters, for the longest-match scan.
const LONGEST_UNIT: usize = 4;

/// Words between a subject and its number that say nothing about what is counted.
#[rustfmt::skip]
const FILLERS: &[&str] = &[
    "共", "共计", "总计", "合计", "累计", "约", "约为", "大约", "近", "将近", "接近", "逾", "超",
    "超过", "达", "达到", "多达", "高达", "了", "有", "共有", "为", "是", "计", "仅", "只", "已",
    "均", "各", "不足", "低于", "不到", "至少", "最多", "分别", "分别为", "的", "等", "上", "以上",
    "全", "再", "又", "还", "也", "都", "其中", "占", "只有", "仅有", "另有", "以及", "小时",
    "每小时", "每天", "平均", "之间", "左右", "以内", "和", "及", "与", "另",
];

/// Words after an amount that qualify it rather than name what is counted.
#[rustfmt::skip]
const AFTER_FILLERS: &[&str] = &[
    "以上", "以下", "左右", "上下", "以内", "之间", "之多", "多", "余", "后", "前", "内", "时",
    "中", "里", "的", "次数", "不等",
];

static FILLER_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| FILLERS.iter().copied().collect());

/// Quantities in `simplified[from..]`, in order of appearance, at most [`CAP`]. `tokens` are
/// the words of that range, sorted; `text` is `simplified` as printed, byte for byte aligned.
pub fn quantities(
    tokens: &[Token<'_>],
    text: &str,
    simplified: &str,
    from: usize,
) -> Vec<Quantity> {
    let body = &simplified[from..];
    // At most one character per byte; Chinese text has one per three.
    // Byte offsets as u32 keep the table small (see `features::Located`).
    let mut chars: Vec<(u32, char)> = Vec::with_capacity(body.len() / 2);
    chars.extend(body.char_indices().map(|(i, c)| ((from + i) as u32, c)));
    let byte_at = |k: usize| chars.get(k).map_or(simplified.len(), |&(i, _)| i as usize);
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() && out.len() < CAP {
        let c = chars[k].1;
        let number = if c.is_ascii_digit() {
            read_arabic(&chars, k).map(|n| (n, false))
        } else if is_chinese_numeral(c) {
            read_chinese(&chars, k).map(|n| (n, true))
        } else {
            None
        };
        let Some(((mantissa, decimals, end), chinese)) = number else {
            k += 1;
            continue;
        };
        let context_ok = stands_alone(&chars, k, end, chinese);
        let unit = if context_ok {
            read_unit(&chars, end, chinese)
        } else {
            None
        };
        let Some((exponent, unit_at, unit_end)) = unit else {
            k = end.max(k + 1);
            continue;
        };
        let (start_byte, unit_byte, end_byte) = (byte_at(k), byte_at(unit_at), byte_at(unit_end));
        // A Chinese numeral's unit must end a word (七台河 is a city, 三包 a warranty term).
        if chinese && !is_boundary(tokens, end_byte) {
            k = end.max(k + 1);
            continue;
        }
        // A unit that starts a longer word is not a unit (2024台南: 台南 is a city).
        let starts_word = tokens
            .binary_search_by_key(&unit_byte, |t| t.start)
            .is_ok_and(|i| tokens[i].end > end_byte);
        if starts_word || chars.get(unit_end).is_some_and(|&(_, c)| c == '/') {
            k = unit_end;
            continue;
        }
        let unit_word = &simplified[unit_byte..end_byte];
        let (subject, span_start) = subject(
            tokens,
            text,
            start_byte,
            end_byte,
            !PLAIN_UNITS.contains(&unit_word),
        );
        out.push(Quantity {
            value: scale(mantissa, decimals, exponent),
            unit: text
                .get(unit_byte..end_byte)
                .unwrap_or_default()
                .to_string(),
            subject,
            text: text
                .get(span_start..end_byte)
                .unwrap_or_default()
                .to_string(),
        });
        k = unit_end;
    }
    out
}

/// Whether the number at `k..end` is an amount rather than part of a code, date, ordinal or
/// quoted term: no letter, dash, colon or slash against an Arabic number (GB 2760-2014, 16:19,
/// E7, 3C), no 第 or 星期 before a number, no opening quote before a Chinese numeral (“三包”).
fn stands_alone(chars: &[(u32, char)], k: usize, end: usize, chinese: bool) -> bool {
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let prev = k.checked_sub(1).and_then(at);
    if chinese {
        return prev.is_none_or(|p| !"第周初期拜“‘「『《".contains(p));
    }
    if prev.is_some_and(|p| p.is_ascii_alphanumeric() || "第-—–:/._#•·~".contains(p)) {
        return false;
    }
    if prev == Some(' ') && k >= 2 && chars[k - 2].1.is_ascii_alphabetic() {
        return false;
    }
    match at(end) {
        Some(n) if n.is_ascii_alphabetic() => false,
        Some(n) if "-—–:/~•·".contains(n) => {
            !at(end + 1).is_some_and(|c| c.is_ascii_alphanumeric())
        }
        _ => true,
    }
}

/// An Arabic number at `k`: (digits as an integer, digits after the point, index after it).
/// Commas group thousands only when three digits follow (1,200件; not 6213辆,2022).
fn read_arabic(chars: &[(u32, char)], k: usize) -> Option<(u128, u32, usize)> {
    let digit = |i: usize| chars.get(i).and_then(|&(_, c)| c.to_digit(10));
    let mut mantissa: u128 = 0;
    let mut decimals = 0;
    let mut i = k;
    let mut in_fraction = false;
    loop {
        if let Some(d) = digit(i) {
            mantissa = mantissa.checked_mul(10)?.checked_add(d as u128)?;
            decimals += u32::from(in_fraction);
            i += 1;
        } else if !in_fraction
            && chars.get(i).is_some_and(|&(_, c)| c == ',')
            && (1..=3).all(|j| digit(i + j).is_some())
            && digit(i + 4).is_none()
        {
            i += 1;
        } else if !in_fraction
            && chars.get(i).is_some_and(|&(_, c)| c == '.')
            && digit(i + 1).is_some()
        {
            in_fraction = true;
            i += 1;
        } else {
            break;
        }
    }
    (decimals <= 12).then_some((mantissa, decimals, i))
}

fn is_chinese_numeral(c: char) -> bool {
    matches!(
        c,
        '零' | '〇'
            | '一'
            | '二'
            | '两'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
            | '万'
            | '亿'
    )
}

/// A Chinese numeral at `k` (三十七, 两千, 一百零五, 三万五千, 二〇二三): (value, 0, index after
/// it). A lone 一 is an article (一家店) rather than an amount and is skipped, as are numerals
/// that start with 万, 亿 or a zero.
fn read_chinese(chars: &[(u32, char)], k: usize) -> Option<(u128, u32, usize)> {
    let mut end = k;
    while chars.get(end).is_some_and(|&(_, c)| is_chinese_numeral(c)) {
        end += 1;
    }
    let run: Vec<char> = chars[k..end].iter().map(|&(_, c)| c).collect();
    if run == ['一'] || matches!(run[0], '万' | '亿' | '零' | '〇') {
        return None;
    }
    chinese_value(&run).map(|v| (v, 0, end))
}

fn chinese_value(run: &[char]) -> Option<u128> {
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|i| i as u128 / 3)
            .or(match c {
                '〇' => Some(0),
                '两' => Some(2),
                _ => None,
            })
    };
    if run.iter().all(|&c| digit(c).is_some()) {
        // Read digit by digit: 二〇二三.
        return run.iter().try_fold(0u128, |n, &c| Some(n * 10 + digit(c)?));
    }
    let (mut total, mut section, mut pending): (u128, u128, Option<u128>) = (0, 0, None);
    for &c in run {
        if let Some(d) = digit(c) {
            pending = Some(d);
            continue;
        }
        match c {
            '十' | '百' | '千' => {
                let unit = match c {
                    '十' => 10,
                    '百' => 100,
                    _ => 1000,
                };
                section += pending.take().unwrap_or(1) * unit;
            }
            '万' => {
                total += (section + pending.take().unwrap_or(0)) * 10_000;
                section = 0;
            }
            '亿' => {
                total = (total + section + pending.take().unwrap_or(0)) * 100_000_000;
                section = 0;
            }
            _ => return None,
        }
    }
    Some(total + section + pending.unwrap_or(0))
}

/// The unit after a number ending at `at`: (power of ten from 万/亿/千/百 between them, index of
/// the unit, index after it). Allows one space, 余 or 多 (3000余名), and for Arabic numbers
/// multipliers (631万件, 2.17亿张, 3千万元).
fn read_unit(chars: &[(u32, char)], at: usize, chinese: bool) -> Option<(i32, usize, usize)> {
    let mut i = at;
    let mut exponent = 0;
    if chars.get(i).is_some_and(|&(_, c)| c == ' ') {
        i += 1;
    }
    let mut approximate = false;
    loop {
        if let Some(len) = unit_len(chars, i) {
            return Some((exponent, i, i + len));
        }
        let c = chars.get(i)?.1;
        match c {
            '百' if !chinese => exponent += 2,
            '千' if !chinese => exponent += 3,
            '万' if !chinese => exponent += 4,
            '亿' if !chinese => exponent += 8,
            '余' | '多' if !approximate => approximate = true,
            _ => return None,
        }
        i += 1;
    }
}

/// Length in characters of the longest unit starting at `i`.
fn unit_len(chars: &[(u32, char)], i: usize) -> Option<usize> {
    let mut candidate = String::with_capacity(LONGEST_UNIT * 3);
    let mut best = None;
    for (n, &(_, c)) in chars.iter().skip(i).take(LONGEST_UNIT).enumerate() {
        candidate.push(c);
        if UNIT_SET.contains(candidate.as_str()) {
            best = Some(n + 1);
        }
    }
    best
}

/// `mantissa` × 10^(exponent − decimals), exact for every amount a news article prints.
fn scale(mantissa: u128, decimals: u32, exponent: i32) -> f64 {
    let shift = exponent - decimals as i32;
    if shift >= 0 {
        mantissa as f64 * 10f64.powi(shift)
    } else {
        mantissa as f64 / 10f64.powi(-shift)
    }
}

/// Whether a token ends at byte `at` (or the text does).
fn is_boundary(tokens: &[Token<'_>], at: usize) -> bool {
    tokens.last().is_none_or(|t| t.end <= at) || tokens.binary_search_by_key(&at, |t| t.end).is_ok()
}

/// The subject of the quantity at `start..end` (bytes) and where its printed span starts. In
/// Chinese the counted noun follows the measure word (218家企业), so the content word right
/// after the unit comes first; else the nearest content word before the number in its clause
/// (召回37起), skipping up to two fillers like 共 and 近.
fn subject(
    tokens: &[Token<'_>],
    text: &str,
    start: usize,
    end: usize,
    measure_word: bool,
) -> (String, usize) {
    let printed = |t: &Token<'_>| text.get(t.start..t.end).unwrap_or(t.word).to_string();
    let after = tokens.partition_point(|t| t.start < end);
    if measure_word
        && let Some(t) = tokens.get(after)
        && t.start == end
        && is_content_word(t.word)
        && !AFTER_FILLERS.contains(&t.word)
    {
        return (printed(t), start);
    }
    let first = tokens.partition_point(|t| t.end <= start);
    let mut skipped = 0;
    for t in tokens[..first].iter().rev() {
        if is_filler(t.word) && skipped < 2 {
            skipped += 1;
            continue;
        }
        if is_content_word(t.word) {
            let span_start = if skipped == 0 && t.end == start {
                t.start
            } else {
                start
            };
            return (printed(t), span_start);
        }
        break;
    }
    (String::new(), start)
}

/// Whether a word before an amount only links it to its subject: 共, 超过, and verbs of
/// reaching (可达, 降至, 回到, 率为 as jieba cuts 发现率为).
fn is_filler(word: &str) -> bool {
    FILLER_SET.contains(word)
        || (word.chars().count() <= 3
            && word
                .chars()
                .next_back()
                .is_some_and(|c| "为达至到是".contains(c)))
}

/// A word of two or more Han characters that is not a number.
fn is_content_word(word: &str) -> bool {
    word.chars().count() >= 2
        && word
            .chars()
            .all(|c| crate::text::is_han(c) && !is_chinese_numeral(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Segmenter;

    fn run(text: &str) -> Vec<(f64, String, String, String)> {
        let (simplified, _) = crate::text::simplify(text);
        let segmenter = Segmenter::new("").unwrap();
        let tokens = segmenter.segment(&simplified);
        quantities(&tokens, text, &simplified, 0)
            .into_iter()
            .map(|q| (q.value, q.unit, q.subject, q.text))
            .collect()
    }

    fn q(value: f64, unit: &str, subject: &str, text: &str) -> (f64, String, String, String) {
        (value, unit.into(), subject.into(), text.into())
    }

    #[test]
    fn amounts_units_and_subjects() {
        assert_eq!(
            run("今年全市共召回37起,涉及玩具近631万件,合格率98.5%。"),
            vec![
                q(37.0, "起", "召回", "召回37起"),
                q(6_310_000.0, "件", "玩具", "631万件"),
                q(98.5, "%", "合格率", "合格率98.5%"),
            ]
        );
    }

    #[test]
    fn multipliers_decimals_separators_and_currency() {
        assert_eq!(
            run("游客12.6万人次,销售额8000万元,另有1,250箱苹果售出,门票卖出2.17亿张。"),
            vec![
                q(126_000.0, "人次", "游客", "游客12.6万人次"),
                q(80_000_000.0, "元", "销售额", "销售额8000万元"),
                q(1250.0, "箱", "苹果", "1,250箱"),
                q(217_000_000.0, "张", "卖出", "卖出2.17亿张"),
            ]
        );
    }

    #[test]
    fn chinese_numerals_are_read() {
        assert_eq!(
            run("检查餐馆三十七家,发现两处隐患,另有一百零五名志愿者参加,上千名观众到场。"),
            vec![
                q(37.0, "家", "餐馆", "餐馆三十七家"),
                q(2.0, "处", "隐患", "两处"),
                q(105.0, "名", "志愿者", "一百零五名"),
                q(1000.0, "名", "观众", "千名"),
            ]
        );
    }

    #[test]
    fn plain_units_take_the_word_before() {
        assert_eq!(
            run("最低气温降至2℃左右,剩余费用近6000元无处可退。"),
            vec![
                q(2.0, "℃", "最低气温", "2℃"),
                q(6000.0, "元", "费用", "6000元"),
            ]
        );
    }

    #[test]
    fn dates_codes_phones_and_ordinals_are_not_amounts() {
        let got = run(
            "2023年9月25日16:19,2024台南艺术节开幕,依据GB 2760-2014和〔2023〕1号文,第3批产品在E7车型上试装,拨打400-826-1357;一家店卖了一个“三包”产品。",
        );
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn traditional_text_is_returned_as_printed() {
        assert_eq!(
            run("抽取樣本兩萬件,共有三百餘名市民參與。"),
            vec![
                q(20_000.0, "件", "樣本", "樣本兩萬件"),
                q(300.0, "名", "市民", "三百餘名"),
            ]
        );
    }

    #[test]
    fn at_most_cap_per_article() {
        let text = "卖出3件,".repeat(CAP + 10);
        assert_eq!(run(&text).len(), CAP);
    }
}
