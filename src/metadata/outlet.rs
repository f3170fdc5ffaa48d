//! News outlets a page credits without a label: dateline leads (`新华社北京…电`), leads that
//! open on the outlet, reporters credited to an outlet, and reprint notices.

use super::places;
use crate::text::is_han;

/// Words a news organisation's name ends with.
const MEDIA_ENDINGS: &[&str] = &[
    "社",
    "网",
    "报",
    "台",
    "新闻",
    "客户端",
    "电视",
    "广播",
    "分网",
    "频道",
    "融媒",
    "日报",
    "晚报",
    "卫视",
    "央视",
    "融媒体中心",
    "传媒",
];

/// Names ending like an outlet that are not one: `国家电网`, `物联网`, `通报`, `合作社`.
const NOT_MEDIA_ENDINGS: &[&str] = &[
    "电网",
    "联网",
    "管网",
    "通报",
    "公报",
    "举报",
    "预报",
    "播报",
    "上报",
    "汇报",
    "情报",
    "简报",
    "年报",
    "合作社",
    "旅行社",
    "出版社",
    "平台",
    "舞台",
    "电视",
];

/// The news organisation of a dateline lead: `新华社北京10月12日电`, `中国经济网北京5月28日讯`,
/// `运城新闻网讯`, `央广网河南分网消息`, `据新华社电`; or of a lead that opens on the outlet's
/// name before the time of the news: `某某融媒近日,`. Not `本报讯` (the page's own paper).
pub fn lead_source(paragraph: &str) -> Option<&str> {
    let head_end = paragraph
        .char_indices()
        .nth(40)
        .map_or(paragraph.len(), |(i, _)| i);
    let head = &paragraph[..head_end];
    let head = head.strip_prefix('据').unwrap_or(head);
    dateline_source(head).or_else(|| opening_outlet(head))
}

fn dateline_source(head: &str) -> Option<&str> {
    let (marker_at, marker) = ["电(", "电 (", "电(", "讯(", "讯 (", "讯", "电", "消息"]
        .iter()
        .filter_map(|m| head.find(m).map(|at| (at, *m)))
        .min_by_key(|&(at, _)| at)?;
    if marker == "讯"
        && let Some(cited) = cited_outlet(&head[marker_at + marker.len()..])
    {
        // `某某网讯,某某日报消息,`: a site relaying another outlet's report names it next.
        return Some(cited);
    }
    let lead = &head[..marker_at];
    // The organisation ends where a place or a date begins.
    let org_end = lead
        .char_indices()
        .find(|&(i, c)| c.is_ascii_digit() || lead[i..].starts_with("北京") && i > 0)
        .map_or(lead.len(), |(i, _)| i);
    let mut org = lead[..org_end].trim_matches(|c: char| c.is_whitespace() || c == '□' || c == ',');
    for place_start in [
        "北京", "上海", "天津", "重庆", "广州", "深圳", "香港", "澳门", "台北",
    ] {
        if let Some(at) = org.find(place_start).filter(|&at| at > 0) {
            org = &org[..at];
        }
    }
    // `新华网成都`, `中新社兰州`: a media word followed by nothing but a place (the dateline's);
    // `央广网河南分网` is one organisation.
    if let Some(cut) = org.char_indices().map(|(i, _)| i).find(|&i| {
        i > 0 && MEDIA_ENDINGS.iter().any(|m| org[..i].ends_with(m)) && places::is_place(&org[i..])
    }) {
        org = &org[..cut];
    }
    let len = org.chars().count();

    ((2..=14).contains(&len)
        && org.chars().all(|c| is_han(c) || c == '·')
        && !org.starts_with("本报")
        && MEDIA_ENDINGS.iter().any(|m| org.ends_with(m)))
    .then_some(org)
}

/// `,某某日报消息,` right after a `讯`: the outlet whose report is relayed.
fn cited_outlet(after: &str) -> Option<&str> {
    let after = after.trim_start_matches([',', ' ', ':']);
    let end = after.find("消息")?;
    let org = &after[..end];
    is_outlet(org).then_some(org)
}

