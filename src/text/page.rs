//! Page structure of flattened news text: header (site, column, title, date line), body, byline
//! lines and the furniture around the article (share widgets, related reading, comment boxes).

use crate::metadata::byline::{self, Role};
use crate::metadata::date::{self, PageDate};
use crate::metadata::outlet;

/// What the page says about itself, read from its layout. Values are as printed (original script).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub title: Option<String>,
    pub published_at: Option<PageDate>,
    pub source: Option<String>,
    pub authors: Vec<String>,
    pub reporters: Vec<String>,
    pub editors: Vec<String>,
    pub site: Option<String>,
    pub column: Option<String>,
    /// Body paragraphs joined by `\n`: no title, date, byline or furniture lines.
    pub body: String,
    /// Byte offset in `body` where the text proper starts, after a lead credit such as
    /// `本报讯(记者 X)`.
    pub lead_offset: usize,
    pub related_headlines: Vec<String>,
}

/// Hints from a richer source (HTML `<meta>`), used when the text itself does not show a value.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    pub title: Option<String>,
    pub column: Option<String>,
    pub published_at: Option<PageDate>,
    pub authors: Vec<String>,
    pub site: Option<String>,
}

/// Lines that mark the end of the article and the start of page furniture.
const FURNITURE_PREFIXES: &[&str] = &[
    "分享到",
    "分享至",
    "分享:",
    "分享此文",
    "分享本文",
    "一键分享",
    "『相关",
    "【相关",
    "【热门",
    "【推荐",
    "【延伸阅读",
    "热门报道",
    "[相关",
    "相关阅读",
    "相关新闻",
    "相关文章",
    "相关链接",
    "相关报道",
    "相关推荐",
    "延伸阅读",
    "推荐阅读",
    "热点推荐",
    "热门推荐",
    "热门文章",
    "热点新闻",
    "猜你喜欢",
    "为你推荐",
    "为您推荐",
    "精彩推荐",
    "我也来说两句",
    "热门评论",
    "最新评论",
    "全部评论",
    "我要评论",
    "发表评论",
    "网友评论",
    "查看评论",
    "评论列表",
    "会员登录",
    "用户登录",
    "用户名",
    "登录名",
    "【打印",
    "[打印",
    "打印本页",
    "【关闭",
    "[关闭",
    "关闭窗口",
    "【收藏",
    "【纠错",
    "上一篇",
    "下一篇",
    "上一条",
    "下一条",
    "上一主题",
    "返回顶部",
    "返回首页",
    "版权所有",
    "版权声明",
    "免责声明",
    "Copyright",
    "copyright",
    "COPYRIGHT",
    "©",
    "扫一扫",
    "微信扫一扫",
    "扫描二维码",
    "扫码关注",
    "关注我们",
    "More>>",
    "more>>",
    "更多>>",
    "更多>",
    "点击排行",
    "热门排行",
    "网站地图",
    "联系我们",
    "关于我们",
];

/// Whole lines that are furniture wherever they stand.
const FURNITURE_LINES: &[&str] = &[
    "更多",
    "分享",
    "评论",
    "打印",
    "关闭",
    "收藏",
    "返回",
    "顶部",
    "微信",
    "微博",
    "QQ空间",
    "复制链接",
    "[复制链接]",
    "字号",
    "大 中 小",
    "【大 中 小】",
    "[注册]",
    "密码",
];

/// Navigation and SEO lines found above the headline.
const HEADER_FURNITURE_PREFIXES: &[&str] = &[
    "首页",
    "主页",
    "当前位置",
    "您当前位置",
    "您现在的位置",
    "现在位置",
    "您的位置",
    "热搜",
    "热门搜索",
    "热门标签",
    "加载中",
    "查看余下全文",
    "手机看",
    "你的位置",
    "所在位置",
    "位置:",
    "关键词:",
    "关键字:",
    "Tags:",
    "标签:",
    "导航",
    "登录",
    "注册",
    "设为首页",
    "加入收藏",
    "欢迎访问",
    "欢迎光临",
    "欢迎来到",
];

const BULLETS: &[char] = &[
    '·', '•', '●', '◆', '◇', '■', '□', '▪', '▫', '★', '☆', '〉', '>', '»', '▶', '►', '-', '*', '○',
];

/// Reads the layout of normalised page text.
///
/// Lines are classified on their simplified form (so `來源:` and `責任編輯:` read like `来源:` and
/// `责任编辑:`), and every value is taken from the same bytes of the original text.
pub fn read_page(text: &str, hints: Hints) -> Page {
    read_page_converting(text, hints).0
}

/// The title and body of a [`Page`] in simplified characters, cut from the page's converted text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Simplified {
    /// `None` when the title did not come from the page's text (a hint) or there is none.
    pub title: Option<String>,
    pub body: String,
}

