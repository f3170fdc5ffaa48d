//! Keywords: the article's own words weighted by tf-idf against the training corpus.

use crate::features::KeyMap;
use crate::text::segment::Token;

/// How many keywords an article gets.
pub const COUNT: usize = 10;

/// Words that are frequent in news of every kind and say nothing about this article.
const DOMAIN_STOP_WORDS: &[&str] = &[
    "记者",
    "今年",
    "去年",
    "近日",
    "日前",
    "目前",
    "工作",
    "开展",
    "进行",
    "相关",
    "有关",
    "部门",
    "表示",
    "介绍",
    "情况",
    "问题",
    "方面",
    "一批",
    "进一步",
    "持续",
    "加强",
    "推动",
    "推进",
    "全面",
    "积极",
    "不断",
    "已经",
    "同时",
    "其中",
    "以及",
    "我们",
    "他们",
    "通过",
    "发现",
    "提升",
    "实现",
    "要求",
    "发布",
    "活动",
    "企业",
    "时间",
    "明确",
    "重点",
    "主要",
    "单位",
    "报道",
    "编辑",
    "来源",
    "作者",
    "责任编辑",
    "本报讯",
    "新华社",
    "据悉",
    "了解",
    "这些",
    "一些",
    "可以",
    "没有",
    "如何",
    "为了",
    "对于",
    "根据",
    "以上",
    "以下",
    "之一",
    "成为",
    "其他",
    "显示",
];

/// The keys of [`DOMAIN_STOP_WORDS`]: the tokens' keys are at hand, so no string is hashed.
static STOP_KEYS: std::sync::LazyLock<KeyMap<()>> = std::sync::LazyLock::new(|| {
    DOMAIN_STOP_WORDS
        .iter()
        .map(|w| (crate::features::unigram_key(w), ()))
        .collect()
});

/// The top [`COUNT`] content words of `tokens` by tf × idf, weights scaled so the best is 1.
/// `keys` are the tokens' [`unigram_key`](crate::features::unigram_key)s; `text` is the
/// original-script text the token offsets point into; `idf` gives a word's corpus IDF by key.
pub fn keywords(
    tokens: &[Token<'_>],
    keys: &[u64],
    text: &str,
    idf: impl Fn(u64) -> f32,
) -> Vec<(String, f32)> {
    // Sized for every token at once: growing the map rehashes it again and again.
    let mut counts: KeyMap<(u32, usize)> =
        KeyMap::with_capacity_and_hasher(tokens.len() / 2, Default::default());
    let mut order: Vec<(u64, &str, usize, usize)> = Vec::with_capacity(tokens.len() / 2);
    for (i, (t, &key)) in tokens.iter().zip(keys).enumerate() {
        let w = t.word;
        // Two or more Chinese characters and nothing else (every one is three bytes).
        if w.len() < 6 || !w.chars().all(crate::text::is_han) || STOP_KEYS.contains_key(&key) {
            continue;
        }
        let entry = counts.entry(key).or_insert((0, i));
        if entry.0 == 0 {
            order.push((key, w, t.start, t.end));
        }
        entry.0 += 1;
    }
    let mut scored: Vec<(f32, usize, &str, usize, usize)> = order
        .iter()
        .map(|&(key, w, start, end)| {
            let (n, first) = counts[&key];
            let tf = 1.0 + (n as f32).ln();
            (tf * idf(key), first, w, start, end)
        })
        .collect();
    // Best first, ties in order of first mention: a total order, so only the top needs sorting.
    let order = |a: &(f32, usize, &str, usize, usize), b: &(f32, usize, &str, usize, usize)| {
        b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
    };
    if scored.len() > COUNT {
        scored.select_nth_unstable_by(COUNT - 1, order);
        scored.truncate(COUNT);
    }
    scored.sort_unstable_by(order);
    let top = scored.first().map_or(1.0, |s| s.0.max(f32::MIN_POSITIVE));
    scored
        .into_iter()
        .map(|(score, _, w, start, end)| {
            let printed = text.get(start..end).unwrap_or(w);
            (printed.to_string(), (score / top * 1000.0).round() / 1000.0)
        })
        .collect()
}
