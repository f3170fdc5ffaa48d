//! Organisations named in a body: a word ending in an organisation suffix (局, 委员会, 中心,
//! 协会, 公司, 集团, 法院 …) with the name words before it, found in one pass over the tokens.
//!
//! The name runs left from the suffix over adjacent Han words and stops at punctuation,
//! numbers, 的, and the verbs and prepositions that introduce an organisation in news prose
//! (向, 从, 联合, 根据 …). A name that contains another (国家市场监督管理总局缺陷产品管理中心
//! contains 国家市场监督管理总局) is kept in its longest form only, at that position.

use rustc_hash::FxHashSet;
use std::sync::LazyLock;

use super::mentions::Mentions;
use super::places;
use crate::text::segment::Token;

/// At most this many organisations per article.
pub const CAP: usize = 20;

/// A name is at most this many characters and this many words.
const MAX_CHARS: usize = 24;
const MAX_WORDS: usize = 12;

/// Suffixes of two or more characters: a word ending in one is an organisation's last word.
#[rustfmt::skip]
const SUFFIXES: &[&str] = &[
    "委员会", "联合会", "基金会", "管委会", "总局", "中心", "协会", "学会", "商会", "联盟", "公司",
    "集团", "研究院", "研究所", "科学院", "医院", "大学", "学院", "法院", "检察院", "政府", "银行",
    "办公室", "事务所", "合作社", "出版社", "报社", "电视台", "气象台", "交易所", "派出所",
    "监管所", "博物馆", "图书馆", "总队", "支队", "大队", "海关", "俱乐部",
];

/// One-character suffixes. These end many ordinary words (格局, 餐厅, 部署), so they count only
/// as a word of their own after a name (交通运输 / 厅) or at the end of a word of three or more
/// characters (监管局, 卫生署).
const ONE_CHAR_SUFFIXES: &[char] = &['局', '厅', '署', '委', '部', '院'];

/// Words that name an organisation without a name before them (often abbreviations).
#[rustfmt::skip]
const STANDALONE: &[&str] = &[
    "市委", "省委", "县委", "区委", "党委", "纪委", "村委", "居委", "市府", "国务院", "消委会",
    "消保委", "认监委",
];

/// Words ending in a suffix that are not organisations.
#[rustfmt::skip]
const NOT_ORGS: &[&str] = &[
    "格局", "布局", "结局", "大局", "全局", "开局", "骗局", "僵局", "时局", "政局", "定局", "餐厅",
    "客厅", "大厅", "展厅", "门厅", "营业厅", "部署", "签署", "全部", "内部", "外部", "局部",
    "东部", "西部", "南部", "北部", "中部", "干部", "头部", "底部", "顶部", "市中心",
];