/// [`read_page`], with the title and body in simplified characters when the page had any
/// character to convert (`None` when it had none: then text cut from it needs no conversion).
pub fn read_page_converting(text: &str, hints: Hints) -> (Page, Option<Simplified>) {
    let converted = super::script::needs_conversion(text);
    let simplified = if converted {
        super::script::convert(text)
    } else {
        text.to_string()
    };
    let aligned = Aligned {
        original: text,
        simplified: &simplified,
    };
    let lines: Vec<&str> = simplified.lines().map(str::trim).collect();
    let kinds: Vec<Kind> = lines.iter().map(|l| classify(l)).collect();
    let context_year = date::dominant_year(text);

    let first_paragraph = find_first_paragraph(&lines, &kinds);
    let body_end = (first_paragraph..lines.len())
        .find(|&i| kinds[i] == Kind::FurnitureStart)
        .unwrap_or(lines.len());

    let mut page = Page::default();
    let mut fields = Fields::default();

    // Header: site, column, title and the date line.
    let mut candidates: Vec<usize> = Vec::new();
    let mut date_line_at = None;
    for (i, line) in lines.iter().enumerate().take(first_paragraph) {
        match kinds[i] {
            Kind::Empty | Kind::Furniture | Kind::FurnitureStart | Kind::Bullet => {
                if page.column.is_none() {
                    page.column = breadcrumb_column(line).map(|c| aligned.original(c).to_string());
                }
            }
            Kind::Byline => fields.read(&aligned, line, context_year),
            Kind::Text if has_name_credit(line) => fields.read(&aligned, line, context_year),
            Kind::Text if is_reporter_line(line) => {
                if let Some((names, _)) = byline::lead_reporters(line) {
                    for name in names {
                        fields.add(Role::Reporter, aligned.original(name));
                    }
                }
            }
            Kind::Text => {
                if let Some(found) = date_line(line, context_year) {
                    fields.header_date.get_or_insert(found.date);
                    date_line_at.get_or_insert(i);
                    for rest in [&line[..found.start], &line[found.end..]] {
                        fields.read(&aligned, rest, context_year);
                        let unlabelled = rest.trim_matches(|c: char| c.is_whitespace() || c == '|');
                        let labelled = !byline::credits(rest).is_empty();
                        if !labelled && byline::is_person_name(unlabelled) {
                            // `| 王某 | 14-05-2023 05:44 |`: the writer beside the date.
                            fields.add(Role::Author, aligned.original(unlabelled));
                        } else if !labelled && is_media_name(unlabelled) {
                            fields.date_line_source.get_or_insert(unlabelled);
                        } else if !labelled && let Some(at) = glued_source_label(rest) {
                            // `体育资讯来源:新华社 2019年…`: a column word glued to the label.
                            fields.read(&aligned, &rest[at..], context_year);
                        }
                        if let Some(site) = trailing_site(rest) {
                            fields
                                .site
                                .get_or_insert_with(|| aligned.original(site).to_string());
                        }
                    }
                } else {
                    candidates.push(i);
                }
            }
        }
    }
    let title_at = candidates
        .iter()
        .copied()
        .filter(|&i| is_title_like(lines[i]))
        .max_by_key(|&i| {
            // Prefer the line just before the date line, then longer lines.
            let next_to_date = date_line_at.is_some_and(|d| i < d && d - i <= 2);
            (next_to_date, lines[i].chars().count().min(40), i)
        });
    let mut simplified_title = title_at.map(|i| clean_title(lines[i]));
    page.title = simplified_title.map(|t| aligned.original(t).to_string());
    for &i in candidates.iter().filter(|&&i| Some(i) != title_at) {
        let line = lines[i];
        let len = line.chars().count();
        if is_site_name(line) {
            fields
                .site
                .get_or_insert_with(|| aligned.original(line).to_string());
        } else if (2..=10).contains(&len) && title_at.is_none_or(|t| i < t) {
            page.column
                .get_or_insert_with(|| aligned.original(line).to_string());
        }
    }

    // Body, with byline, credit and date lines taken out wherever they stand.
    let mut body_lines: Vec<&str> = Vec::new();
    let mut signature_date = None;
    for i in first_paragraph..body_end {
        let line = lines[i];
        match kinds[i] {
            Kind::Empty | Kind::Furniture => {}
            Kind::Byline => fields.read(&aligned, line, context_year),
            Kind::FurnitureStart => unreachable!("body ends at the first furniture start"),
            Kind::Bullet | Kind::Text => {
                let credits = byline::trailing_reporters(line);
                for name in &credits {
                    fields.add(Role::Reporter, aligned.original(name));
                }
                if !body_lines.is_empty() && is_trailing_credit(line) {
                    fields.read(&aligned, trim_brackets(line), context_year);
                } else if !body_lines.is_empty() && is_source_note(line) {
                    fields.note_source.get_or_insert(trim_brackets(line));
                } else if !body_lines.is_empty()
                    && let Some(org) = outlet::reprint_source(line)
                {
                    fields.reprint_source.get_or_insert(org);
                } else if !body_lines.is_empty() && at_most_chars(line, 20) && is_date_only(line) {
                    signature_date = date::find_date(line, context_year).map(|m| m.date);
                } else if credits.is_empty() || line.chars().count() > 24 {
                    body_lines.push(line);
                }
            }
        }
    }

    // Furniture: more byline lines, the related-reading list.
    let mut in_related = false;
    for i in body_end..lines.len() {
        let line = lines[i];
        match kinds[i] {
            Kind::Byline => fields.read(&aligned, line, context_year),
            Kind::FurnitureStart => {
                in_related = is_related_marker(line);
                fields.read(&aligned, line, context_year);
                if let Some(site) = copyright_site(line) {
                    fields
                        .site
                        .get_or_insert_with(|| aligned.original(site).to_string());
                }
            }
            Kind::Bullet => {
                if let Some(h) = clean_headline(line) {
                    page.related_headlines.push(aligned.original(h).to_string());
                }
            }
            Kind::Text if in_related && is_headline_like(line) => {
                if let Some(h) = clean_headline(line) {
                    page.related_headlines.push(aligned.original(h).to_string());
                }
            }
            Kind::Text => {
                if let Some(found) = date_line(line, context_year) {
                    fields.late_date.get_or_insert(found.date);
                } else if let Some(org) = outlet::reprint_source(line) {
                    fields.reprint_source.get_or_insert(org);
                }
            }
            Kind::Empty | Kind::Furniture => {}
        }
    }

    if let Some(&last) = body_lines.last()
        && let Some(open) = last.rfind('(')
        && last.ends_with(')')
    {
        let inner = &last[open + 1..last.len() - 1];
        if is_source_note(&last[open..]) {
            fields.note_source.get_or_insert(inner);
        } else if !byline::credits(inner).is_empty() && inner.chars().count() <= 30 {
            // `…将于5月25日打响。(编辑 冯晓)`: a credit, not article text.
            fields.read(&aligned, inner, context_year);
            let kept = last[..open].trim_end();
            if let Some(slot) = body_lines.last_mut() {
                *slot = kept;
            }
        }
    }
    let original_body: Vec<&str> = body_lines.iter().map(|l| aligned.original(l)).collect();
    page.body = original_body.join("\n");
    if let Some(first) = body_lines.first() {
        if let Some((names, end)) = byline::lead_reporters(first) {
            for name in names {
                fields.add(Role::Reporter, aligned.original(name));
            }
            page.lead_offset = end;
        }
        if let Some(source) = outlet::lead_source(first) {
            fields.lead_source.get_or_insert(source);
        }
    }
    // `某某新闻记者了解到`, `新华社记者 李某 摄`: the outlet whose reporter the opening credits.
    let reporter_outlet = body_lines
        .iter()
        .take(4)
        .find_map(|line| outlet::reporter_outlet(line));

    if page.title.is_none()
        && let Some(first) = body_lines.first()
        && let Some(inner) = first
            .strip_prefix('【')
            .and_then(|r| r.split_once('】'))
            .map(|(t, _)| t)
        && (6..=60).contains(&inner.chars().count())
        && is_title_like(inner)
    {
        // A news flash: `【标题】正文…`.
        simplified_title = Some(inner);
        page.title = Some(aligned.original(inner).to_string());
    }
    page.title = page.title.or(hints.title);
    page.published_at = fields
        .keyed_date
        .or(fields.header_date)
        .or(fields.late_date)
        .or(signature_date)
        .or(hints.published_at);
    let source = fields
        .source
        .or(fields.reprint_source)
        .or(fields.date_line_source)
        .or(fields.note_source)
        .or(fields.lead_source)
        .or(reporter_outlet);
    page.source = source.map(|s| aligned.original(s).to_string());
    page.authors = if fields.authors.is_empty() {
        hints.authors
    } else {
        fields.authors
    };
    page.reporters = fields.reporters;
    // `编辑:X 审核:Y` names Y as the approver; `审核:Y` alone names the page's editor.
    page.editors = if fields.editors.is_empty() {
        fields.reviewers
    } else {
        fields.editors
    };
    page.site = fields.site.or(hints.site);
    page.column = page.column.or(hints.column);
    let simplified = converted.then(|| Simplified {
        title: simplified_title.map(str::to_string),
        body: body_lines.join("\n"),
    });
    (page, simplified)
}

