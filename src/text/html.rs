//! HTML pages: drops scripts, styles, navigation and comments, finds the main content by text
//! and link density (as readability-style extractors do), reads `<title>`, `<meta>` and `<time>`,
//! and flattens the result to text lines for the same pipeline as plain text.

use rustc_hash::FxHashMap;

use ego_tree::{NodeId, NodeRef};
use scraper::{ElementRef, Html, Node, Selector};

use super::page::Hints;
use crate::metadata::date;

/// Elements whose content is never article text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "nav", "footer", "aside",
    "form", "button", "select", "input", "textarea", "head", "object", "embed", "video", "audio",
];

/// Elements that start a new line when flattened.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "section",
    "article",
    "main",
    "header",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "figcaption",
    "hr",
    "td",
    "center",
];

/// A flattened HTML page.
#[derive(Debug, Clone, Default)]
pub struct FlatPage {
    /// Headline, date line and main content, one block per line.
    pub text: String,
    pub hints: Hints,
}

/// Whether text handed in as plain text is a saved page's markup (`<?xml …`, `<!DOCTYPE html>`,
/// `<html>`, WAP's `<wml>`): crawlers often store the raw page where the text belongs.
pub fn is_markup(text: &str) -> bool {
    let head = text
        .trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
        .as_bytes();
    ["<?xml", "<!doctype", "<html", "<wml"].iter().any(|p| {
        head.get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p.as_bytes()))
    })
}