/// Words that end a name on its left: prepositions, conjunctions, particles, time words and
/// the verbs that come before an organisation in news prose.
#[rustfmt::skip]
const STOPS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "并", "跟", "同", "向", "从", "在", "由", "对", "于", "为",
    "被", "将", "把", "让", "给", "以", "经", "据", "自", "至", "到", "等", "是", "有", "也", "都",
    "还", "又", "再", "已", "均", "各", "该", "本", "其", "这", "那", "此", "每", "上", "去", "来",
    "请", "后", "前", "中", "时", "即", "称", "说", "看", "找", "问", "获", "以及", "其中", "包括",
    "来自", "位于", "联合", "会同", "组织", "协调", "委托", "登录", "承办", "主办", "协办", "依托",
    "获悉", "表示", "介绍", "通报", "指导", "支持", "成立", "推动", "举报", "投诉", "前往", "走进",
    "来到", "部署", "发布", "印发", "公布", "通过", "根据", "依据", "按照", "了解", "记者", "接受",
    "督促", "要求", "提醒", "认为", "指出", "显示", "所属", "隶属", "下属", "旗下", "联手", "携手",
    "牵头", "邀请", "召开", "举办", "开展", "实施", "加强", "建立", "设立", "获批", "批准", "备案",
    "通知", "责令", "约谈", "起诉", "提起", "判决", "今天", "昨天", "今年", "去年", "近日", "日前",
    "目前", "当天", "此前", "随后", "同时", "此外", "另外", "近期", "以来", "期间", "相关", "有关",
    "涉事", "一家", "这家", "多家", "各家", "某", "所在地", "当地", "辖区", "全国", "首次", "正式",
    "已经", "共同", "分别", "以上", "向其", "协助", "配合", "陪同", "派出", "致电", "拨打", "访问",
    "查询", "咨询", "请求", "申请", "提交", "报告", "反映", "移交", "送交", "上报", "成为", "作为",
    "属于", "发现", "检查", "抽查", "抽检", "调查", "处罚", "查处", "表彰", "推进", "完善",
    "提升", "促进", "打造", "建设", "培育", "加快", "深化", "推广", "参加", "参与", "开通", "负责",
    "承担", "担任", "进入", "走访", "入驻", "落户", "入选", "加入", "退出", "撤销", "吊销", "注销",
    "核查", "核实", "抽取", "聘请", "协同", "对接", "帮扶", "帮助", "部门", "单位", "主管", "监管",
    "执法", "联系", "选择", "购买", "使用",
];

/// Characters that, as a word of their own, are grammar rather than part of a name (磐 / 安县
/// is a name, 可 / 拨打 is not).
const FUNCTION_CHARS: &str = concat!(
    "的了和与及或并跟同向从在由对于为被将把让给以经据自至到等是有也都还又再已均各该本其这那此",
    "每上去来请后前中即称说看找问获可要会能应需须就才却而但若如因所使令叫乃仍亦皆共近约逾先曾",
    "正很更最太不没未别莫当按凭靠替比年月日时分秒天周个家名位项件批次",
);

/// Words that make a name specific on their own: administrative levels before a suffix.
#[rustfmt::skip]
const LEVELS: &[&str] = &[
    "省", "市", "区", "县", "镇", "乡", "村", "州", "国家", "中国", "中央", "全国",
];

/// The last characters of every suffix and standalone name, the gate of [`suffix_kind`].
static LAST_CHARS: LazyLock<FxHashSet<char>> = LazyLock::new(|| {
    SUFFIXES
        .iter()
        .chain(STANDALONE)
        .filter_map(|w| w.chars().next_back())
        .chain(ONE_CHAR_SUFFIXES.iter().copied())
        .collect()
});

static STOP_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| STOPS.iter().copied().collect());

/// Organisations in `tokens` (words of the simplified text, offsets into `text` as printed),
/// most mentioned first, each in its longest form as first printed.
pub fn organizations(tokens: &[Token<'_>], text: &str) -> Vec<String> {
    // (first byte, first token, last token) of each name, in order; a longer name replaces the
    // names it contains, which are always the last ones pushed.
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    for (end, token) in tokens.iter().enumerate() {
        let Some(needs_name) = suffix_kind(token.word) else {
            continue;
        };
        let (start, from) = name_start(tokens, end);
        let cut = from != tokens[start].start;
        if !cut && !is_specific(tokens, start, end, needs_name) {
            continue;
        }
        while spans.last().is_some_and(|&(f, _, _)| f >= from) {
            spans.pop();
        }
        spans.push((from, start, end));
    }
    let mut found = Mentions::default();
    let mut key = String::new();
    for (from, start, end) in spans {
        key.clear();
        key.push_str(&tokens[start].word[from - tokens[start].start..]);
        for t in &tokens[start + 1..=end] {
            key.push_str(t.word);
        }
        found.add(&key, text.get(from..tokens[end].end).unwrap_or(&key));
    }
    found.ranked(CAP)
}

/// Whether `word` ends an organisation's name: `Some(true)` when a name must come before it
/// (公司, 局, 保险公司), `Some(false)` when it names an organisation by itself too (消保委,
/// 卫生署), `None` when it is not an organisation's last word.
fn suffix_kind(word: &str) -> Option<bool> {
    // Most words end in no suffix's last character: one lookup settles them.
    if !word
        .chars()
        .next_back()
        .is_some_and(|c| LAST_CHARS.contains(&c))
    {
        return None;
    }
    if SUFFIXES.contains(&word) || is_one_char_suffix(word) {
        return Some(true);
    }
    if STANDALONE.contains(&word) {
        return Some(false);
    }
    if NOT_ORGS.iter().any(|n| word.ends_with(n)) {
        return None;
    }
    // A word of a short prefix and a long suffix is usually a kind (保险公司, 分公司); with a
    // longer prefix it is a name (市场监管总局, 人民代表大会常务委员会).
    if let Some(suffix) = SUFFIXES
        .iter()
        .filter(|s| word.ends_with(**s))
        .max_by_key(|s| s.len())
    {
        return Some(word[..word.len() - suffix.len()].chars().count() <= 2);
    }
    let last = word.chars().next_back()?;
    (ONE_CHAR_SUFFIXES.contains(&last) && word.chars().count() >= 3).then_some(false)
}

fn is_one_char_suffix(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if ONE_CHAR_SUFFIXES.contains(&c))
}