/// A lead that opens on an outlet's name right before the time of the news or its reporter:
/// `某某融媒近日,`, `某某日报9月5日`, `某某新闻记者从…获悉`.
fn opening_outlet(head: &str) -> Option<&str> {
    let end = head
        .char_indices()
        .take_while(|&(_, c)| is_han(c))
        .map(|(i, c)| i + c.len_utf8())
        .find(|&end| {
            let rest = &head[end..];
            rest.starts_with(|c: char| c.is_ascii_digit())
                || OPENING_WORDS.iter().any(|w| rest.starts_with(w))
        })?;
    let org = &head[..end];
    (org.chars().count() >= 3 && is_outlet(org)).then_some(org)
}

/// What follows an outlet's name opening a lead: a time word, or its reporter.
const OPENING_WORDS: &[&str] = &[
    "近日",
    "日前",
    "今天",
    "今日",
    "昨天",
    "昨日",
    "近期",
    "本周",
    "连日来",
    "记者",
    "讯",
];

/// A name that reads as a news outlet: Han characters ending in a media word.
pub fn is_outlet(org: &str) -> bool {
    let len = org.chars().count();
    (2..=14).contains(&len)
        && org.chars().all(|c| is_han(c) || c == '·')
        && !org.starts_with("本报")
        && !org.starts_with("该")
        && MEDIA_ENDINGS
            .iter()
            .any(|m| org.ends_with(m) && org.len() > m.len())
        && !NOT_MEDIA_ENDINGS.iter().any(|m| org.ends_with(m))
}

/// The outlet whose reporter a sentence credits: `某某新闻记者了解到`, a photo caption's
/// `新华社记者 李某 摄`. The outlet opens a sentence and ends in a media word, or is a short
/// brand name (`新某某记者了解到`) whose reporter goes on to report.
pub fn reporter_outlet(line: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(found) = line[from..].find("记者") {
        let at = from + found;
        from = at + "记者".len();
        let start = line[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_han(c) || c == '·')
            .last()
            .map_or(at, |(i, _)| i);
        let mut org = &line[start..at];
        let opens_sentence = line[..start]
            .chars()
            .next_back()
            .is_none_or(|c| matches!(c, '。' | '!' | '?' | ' ' | '□' | '■' | ')' | '”'));
        // `据新华社记者报道`: the outlet after 据.
        org = org.strip_prefix('据').unwrap_or(org);
        let len = org.chars().count();
        // Two characters are a kind of paper (`省报记者`, `晚报记者`), not its name.
        if !opens_sentence || !(3..=8).contains(&len) || org.contains(NOT_IN_OUTLET) {
            continue;
        }
        let reports = REPORTING.iter().any(|v| line[from..].starts_with(v));
        let brand = (3..=5).contains(&len) && reports && !org.contains(NOT_IN_BRAND);
        if is_outlet(org) || brand {
            return Some(org);
        }
    }
    None
}

/// What a reporter does in the sentence that credits the outlet: `记者了解到`, `记者从…获悉`.
const REPORTING: &[&str] = &[
    "了解到",
    "获悉",
    "从",
    "注意到",
    "调查",
    "走访",
    "采访",
    "发现",
    "看到",
    "来到",
    "致电",
    "梳理",
    "查询",
    "联系",
    "实地",
];

/// Characters of verbs and links that put a clause, not a name, before `记者`.
const NOT_IN_OUTLET: &[char] = &[
    '请', '向', '对', '和', '与', '及', '在', '被', '由', '让', '给', '为', '是', '的', '了',
];

/// Characters of words like `现场记者`, `多名记者`, `当天记者` that are not a brand.
const NOT_IN_BRAND: &[char] = &[
    '本', '该', '此', '这', '那', '其', '多', '名', '位', '个', '们', '场', '现', '前', '后', '随',
    '当', '天', '日', '时', '年', '月', '上', '下', '午', '晚', '早', '中', '地', '一', '两', '几',
    '些', '等', '有', '女', '男', '首', '席', '特', '派', '驻', '跟', '同', '外', '老', '小',
];