/// Flattens an HTML document to lines of text and metadata hints.
pub fn flatten(html: &str) -> FlatPage {
    let doc = Html::parse_document(html);
    let mut hints = Hints::default();

    let meta = |attr: &str, name: &str| -> Option<String> {
        let sel = Selector::parse(&format!("meta[{attr}=\"{name}\"]")).ok()?;
        doc.select(&sel)
            .find_map(|m| m.value().attr("content"))
            // A value is one line, however the attribute was wrapped (or left unclosed).
            .map(|c| super::normalize(collapse(c).trim()))
            .filter(|c| !c.is_empty())
    };
    let first_text = |css: &str| -> Option<String> {
        let sel = Selector::parse(css).ok()?;
        doc.select(&sel)
            .map(|e| super::normalize(collapse(&e.text().collect::<String>()).trim()))
            .find(|t| !t.is_empty())
    };

    let site = meta("property", "og:site_name")
        .or_else(|| meta("name", "SiteName"))
        .or_else(|| meta("name", "application-name"));
    let og_title = meta("property", "og:title")
        .or_else(|| meta("name", "ArticleTitle"))
        .or_else(|| meta("name", "twitter:title"));
    let h1 = first_text("h1");
    let doc_title = first_text("title").map(|t| strip_site_suffix(&t, site.as_deref()));
    hints.title = best_title(h1, og_title, doc_title);
    hints.site = site;
    hints.column = meta("name", "ColumnName");
    hints.authors = meta("name", "author")
        .map(|a| {
            crate::metadata::byline::names(&a)
                .into_iter()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let published = meta("property", "article:published_time")
        .or_else(|| meta("name", "PubDate"))
        .or_else(|| meta("name", "pubdate"))
        .or_else(|| meta("name", "publishdate"))
        .or_else(|| meta("itemprop", "datePublished"))
        .or_else(|| {
            let sel = Selector::parse("time[datetime]").ok()?;
            doc.select(&sel)
                .find_map(|t| t.value().attr("datetime").map(str::to_string))
        });
    hints.published_at = published.and_then(|p| date::find_date(&p, None).map(|m| m.date));

    // The whole page is flattened, so the text reader sees the date, byline and related-reading
    // lines around the article as it would on a flattened page; link-dense blocks before the
    // main content (menus that are not in <nav>) are dropped.
    let root = doc.root_element();
    let tree = Tree::new(root);
    let content = tree.main_content(root);
    let mut walk = Walk {
        tree,
        content,
        seen_content: false,
        out: String::new(),
    };
    walk.flatten(root);
    let mut lines = String::new();
    for line in walk.out.lines().map(str::trim).filter(|l| !l.is_empty()) {
        lines.push_str(line);
        lines.push('\n');
    }
    FlatPage { text: lines, hints }
}

/// Picks the headline: `<h1>` when it agrees with og:title or `<title>`, else the og:title,
/// else `<title>` minus the site suffix, else `<h1>`.
fn best_title(h1: Option<String>, og: Option<String>, title: Option<String>) -> Option<String> {
    let agrees = |h: &str, other: &Option<String>| {
        other
            .as_deref()
            .is_some_and(|o| o.contains(h) || h.contains(o))
    };
    match h1 {
        Some(h) if h.chars().count() >= 4 && (agrees(&h, &og) || agrees(&h, &title)) => Some(h),
        h1 => og.or(title).or(h1),
    }
}

/// `标题_杭州网`, `标题 - 新华网`, `标题|频道|站点` → `标题`.
fn strip_site_suffix(title: &str, site: Option<&str>) -> String {
    let mut t = title.trim();
    if let Some(site) = site
        && let Some(stripped) = t.strip_suffix(site)
    {
        t = stripped.trim_end_matches(['_', '-', '|', '—', ' ', '丨']);
    }
    for sep in ["_", " - ", " | ", "|", " — ", "——", "-"] {
        if let Some(at) = t.find(sep)
            && t[..at].chars().count() >= 5
        {
            t = &t[..at];
            break;
        }
    }
    t.trim().to_string()
}

fn skipped(el: &ElementRef<'_>) -> bool {
    let v = el.value();
    if SKIPPED.contains(&v.name()) {
        return true;
    }
    let marker = format!(
        "{} {}",
        v.attr("class").unwrap_or_default(),
        v.attr("id").unwrap_or_default()
    )
    .to_ascii_lowercase();
    [
        "comment",
        "share",
        "sidebar",
        "breadcrumb",
        "advert",
        "footer",
        "menu",
        "login",
        "toolbar",
    ]
    .iter()
    .any(|m| marker.contains(m))
        && !["article", "content", "main"]
            .iter()
            .any(|m| marker.contains(m))
}

/// What the content finder needs to know of every element, computed once per page.
#[derive(Debug, Clone, Copy, Default)]
struct Figures {
    /// Characters of text inside, not counting skipped elements.
    text: usize,
    /// Of those, characters inside links.
    link_text: usize,
    /// `<a>` elements inside (skipped ones too).
    anchors: usize,
    /// The element itself is never content ([`skipped`]).
    skipped: bool,
    /// Some ancestor is never content.
    under_skipped: bool,
}

/// [`Figures`] for every element under `root`, in one pass without recursion: nesting depth
/// is the client's choice, and the thread stack is not.
struct Tree(FxHashMap<NodeId, Figures>);

impl Tree {
    fn new(root: ElementRef<'_>) -> Self {
        let mut figures: FxHashMap<NodeId, Figures> = FxHashMap::default();
        // (node, under a skipped element, children done)
        let mut stack = vec![(*root, false, false)];
        while let Some((node, under_skipped, children_done)) = stack.pop() {
            if !node.value().is_element() {
                continue;
            }
            if !children_done {
                let own = ElementRef::wrap(node).is_some_and(|e| skipped(&e));
                figures.insert(
                    node.id(),
                    Figures {
                        skipped: own,
                        under_skipped,
                        ..Figures::default()
                    },
                );
                stack.push((node, under_skipped, true));
                for child in node.children() {
                    stack.push((child, under_skipped || own, false));
                }
                continue;
            }
            let mut sum = figures[&node.id()];
            for child in node.children() {
                match child.value() {
                    Node::Text(t) => sum.text += t.trim().chars().count(),
                    Node::Element(e) => {
                        let c = figures[&child.id()];
                        let is_anchor = e.name() == "a";
                        sum.anchors += c.anchors + usize::from(is_anchor);
                        if c.skipped {
                            continue;
                        }
                        sum.text += c.text;
                        sum.link_text += if is_anchor { c.text } else { c.link_text };
                    }
                    _ => {}
                }
            }
            figures.insert(node.id(), sum);
        }
        Self(figures)
    }

    fn get(&self, el: ElementRef<'_>) -> Figures {
        self.0.get(&el.id()).copied().unwrap_or_default()
    }

    /// The container with the most paragraph text, discounted by link density.
    fn main_content<'a>(&self, root: ElementRef<'a>) -> Option<ElementRef<'a>> {
        let sel = Selector::parse("article, main, div, section, td").ok()?;
        let mut best: Option<(f64, ElementRef<'a>)> = None;
        for el in root.select(&sel) {
            let figures = self.get(el);
            if figures.skipped || figures.under_skipped {
                continue;
            }
            // Direct paragraph-like children carry the score, so the tightest container wins.
            let mut score = 0.0;
            for child in el.children().filter_map(ElementRef::wrap) {
                let name = child.value().name();
                let paragraph = matches!(
                    name,
                    "p" | "br" | "span" | "font" | "strong" | "h2" | "h3"
                ) || name == "div"
                    && child.children().all(|c| {
                        !matches!(c.value(), Node::Element(e) if BLOCKS.contains(&e.name()) && e.name() != "br")
                    });
                if paragraph {
                    let c = self.get(child);
                    let (t, l) = if c.skipped {
                        (0, 0)
                    } else {
                        (c.text, c.link_text)
                    };
                    score += t as f64 - 2.0 * l as f64;
                }
            }
            for text in el.children().filter_map(|c| c.value().as_text()) {
                score += text.trim().chars().count() as f64;
            }
            if figures.text == 0 {
                continue;
            }
            let density = figures.link_text as f64 / figures.text as f64;
            let score = score * (1.0 - density);
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((score, el));
            }
        }
        best.filter(|(s, _)| *s >= 20.0).map(|(_, e)| e)
    }

    /// A block of at least four links that is mostly link text: a menu or link list.
    fn is_menu(&self, el: ElementRef<'_>) -> bool {
        if !matches!(
            el.value().name(),
            "div" | "ul" | "ol" | "table" | "section" | "p" | "td"
        ) {
            return false;
        }
        let f = self.get(el);
        f.anchors >= 4 && f.text > 0 && f.link_text * 10 >= f.text * 6
    }
}