/// The original text and its simplified form, byte for byte aligned.
struct Aligned<'a> {
    original: &'a str,
    simplified: &'a str,
}

impl<'a> Aligned<'a> {
    /// The original bytes behind a slice of the simplified text.
    fn original(&self, part: &str) -> &'a str {
        let base = self.simplified.as_ptr() as usize;
        let at = (part.as_ptr() as usize).wrapping_sub(base);
        self.original
            .get(at..at + part.len())
            .filter(|_| at <= self.simplified.len())
            .unwrap_or_else(|| {
                debug_assert!(false, "not a slice of the simplified text");
                ""
            })
    }
}

/// How a line is treated by the layout reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Empty,
    /// Starts the furniture after the article (share widget, related reading, comments).
    FurnitureStart,
    /// Furniture wherever it stands (navigation, widgets).
    Furniture,
    /// A line of labelled credits (来源:, 作者:, 编辑:, 发布时间:).
    Byline,
    /// A bulleted list item.
    Bullet,
    Text,
}

fn classify(line: &str) -> Kind {
    let Some(first) = line.chars().next() else {
        return Kind::Empty;
    };
    if line
        .chars()
        .all(|c| c.is_whitespace() || c.is_ascii_punctuation())
    {
        return Kind::Empty;
    }
    // The prefix and line lists are only worth scanning when one of them starts like the line.
    let listed = LISTED_FIRST_CHARS.contains(&first);
    if listed && FURNITURE_PREFIXES.iter().any(|p| line.starts_with(p))
        || is_comment_counter(line)
        || is_pager(line)
    {
        return Kind::FurnitureStart;
    }
    if listed
        && (FURNITURE_LINES.contains(&line)
            || HEADER_FURNITURE_PREFIXES
                .iter()
                .any(|p| line.starts_with(p)))
        || is_share_row(line)
        || is_breadcrumb(line)
        || is_navigation(line)
    {
        return Kind::Furniture;
    }
    if line.starts_with(BULLETS) && line.chars().count() <= 60 {
        // `□记者 王某`: newspaper pages mark the credit line with a box.
        let rest = line.trim_start_matches(BULLETS).trim_start();
        if rest.chars().count() <= 30 && is_byline(rest) {
            return Kind::Byline;
        }
        return Kind::Bullet;
    }
    if is_byline(line) {
        return Kind::Byline;
    }
    Kind::Text
}