/// The outlet a reprint notice names: `文章来源于某某日报,如有侵权请联系删除`, `本文转自某某网`.
pub fn reprint_source(line: &str) -> Option<&str> {
    let line = line.trim_start_matches(['(', '[', '【', '*', ' ']);
    let rest = [
        "文章来源于",
        "本文来源于",
        "内容来源于",
        "稿件来源于",
        "来源于",
        "本文转自",
        "转载自",
        "转自",
    ]
    .iter()
    .find_map(|p| line.strip_prefix(p))?;
    let end = rest
        .find([',', '。', ';', ' ', '(', ')', ']', '】', '!'])
        .unwrap_or(rest.len());
    let org = rest[..end].trim_start_matches(':');
    ((2..=20).contains(&org.chars().count()) && !org.contains("网络")).then_some(org)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dateline_sources() {
        assert_eq!(
            lead_source("新华社北京10月12日电(记者高亢)中国"),
            Some("新华社")
        );
        assert_eq!(
            lead_source("东方财经网北京6月3日讯(记者 骆一鸣)今日"),
            Some("东方财经网")
        );
        assert_eq!(
            lead_source("运城新闻网讯 (记者 石磊) 9月2日"),
            Some("运城新闻网")
        );
        assert_eq!(
            lead_source("央广网河南分网消息 昨日,"),
            Some("央广网河南分网")
        );
        assert_eq!(lead_source("本报讯(记者 王某)近日"), None);
        assert_eq!(
            lead_source("新华网成都3月22日电(记者 某某) 自"),
            Some("新华网")
        );
        assert_eq!(lead_source("中新社兰州6月2日电 记者"), Some("中新社"));
        assert_eq!(lead_source("近日,市场监管总局发布消息称"), None);
    }

    #[test]
    fn reads_leads_that_cite_or_open_on_an_outlet() {
        assert_eq!(lead_source("据新华社电 国家统计局今天发布"), Some("新华社"));
        // A relaying site names the outlet whose report it carries.
        assert_eq!(
            lead_source("某某财经网讯,东江日报消息,10月9日,记者从省统计局获悉"),
            Some("东江日报")
        );
        // An outlet's name right before the time of the news or its reporter.
        assert_eq!(
            lead_source("松滋融媒近日,松滋市农业农村局组织技术人员"),
            Some("松滋融媒")
        );
        assert_eq!(
            lead_source("湘南日报记者从市卫健委获悉,全市"),
            Some("湘南日报")
        );
        // Names that end like an outlet but are not one.
        assert_eq!(lead_source("国家电网近日发布迎峰度夏方案"), None);
        assert_eq!(lead_source("某某合作社近日引进新设备"), None);
        assert_eq!(lead_source("市场监管总局近日通报"), None);
        assert_eq!(
            lead_source("某县融媒体中心近日,县市场监管局"),
            Some("某县融媒体中心")
        );
    }

    #[test]
    fn finds_the_outlet_of_a_crediting_reporter() {
        assert_eq!(
            reporter_outlet("3月2日,游客在古镇参观。中新社记者 邬启明 摄"),
            Some("中新社")
        );
        assert_eq!(
            reporter_outlet("门票一开售就被抢空。东湖新闻记者了解到,相关部门已介入"),
            Some("东湖新闻")
        );
        // A short brand name, when its reporter goes on to report.
        assert_eq!(
            reporter_outlet("价格一路上涨。新长河记者走访发现,多家门店缺货"),
            Some("新长河")
        );
        // Reporters described, not credited to an outlet.
        assert_eq!(
            reporter_outlet("比赛结束。现场记者看到,球迷久久不愿离去"),
            None
        );
        assert_eq!(reporter_outlet("发布会上,多名记者从不同角度提问"), None);
        assert_eq!(reporter_outlet("局里邀请日报记者参加"), None);
        assert_eq!(reporter_outlet("省报记者走访发现"), None);
        assert_eq!(
            reporter_outlet("据新华社记者报道,当地已恢复通航"),
            Some("新华社")
        );
    }

    #[test]
    fn reads_reprint_notices() {
        assert_eq!(
            reprint_source("文章来源于南江晚报,如有侵权请联系删除。"),
            Some("南江晚报")
        );
        assert_eq!(reprint_source("(本文转自某某网)"), Some("某某网"));
        assert_eq!(reprint_source("图片来源于网络"), None);
        assert_eq!(reprint_source("来源于网络,侵删"), None);
    }
}