/// One step of the flattening walk.
enum Step<'a> {
    Visit(NodeRef<'a, Node>),
    Leave { block: bool, is_content: bool },
}

/// A pre-order walk that flattens elements to lines, with its own stack.
struct Walk<'a> {
    tree: Tree,
    content: Option<ElementRef<'a>>,
    seen_content: bool,
    out: String,
}

impl<'a> Walk<'a> {
    fn flatten(&mut self, root: ElementRef<'a>) {
        let mut stack: Vec<Step<'a>> = root.children().rev().map(Step::Visit).collect();
        while let Some(step) = stack.pop() {
            let child = match step {
                Step::Leave { block, is_content } => {
                    if is_content {
                        self.seen_content = true;
                    }
                    if block && !self.out.ends_with('\n') {
                        self.out.push('\n');
                    }
                    continue;
                }
                Step::Visit(child) => child,
            };
            match child.value() {
                Node::Text(t) => self.out.push_str(&collapse(t)),
                Node::Element(e) => {
                    let Some(child_el) = ElementRef::wrap(child) else {
                        continue;
                    };
                    if self.tree.get(child_el).skipped {
                        continue;
                    }
                    let is_content = Some(child_el) == self.content;
                    if !self.seen_content && !is_content && self.tree.is_menu(child_el) {
                        continue;
                    }
                    let block = BLOCKS.contains(&e.name());
                    if block && !self.out.ends_with('\n') {
                        self.out.push('\n');
                    }
                    stack.push(Step::Leave { block, is_content });
                    stack.extend(child.children().rev().map(Step::Visit));
                }
                _ => {}
            }
        }
    }
}