/// The first characters of [`FURNITURE_PREFIXES`], [`FURNITURE_LINES`] and
/// [`HEADER_FURNITURE_PREFIXES`].
static LISTED_FIRST_CHARS: std::sync::LazyLock<rustc_hash::FxHashSet<char>> =
    std::sync::LazyLock::new(|| {
        FURNITURE_PREFIXES
            .iter()
            .chain(FURNITURE_LINES)
            .chain(HEADER_FURNITURE_PREFIXES)
            .filter_map(|p| p.chars().next())
            .collect()
    });

/// Whether `line` has at most `max` characters, without counting them when its length in
/// bytes settles it.
fn at_most_chars(line: &str, max: usize) -> bool {
    line.len() <= max || (line.len() <= 4 * max && line.chars().count() <= max)
}

/// `Page 1 of 3`, `第1页 共3页`, `共5页`: the pager under a story split over pages.
fn is_pager(line: &str) -> bool {
    line.len() <= 40
        && ((line.starts_with("Page ") && line.contains(" of "))
            || (line.contains('页')
                && (line.starts_with("第") || line.starts_with("共"))
                && line.contains(|c: char| c.is_ascii_digit())
                && line.contains("共")))
}

/// `0条评论`, `评论(12)`, `已有3人参与`.
fn is_comment_counter(line: &str) -> bool {
    at_most_chars(line, 30) && (line.contains("条评论") || line.starts_with("评论("))
}

/// A navigation row (`新闻 | 滚动 | 上海 | 政务`), a spam row of `_`-joined phrases, or leftover
/// HTML tags.
fn is_navigation(line: &str) -> bool {
    const SEPARATORS: [char; 3] = ['|', '_', '丨'];
    // SIMD byte counts: `|`, `_`, and an upper bound on `丨` (E4 B8 A8) from its last byte; the
    // exact count only when the bound says it may matter.
    let bytes = line.as_bytes();
    let bars = memchr::memchr2_iter(b'|', b'_', bytes).count();
    let separated = bars >= 3
        || bars + memchr::memchr_iter(0xA8, bytes).count() >= 3
            && bars + line.matches('丨').count() >= 3;
    if separated {
        let pieces = line
            .split(SEPARATORS)
            .filter(|p| !p.trim().is_empty())
            .count();
        if pieces >= 3 && line.chars().count() / pieces <= 14 {
            return true;
        }
    }
    (line.contains('<') && line.contains('>') && line.contains("</")) || is_menu_row(line)
}

/// A menu of section names separated by spaces: `最新 原创 专题 新经济 曝光台 温州 绍兴 …`.
/// Eight or more short words and no punctuation of running text.
fn is_menu_row(line: &str) -> bool {
    // Eight words need seven spaces; most lines have far fewer.
    if memchr::memchr_iter(b' ', line.as_bytes()).count() < 7
        || line.contains([',', '。', ':', '、', ';', '?', '!', '“'])
    {
        return false;
    }
    let mut words = 0;
    let mut chars = 0;
    for word in line.split_whitespace() {
        words += 1;
        chars += word.chars().count();
    }
    words >= 8 && chars <= words * 4
}

/// `新闻中心 >> 市场监管 >> 认证认可`: two or more `>` separators on a short line.
fn is_breadcrumb(line: &str) -> bool {
    if !at_most_chars(line, 80) || !line.contains(['>', '»', '›']) {
        return false;
    }
    let crumbs: Vec<&str> = line.split(['>', '»', '›']).map(str::trim).collect();
    line.contains(">>")
        || crumbs.len() >= 3
        || (crumbs.len() == 2 && crumbs.iter().all(|c| (1..=10).contains(&c.chars().count())))
}

/// A row of share targets: `微信 微博 QQ空间`.
fn is_share_row(line: &str) -> bool {
    let mut words = 0;
    for w in line.split_whitespace() {
        let target = matches!(
            w,
            "微信"
                | "微博"
                | "QQ"
                | "QQ空间"
                | "朋友圈"
                | "新浪微博"
                | "腾讯微博"
                | "豆瓣"
                | "人人网"
                | "复制链接"
                | "分享"
        );
        if !target {
            return false;
        }
        words += 1;
    }
    words >= 2
}