/// The first token of the name that ends at token `end`, and the name's first byte: inside
/// that token when jieba joined a preposition to a level (从省 / 市场监管局 → 省市场监管局).
fn name_start(tokens: &[Token<'_>], end: usize) -> (usize, usize) {
    let mut start = end;
    let mut chars = tokens[end].word.chars().count();
    let mut words = 1;
    while start > 0 && words < MAX_WORDS {
        let prev = tokens[start - 1].word;
        // A short quoted part belongs to the name: 自贸区“一带一路”技术交流合作中心.
        let (first, added) = match prev {
            "”" => match quoted_start(tokens, start - 1) {
                Some(open) => (
                    open,
                    tokens[open..start]
                        .iter()
                        .map(|t| t.word.chars().count())
                        .sum(),
                ),
                None => break,
            },
            _ => {
                if let Some(level) = level_after_stop(prev) {
                    let t = &tokens[start - 1];
                    return (start - 1, t.end - level.len());
                }
                if !is_name_word(prev) {
                    break;
                }
                (start - 1, prev.chars().count())
            }
        };
        if chars + added > MAX_CHARS {
            break;
        }
        chars += added;
        words += 1;
        start = first;
    }
    (start, tokens[start].start)
}

/// The level in a word of a one-character stop word and a level (从省, 向市, 在县).
fn level_after_stop(word: &str) -> Option<&str> {
    let mut chars = word.char_indices();
    let (_, stop) = chars.next()?;
    let (at, _) = chars.next()?;
    let level = &word[at..];
    (chars.next().is_none()
        && STOP_SET.contains(&word[..stop.len_utf8()])
        && LEVELS.contains(&level))
    .then_some(level)
}

/// The token of the opening quote matching the closing quote at `close`, if the quote is short
/// and holds only Han words.
fn quoted_start(tokens: &[Token<'_>], close: usize) -> Option<usize> {
    let mut i = close;
    let mut chars = 0;
    while i > 0 {
        i -= 1;
        let w = tokens[i].word;
        if w == "“" {
            return (chars >= 2 && i > 0 && is_name_word(tokens[i - 1].word)).then_some(i);
        }
        chars += w.chars().count();
        if chars > 8 || !is_han_word(w) {
            return None;
        }
    }
    None
}

/// Whether a word can be part of a name: Han only; not a stop word nor a word ending in one
/// (可拨打); a single character only if it is not a function word; not a count (一家, 三个), though an ordinal session (第十六届) is part of a name.
fn is_name_word(word: &str) -> bool {
    if !is_han_word(word) || STOP_SET.contains(word) {
        return false;
    }
    if places::is_place(word) {
        return true;
    }
    let mut chars = word.chars();
    let first = chars.next().unwrap_or(' ');
    let len = 1 + chars.clone().count();
    if len == 1 {
        return !FUNCTION_CHARS.contains(first);
    }
    if len >= 3 {
        let tail = word
            .char_indices()
            .nth(len - 2)
            .map_or(word, |(i, _)| &word[i..]);
        if STOP_SET.contains(tail) {
            return false;
        }
    }
    if "一二两三四五六七八九十几某".contains(first) {
        return word.ends_with('届');
    }
    // 各区, 该市, 本公司: a determiner makes the word a reference, not a name.
    if "各该本每这那其此".contains(first) {
        return false;
    }
    true
}

fn is_han_word(word: &str) -> bool {
    !word.is_empty() && word.chars().all(crate::text::is_han)
}

/// Whether a candidate names one organisation rather than a kind (保险公司, 行业协会): a last
/// word that is a name by itself, two or more name words, or one name word with a long suffix
/// (消费者委员会), an administrative level (市 / 交通运输局) or a place.
fn is_specific(tokens: &[Token<'_>], start: usize, end: usize, needs_name: bool) -> bool {
    if start == end {
        return !needs_name;
    }
    let name = &tokens[start..end];
    !needs_name
        || name.len() >= 2
        || tokens[end].word.chars().count() >= 3
        || name
            .iter()
            .any(|t| LEVELS.contains(&t.word) || places::is_place(t.word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Segmenter;

    fn run(text: &str) -> Vec<String> {
        let (simplified, _) = crate::text::simplify(text);
        let segmenter = Segmenter::new("").unwrap();
        organizations(&segmenter.segment(&simplified), text)
    }

    #[test]
    fn names_run_left_to_a_verb_or_punctuation() {
        let got = run("记者从杭州市市场监督管理局获悉,该局联合杭州市公安局开展行动。");
        assert_eq!(got, vec!["杭州市市场监督管理局", "杭州市公安局"]);
    }

    #[test]
    fn most_mentioned_first_and_longest_form() {
        let got = run(
            "青山电器有限公司向国家市场监督管理总局备案了召回计划。消费者可登录国家市场监督管理总局缺陷产品管理中心网站查询,也可拨打青山电器有限公司热线。",
        );
        assert_eq!(
            got,
            vec![
                "青山电器有限公司",
                "国家市场监督管理总局",
                "国家市场监督管理总局缺陷产品管理中心"
            ]
        );
    }

    #[test]
    fn kinds_and_ordinary_words_are_not_organisations() {
        let got = run("由保险公司承担费用,行业协会也表态;这是新的格局,餐厅部署了新菜单。");
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn a_preposition_joined_to_a_level_is_cut_off() {
        // jieba reads 从省 and 向市 as words; the name starts at the level.
        let got = run("记者从省市场监管局了解到,市民向市消保委投诉,磐安县市场监管局也收到线索。");
        assert_eq!(got, vec!["省市场监管局", "市消保委", "磐安县市场监管局"]);
    }

    #[test]
    fn verbs_departments_and_counts_end_a_name() {
        let got =
            run("联合行业主管部门江南市消防总队,推进市级质检中心建设,认定5个江南市质检中心。");
        assert_eq!(
            got,
            vec!["江南市消防总队", "市级质检中心", "江南市质检中心"]
        );
    }

    #[test]
    fn traditional_names_are_returned_as_printed() {
        let got = run("食物環境衞生署食物安全中心今日公布結果,消費者委員會亦作出提醒。");
        assert_eq!(got, vec!["食物環境衞生署食物安全中心", "消費者委員會"]);
    }

    #[test]
    fn quoted_parts_and_sessions_stay_in_the_name() {
        let got = run(
            "支持自贸区“一带一路”技术交流合作中心完善功能。江南市第十六届人民代表大会常务委员会通过了规定。",
        );
        assert_eq!(
            got,
            vec![
                "自贸区“一带一路”技术交流合作中心",
                "江南市第十六届人民代表大会常务委员会"
            ]
        );
    }
}