/// HTML whitespace rules: runs of whitespace become one space.
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() && c != '\u{3000}' && c != '\u{00A0}' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_markup_from_text() {
        assert!(is_markup(
            "\u{FEFF}<!DOCTYPE html><html><body>正文</body></html>"
        ));
        assert!(is_markup(
            "  <?xml version=\"1.0\"?><wml><card title=\"标题\"></card></wml>"
        ));
        assert!(is_markup("<HTML><p>正文</p></HTML>"));
        assert!(!is_markup("<标题>某市开展电梯检查"));
        assert!(!is_markup("某市开展电梯检查 <b>"));
        assert!(!is_markup("<h"));
    }

    #[test]
    fn meta_values_are_one_line() {
        // A wrapped attribute, and one left unclosed that runs into the body.
        let html = "<html><head><meta property=\"og:title\" content=\"某市开展\n电梯检查\">\
                    <meta name=\"author\" content=\"王某\n李某</head><body><p>正文</p></body></html>";
        let page = flatten(html);
        assert_eq!(page.hints.title.as_deref(), Some("某市开展 电梯检查"));
        assert!(page.hints.authors.iter().all(|a| !a.contains('\n')));
    }

    #[test]
    fn reads_main_content_and_meta() {
        let html = r#"<html><head><title>某市开展电梯检查_某某网</title>
            <meta property="og:site_name" content="某某网">
            <meta property="article:published_time" content="2024-03-12T09:41:00+08:00">
            <script>var x = "不是正文";</script></head>
            <body><nav><a href="/">首页</a><a href="/n">新闻</a></nav>
            <h1>某市开展电梯检查</h1><div class="info">来源:某某日报 作者:王某</div>
            <div class="content"><p>近日,某市市场监管局对全市电梯开展专项检查,共检查电梯1200台,发现隐患35处。</p>
            <p>检查发现的问题已全部督促整改到位,下一步将持续加强特种设备安全监管。</p></div>
            <div class="comment">网友评论:写得好</div><footer>版权所有</footer></body></html>"#;
        let page = flatten(html);
        assert_eq!(page.hints.title.as_deref(), Some("某市开展电梯检查"));
        assert_eq!(page.hints.site.as_deref(), Some("某某网"));
        assert_eq!(
            page.hints.published_at.unwrap().to_rfc3339(),
            "2024-03-12T09:41:00+08:00"
        );
        assert!(page.text.contains("来源:某某日报"), "{}", page.text);
        assert!(page.text.contains("督促整改到位"));
        for junk in ["不是正文", "网友评论", "版权所有", "首页"] {
            assert!(!page.text.contains(junk), "{junk} in {}", page.text);
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack_or_take_long() {
        // 9,000 nested `<b>` (27 KB, well inside the 1 MiB request limit) overflowed a 2 MiB
        // thread stack, the size of tokio's blocking threads and of this test's thread, while
        // the page was walked recursively; nested `<div>`s were also rescanned per ancestor.
        let html = format!("{}近日,某市开展电梯检查。", "<b>".repeat(100_000));
        assert_eq!(flatten(&html).text, "近日,某市开展电梯检查。\n");
        let html = format!("{}<p>近日,某市开展电梯检查。</p>", "<span>".repeat(20_000));
        assert!(flatten(&html).text.contains("电梯检查"));
        let html = format!("{}<p>近日,某市开展电梯检查。</p>", "<div>".repeat(20_000));
        assert!(flatten(&html).text.contains("电梯检查"));
    }
}