/// A short line whose first label sits at its start: `来源:X 作者:Y`, `责任编辑:Z`, `文/X`.
fn is_byline(line: &str) -> bool {
    if !at_most_chars(line, 120) || line.contains('。') {
        return false;
    }
    let chars = line.chars().count();
    let credits = byline::credits(line);
    // A name credit runs into prose: `(记者 王某)近日,某市…` is a lead, not a byline.
    if credits.iter().any(|c| {
        matches!(
            c.role,
            Role::Reporter | Role::Author | Role::Editor | Role::Reviewer
        ) && c.value.chars().count() > 24
    }) {
        return false;
    }
    let Some(first) = credits.first() else {
        return false;
    };
    // Widget labels before the credit do not count: `【我要纠错】责任编辑:安涛`.
    let mut lead = line[..first.at].trim();
    while let Some(rest) = lead
        .strip_prefix('【')
        .and_then(|r| r.split_once('】'))
        .map(|(_, r)| r.trim())
    {
        lead = rest;
    }
    let lead = lead.trim_matches(|c: char| c.is_whitespace() || "([【『|".contains(c));
    // A label at the start, or several labels on one short line.
    (lead.is_empty() || (credits.len() >= 2 && chars <= 80))
        && credits.iter().any(|c| c.role != Role::Other || chars <= 40)
}

/// A header line carrying a labelled name or source after other words:
/// `7 要闻 本版编辑:王某` on a scanned newspaper page. Such a line is not a headline.
fn has_name_credit(line: &str) -> bool {
    line.chars().count() <= 60
        && byline::credits(line).iter().any(|c| {
            matches!(
                c.role,
                Role::Editor | Role::Reviewer | Role::Reporter | Role::Author | Role::Source
            ) && !byline::names(c.value).is_empty()
                && c.value.chars().count() <= 24
        })
}

/// Where `来源:` starts on a date line that glues it to a column word (`体育资讯来源:新华社`);
/// not a picture or data credit (`图片来源:`, `数据来源:`).
fn glued_source_label(rest: &str) -> Option<usize> {
    let at = rest.find("来源:")?;
    let before = &rest[..at];
    (!["图片", "图", "数据", "资料", "视频"]
        .iter()
        .any(|w| before.ends_with(w)))
    .then_some(at)
}

/// A credit line in brackets at the end of the body: `(责任编辑:王某)`, `【编辑:李某】`.
fn is_trailing_credit(line: &str) -> bool {
    let inner = trim_brackets(line);
    inner.len() < line.len() && is_byline(inner)
}

fn trim_brackets(line: &str) -> &str {
    line.trim_start_matches(['(', '[', '【', '（'])
        .trim_end_matches([')', ']', '】', '）'])
}

/// The first line that reads as running text rather than a headline or a label.
fn find_first_paragraph(lines: &[&str], kinds: &[Kind]) -> usize {
    let is_paragraph = |i: usize| {
        let line = lines[i];
        let chars = line.chars().count();
        kinds[i] == Kind::Text
            && (chars >= 50 || line.contains('。') || (chars >= 30 && line.contains([',', '，'])))
            && !is_date_only(line)
            // `http://… 2003年09月22日08:32 某某网`: a long date line, not prose.
            && (line.contains(',') || date_line(line, None).is_none())
    };
    if let Some(i) = (0..lines.len()).find(|&i| is_paragraph(i)) {
        return i;
    }
    // A brief with no long line: the text after the last header-looking line.
    (0..lines.len())
        .filter(|&i| kinds[i] == Kind::Text && !is_date_only(lines[i]))
        .max_by_key(|&i| (lines[i].chars().count(), std::cmp::Reverse(i)))
        .unwrap_or(lines.len())
}

fn is_date_only(line: &str) -> bool {
    // Past this length the date itself would have to be longer than any printed date.
    line.len() < 40 + 160
        && date::find_date(line, None).is_some_and(|m| line.len() - (m.end - m.start) < 40)
}

/// A date on a short line that is about the page (not a sentence mentioning a date).
fn date_line(line: &str, context_year: Option<u16>) -> Option<date::DateMatch> {
    if line.chars().count() > 90 || line.contains('。') {
        return None;
    }
    let found = date::find_date(line, context_year)?;
    let rest = line.len() - (found.end - found.start);
    (rest <= 90).then_some(found)
}

fn is_title_like(line: &str) -> bool {
    let title = clean_title(line);
    let chars = title.chars().count();
    let han = title.chars().filter(|&c| super::is_han(c)).count();
    // Latin names count against the share of Han: `某品牌 召回 Model X 涉及百万部电动车`.
    (5..=80).contains(&chars)
        && han >= 4
        && han * 3 >= chars
        && !opens_like_a_sentence(title)
        && !title.ends_with(['。', ':'])
        && title.matches('。').count() <= 1
        && !is_site_name(title)
        && !is_bracketed(title)
}

/// `近日,某局发布…`: a lead's opening clause (a time word and a comma), not a headline.
fn opens_like_a_sentence(line: &str) -> bool {
    [
        "近日,",
        "日前,",
        "昨天,",
        "昨日,",
        "今天,",
        "今日,",
        "近期,",
        "目前,",
        "据悉,",
        "据了解,",
    ]
    .iter()
    .any(|w| line.starts_with(w))
}

/// `(资料图)`, `【图】`: a caption, not a headline.
fn is_bracketed(line: &str) -> bool {
    let (Some(first), Some(last)) = (line.chars().next(), line.chars().last()) else {
        return false;
    };
    matches!(
        (first, last),
        ('(', ')') | ('【', '】') | ('[', ']') | ('〔', '〕')
    )
}

/// Cuts table debris and a site or channel suffix off a headline line:
/// `标题 | |`, `标题|新闻中心`, `标题_某某网`.
fn clean_title(line: &str) -> &str {
    let mut title = line.trim_end_matches(|c: char| c == '|' || c.is_whitespace() || c == '-');
    for sep in ['|', '_', '丨'] {
        if sep == '丨' {
            // `增强质量意识 推进高质量发展丨上海:提升服务效能` keeps its 丨: only a short tail is a site.
            if let Some(at) = title.rfind(sep)
                && title[at..].chars().count() <= 8
                && is_site_name(title[at + sep.len_utf8()..].trim())
            {
                title = title[..at].trim_end();
            }
            continue;
        }
        if let Some(at) = title.find(sep)
            && title[..at].chars().count() >= 6
        {
            title = title[..at].trim_end();
        }
    }
    title
}

/// `杭州网`, `新华网`, `人民日报`: a short line naming a site or paper.
fn is_site_name(line: &str) -> bool {
    let chars = line.chars().count();
    (2..=12).contains(&chars)
        && !line.contains(char::is_whitespace)
        && [
            "网",
            "网站",
            "在线",
            "日报",
            "晚报",
            "时报",
            "新闻网",
            "客户端",
            "频道",
        ]
        .iter()
        .any(|s| line.ends_with(s))
}

/// What follows the date on a date line, when it names the site: `2023-09-25 16:19:47  杭州网`.
fn trailing_site(rest: &str) -> Option<&str> {
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || c == '|');
    (!rest.is_empty() && byline::credits(rest).is_empty() && is_site_name(rest)).then_some(rest)
}

/// `© 2024 滨江在线 版权所有` → `滨江在线`.
fn copyright_site(line: &str) -> Option<&str> {
    if !["©", "Copyright", "copyright", "版权所有"]
        .iter()
        .any(|m| line.contains(m))
    {
        return None;
    }
    line.split(|c: char| c.is_whitespace() || matches!(c, '©' | ':' | ',' | '|'))
        .map(|w| w.trim_end_matches("版权所有"))
        .find(|w| is_site_name(w))
}

/// `首页 > 消费资讯 > 正文` → `消费资讯`.
fn breadcrumb_column(line: &str) -> Option<&str> {
    if !line.contains(['>', '»', '›']) {
        return None;
    }
    line.split(['>', '»', '›'])
        .map(|s| {
            s.trim()
                .trim_start_matches(['当', '前', '位', '置', ':'])
                .trim()
        })
        .rfind(|s| {
            !s.is_empty()
                && !matches!(*s, "正文" | "首页" | "内容" | "详情" | "文章")
                && !s.contains("位置")
        })
}

fn is_related_marker(line: &str) -> bool {
    [
        "相关",
        "延伸阅读",
        "推荐",
        "猜你喜欢",
        "More>>",
        "more>>",
        "更多",
        "热点",
        "热门",
        "精彩",
    ]
    .iter()
    .any(|m| line.contains(m))
}

fn is_headline_like(line: &str) -> bool {
    let chars = line.chars().count();
    (6..=60).contains(&chars) && !line.contains('。')
}

/// Removes bullets, trailing dates and hit counts from a related-reading item.
fn clean_headline(line: &str) -> Option<&str> {
    let mut h = line.trim_start_matches(BULLETS).trim();
    if let Some(found) = date::find_date(h, Some(2000))
        && h.len() - found.end <= 2
        && found.start > 0
    {
        h = h[..found.start]
            .trim_end_matches(['(', '[', '（', ' '])
            .trim();
    }
    (h.chars().count() >= 4).then_some(h)
}

fn push_unique(list: &mut Vec<String>, name: String) {
    if !list.contains(&name) {
        list.push(name);
    }
}

/// Credits gathered from the page, as slices of the simplified text until mapped back.
#[derive(Debug, Default)]
struct Fields<'s> {
    /// A date given with a label (发布时间:).
    keyed_date: Option<PageDate>,
    /// The date line of the header.
    header_date: Option<PageDate>,
    /// A date found only in the furniture after the article.
    late_date: Option<PageDate>,
    source: Option<&'s str>,
    /// Unlabelled text beside the date (`2003年09月22日08:32 新华网`).
    date_line_source: Option<&'s str>,
    /// A `(武汉晨报)` line closing the body.
    note_source: Option<&'s str>,
    /// The organisation of a dateline lead (`新华社北京…电`).
    lead_source: Option<&'s str>,
    /// The outlet a reprint notice names (`文章来源于某某日报`).
    reprint_source: Option<&'s str>,
    site: Option<String>,
    authors: Vec<String>,
    reporters: Vec<String>,
    editors: Vec<String>,
    /// Names signed off with `审核`: the editors when no editor is credited.
    reviewers: Vec<String>,
}

impl<'s> Fields<'s> {
    fn add(&mut self, role: Role, name: &str) {
        let list = match role {
            Role::Author => &mut self.authors,
            Role::Reporter => &mut self.reporters,
            Role::Editor => &mut self.editors,
            Role::Reviewer => &mut self.reviewers,
            Role::Source | Role::Date | Role::Other => return,
        };
        push_unique(list, name.to_string());
    }

    fn read(&mut self, aligned: &Aligned<'_>, line: &'s str, context_year: Option<u16>) {
        let credits = byline::credits(line);
        for credit in &credits {
            match credit.role {
                Role::Source => {
                    let value = strip_date(credit.value, context_year);
                    let value = value.strip_prefix('据').unwrap_or(value);
                    if !value.is_empty() && value.chars().count() <= 40 {
                        self.source.get_or_insert(value);
                    }
                }
                Role::Date => {
                    if let Some(found) = date::find_date(credit.value, context_year) {
                        self.keyed_date.get_or_insert(found.date);
                    }
                }
                Role::Other => {}
                role => {
                    let mut value = strip_date(credit.value, context_year);
                    if role == Role::Author {
                        value = byline::without_photographer(value);
                    }
                    for name in byline::names(value) {
                        self.add(role, aligned.original(name));
                    }
                }
            }
        }
        if self.header_date.is_none()
            && let Some(found) = date_line(line, context_year)
        {
            self.header_date = Some(found.date);
        }
    }
}

/// A short name of a news organisation: `新华网`, `武汉晨报`, `质量与认证`.
fn is_media_name(s: &str) -> bool {
    let chars = s.chars().count();
    (2..=16).contains(&chars)
        && s.chars().filter(|&c| super::is_han(c)).count() * 10 >= chars * 7
        && !s.contains(['。', ',', ':'])
}

/// `记者林冠廷/台北报导`, `本报记者 王某`: a short line crediting reporters.
fn is_reporter_line(line: &str) -> bool {
    line.chars().count() <= 30
        && ["记者", "本报记者", "特约记者", "通讯员"]
            .iter()
            .any(|r| line.starts_with(r))
        && !line.contains(['。', ','])
}

/// A `(武汉晨报)` or `(来源:新华社)` line closing the body.
fn is_source_note(line: &str) -> bool {
    let inner = trim_brackets(line);
    inner.len() < line.len()
        && is_media_name(inner)
        && ["报", "网", "社", "台", "新闻", "客户端"]
            .iter()
            .any(|m| inner.ends_with(m))
}

/// Cuts a date and whatever follows it off a credited value.
fn strip_date(value: &str, context_year: Option<u16>) -> &str {
    match date::find_date(value, context_year) {
        Some(found) => value[..found.start].trim(),
        None => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_flattened_page() {
        let text = "新闻中心\n地方新闻\n某市开展电梯安全专项检查\n2024-03-12 09:41  某某网\n\
                    本报讯(记者 王某 通讯员 李某)近日,某市市场监管局对全市电梯开展专项检查,共检查电梯1200台。\n\
                    检查发现问题隐患35处,已全部督促整改。\n\
                    来源:某某日报  编辑:赵六\n分享到:\n相关阅读\n·第一条相关新闻标题\n·第二条相关新闻(2024-03-01)\n";
        let page = read_page(text, Hints::default());
        assert_eq!(page.title.as_deref(), Some("某市开展电梯安全专项检查"));
        assert_eq!(
            page.published_at.unwrap().to_rfc3339(),
            "2024-03-12T09:41:00+08:00"
        );
        assert_eq!(page.site.as_deref(), Some("某某网"));
        assert_eq!(page.column.as_deref(), Some("新闻中心"));
        assert_eq!(page.source.as_deref(), Some("某某日报"));
        assert_eq!(page.reporters, vec!["王某", "李某"]);
        assert_eq!(page.editors, vec!["赵六"]);
        assert_eq!(
            page.related_headlines,
            vec!["第一条相关新闻标题", "第二条相关新闻"]
        );
        assert!(page.body.starts_with("本报讯"));
        assert!(page.body.ends_with("督促整改。"));
        assert!(page.body[page.lead_offset..].starts_with("近日"));
    }

    #[test]
    fn a_long_date_line_is_not_the_first_paragraph() {
        let text = "某市体育中心举行全民健身长跑活动\n\
                    http://sports.example.com.cn 2008年05月04日09:15 某某网 | |\n\
                    某某网某市5月3日电(记者顾望)3日上午,某市全民健身长跑活动在体育中心鸣枪起跑,近万名市民参加。\n";
        let page = read_page(text, Hints::default());
        assert_eq!(
            page.title.as_deref(),
            Some("某市体育中心举行全民健身长跑活动")
        );
        assert_eq!(
            page.published_at.unwrap().to_rfc3339(),
            "2008-05-04T09:15:00+08:00"
        );
        assert_eq!(page.source.as_deref(), Some("某某网"));
        assert_eq!(page.reporters, vec!["顾望"]);
    }

    #[test]
    fn banners_menus_and_spam_rows_are_not_the_article() {
        let text = "欢迎访问某某认证咨询有限公司网站!提供质量体系认证、产品认证、服务认证等咨询服务,欢迎来电。\n\
                    热门丨在线看丨免费下载丨高清丨最新章节丨\n\
                    要闻 原创 专题 评论 视频 图片 财经 体育 文化 本地\n\
                    首页 >> 资讯 >> 正文\n\
                    市场监管总局发布新版认证目录\n\
                    发布时间:2024-02-20 10:00\n\
                    近日,市场监管总局发布新版认证目录,共调整产品类别12个,自发布之日起施行。\n";
        let page = read_page(text, Hints::default());
        assert_eq!(page.title.as_deref(), Some("市场监管总局发布新版认证目录"));
        assert!(page.body.starts_with("近日"));
    }

    #[test]
    fn a_sign_off_names_the_editor_only_when_no_editor_is_credited() {
        let body =
            "某区市场监管局近日对辖区内32家农贸市场开展计量器具专项检查,共检定电子秤416台。\n";
        let with_editor =
            format!("某区开展计量器具专项检查\n2024-03-14 10:02\n{body}责任编辑:林雨 审核:周岚\n");
        assert_eq!(
            read_page(&with_editor, Hints::default()).editors,
            vec!["林雨"]
        );
        let sign_off_only =
            format!("某区开展计量器具专项检查\n2024-03-14 10:02\n{body}审核:周岚\n");
        assert_eq!(
            read_page(&sign_off_only, Hints::default()).editors,
            vec!["周岚"]
        );
    }

    #[test]
    fn a_header_line_with_a_credit_is_not_the_title() {
        let text = "2024年03月14日 星期四\n12 城事 本版编辑:林雨\n\
                    本报讯 近日,某区对辖区内32家农贸市场开展计量器具专项检查,共检定电子秤416台,合格率98%。\n";
        let page = read_page(text, Hints::default());
        assert_eq!(page.title, None);
        assert_eq!(page.editors, vec!["林雨"]);
    }

    #[test]
    fn a_lead_sentence_or_a_latin_tag_is_not_the_title() {
        let text = "近5万辆电动车被召回,快看有你的吗?\n发表于: 2024-01-08\n\
                    近日,某局发布召回公告\n涉及多个品牌。\n\
                    自2024年1月8日起,召回2021年至2023年生产的部分电动自行车,共计48000余辆。本次召回范围内的车辆电池存在安全隐患。\n";
        let page = read_page(text, Hints::default());
        assert_eq!(
            page.title.as_deref(),
            Some("近5万辆电动车被召回,快看有你的吗?")
        );
        let text = "【TECHNOW】随着新一代芯片相继发布,手机市场迎来新一轮旗舰机热潮,多家厂商宣布新机将于本月发布。";
        assert_eq!(read_page(text, Hints::default()).title, None);
    }

    #[test]
    fn reads_what_the_date_line_shows_beside_the_date() {
        let page = read_page(
            "某品牌 召回 Model Q 涉及十万部电动车\n| 陈家朗 | 08-05-2024 10:15 |\n\
             某品牌近日向监管部门备案召回计划,涉及十万部电动车,原因是部分车辆的制动软件存在缺陷,需要远程升级。\n",
            Hints::default(),
        );
        assert_eq!(
            page.title.as_deref(),
            Some("某品牌 召回 Model Q 涉及十万部电动车")
        );
        assert_eq!(page.authors, vec!["陈家朗"]);
        assert_eq!(page.source, None);
        assert_eq!(
            page.published_at.unwrap().to_rfc3339(),
            "2024-05-08T10:15:00+08:00"
        );
        // A column word glued to the source label.
        let page = read_page(
            "某市马拉松鸣枪开跑\n体育资讯来源:新华社 2024年04月14日 15:19 A-A+\n\
             新华网体育某市4月14日电 2024某市马拉松14日上午7:30鸣枪起跑,三万名跑者参赛。\n",
            Hints::default(),
        );
        assert_eq!(page.source.as_deref(), Some("新华社"));
    }

    #[test]
    fn reads_sources_from_notices_and_captions() {
        let text = "据媒体报道,某县一家酒店婚宴后多名宾客出现腹泻症状,当地已成立调查组。\n\
                    截至目前,所有患者均已痊愈。\n\
                    文章来源于南江晚报,如有侵权请联系删除。本文仅代表作者观点。\n";
        let page = read_page(text, Hints::default());
        assert_eq!(page.source.as_deref(), Some("南江晚报"));
        assert!(page.body.ends_with("痊愈。"));
        let text = "\n3月2日,游客在古镇游览,感受春日气息。\n\n\
                    3月2日,古镇河道两岸花开正盛。中新社记者 邬启明 摄\n";
        let page = read_page(text, Hints::default());
        assert_eq!(page.source.as_deref(), Some("中新社"));
        assert_eq!(page.reporters, vec!["邬启明"]);
    }

    #[test]
    fn the_pager_and_a_bracketed_heading_end_the_article() {
        let text = "某地开展春季消防检查\n2024-03-01\n\
                    近日,某地消防救援大队对辖区人员密集场所开展春季消防安全检查,共检查单位38家,督促整改隐患61处。\n\
                    【热门报道】\n·另一条新闻标题在这里\nPage 1 of 3\n";
        let page = read_page(text, Hints::default());
        assert!(page.body.ends_with("隐患61处。"));
        assert!(is_pager("第1页 共3页"));
        assert!(!is_pager("第一页的内容"));
    }

    #[test]
    fn plain_body_has_no_header() {
        let text = "日前,某公司向市场监管总局备案了召回计划,召回部分汽车共计1024辆。本次召回范围内的车辆存在安全隐患。";
        let page = read_page(text, Hints::default());
        assert_eq!(page.title, None);
        assert_eq!(page.published_at, None);
        assert_eq!(page.body, text);
    }
}
