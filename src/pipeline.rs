//! One article in, tags and metadata out: clean → read the page → simplify → segment once →
//! features → classify → metadata from the same tokens. Plain synchronous code.

use std::path::Path;
use std::sync::Arc;

use crate::error::Result;
use crate::features::{self, SparseVector};
use crate::metadata::{
    self, Metadata, fingerprint, keywords, organizations, places, quantities, summary,
};
use crate::model::{LabelScore, Model, ModelFile};
use crate::text::page::Hints;
use crate::text::segment::Token;
use crate::text::{self, Page, Script, Segmenter};

/// How the input text is encoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Text,
    Html,
}

/// Per-request switches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    pub include_body: bool,
}

/// An article after cleaning and page reading, before segmentation.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub page: Page,
    /// Title and body as printed: what is classified.
    pub text: String,
    /// `text` in simplified characters, byte for byte aligned with it.
    pub simplified: String,
    pub script: Script,
    /// Byte offset of the body in `text`.
    pub body_start: usize,
}

/// Cleans and reads an article: everything before segmentation.
pub fn prepare(raw: &str, format: Format) -> Prepared {
    let (flat, hints) = match format {
        Format::Text if !text::html::is_markup(raw) => (text::normalize(raw), Hints::default()),
        Format::Text | Format::Html => {
            let flat = text::html::flatten(raw);
            (text::normalize(&flat.text), flat.hints)
        }
    };
    let (page, converted) = text::page::read_page_converting(&flat, hints);
    let mut classified = String::with_capacity(page.body.len() + 128);
    if let Some(title) = &page.title {
        classified.push_str(title);
        classified.push('\n');
    }
    let body_start = classified.len();
    classified.push_str(&page.body);
    // Title and body are cut from the page, converted already when it had anything to convert;
    // only a title from the hints is new text.
    let (simplified, script) = match converted {
        None if page
            .title
            .as_deref()
            .is_some_and(text::script::needs_conversion) =>
        {
            text::simplify(&classified)
        }
        None => (classified.clone(), Script::Simplified),
        Some(converted) => {
            let mut simplified = String::with_capacity(classified.len());
            if let Some(title) = &page.title {
                match &converted.title {
                    Some(t) => simplified.push_str(t),
                    None => simplified.push_str(&text::script::to_simplified(title)),
                }
                simplified.push('\n');
            }
            simplified.push_str(&converted.body);
            let script = text::script::script_of(&classified, &simplified);
            (simplified, script)
        }
    };
    Prepared {
        page,
        text: classified,
        simplified,
        script,
        body_start,
    }
}

/// A label's score with the words behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelResult {
    pub label: String,
    pub score: f32,
    pub evidence: Vec<String>,
}

/// The answer for one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Labels at or above threshold, best first, with evidence.
    pub tags: Vec<LabelResult>,
    /// Every label's score in model order (no evidence).
    pub scores: Vec<LabelResult>,
    pub metadata: Metadata,
}

/// A model with the segmenter built from its user dictionary: what serves requests.
#[derive(Debug)]
pub struct Tagger {
    segmenter: Arc<Segmenter>,
    model: Model,
}

impl Tagger {
    /// Loads and validates a model file and builds its segmenter.
    pub fn load(path: &Path) -> Result<Self> {
        Self::new(Model::from_file(ModelFile::load(path)?))
    }

    pub fn new(model: Model) -> Result<Self> {
        let segmenter = Arc::new(Segmenter::new(&model.user_dict)?);
        let tagger = Self { segmenter, model };
        tagger.warm_up();
        Ok(tagger)
    }

    /// Builds the process's lazily built tables and regexes now, so that the first request does
    /// not pay for them.
    fn warm_up(&self) {
        text::script::warm_up();
        let page = "標題\n2023年9月25日 16:19 来源:本网\n本报讯(记者 张三)某某局发布《通知》,共3起。\n责任编辑:李四";
        self.tag(page, Format::Text, Options::default());
    }

    /// Loads a model file to replace `current`, keeping its segmenter when the user dictionary
    /// is the same: building jieba's dictionary is most of a reload's time and memory.
    pub fn reload(path: &Path, current: &Tagger) -> Result<Self> {
        let model = Model::from_file(ModelFile::load(path)?);
        if model.user_dict == current.model.user_dict {
            // The tables warm_up builds are the process's, built when `current` was.
            return Ok(Self {
                segmenter: current.segmenter.clone(),
                model,
            });
        }
        Self::new(model)
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// Tags one article: prepare, segment once, features, classify, then [`Tagger::analyse`].
    pub fn tag(&self, raw: &str, format: Format, options: Options) -> Analysis {
        let prepared = prepare(raw, format);
        let tokens = self.segmenter.segment(&prepared.simplified);
        let keys = features::token_keys(&tokens);
        let features = self.features(&prepared, &tokens, &keys);
        let scored = self.model.score(&features.vector, &features.passages);
        self.analyse(&prepared, &tokens, &keys, &scored, options)
    }

    /// The classifier's input: the article's term vector and, when the model scores passages,
    /// one vector per passage. `keys` are the tokens' [`features::token_keys`].
    pub fn features(&self, prepared: &Prepared, tokens: &[Token<'_>], keys: &[u64]) -> Features {
        let vocabulary = self.model.vocabulary();
        // Hits are looked up as they come: most terms are not in the vocabulary, and keeping
        // only the others saves writing and reading back a buffer twice the size.
        let mut located = Vec::with_capacity(tokens.len());
        features::terms_keyed(tokens, keys, vocabulary.kinds(), |hit| {
            located.extend(vocabulary.locate_one(hit))
        });
        let vector = vocabulary.vectorize_located(&located);
        let passages = if self.model.uses_passages() {
            features::split_located(
                &located,
                &features::passages(&prepared.text, prepared.body_start),
            )
            .iter()
            .map(|part| vocabulary.vectorize_located(part))
            .collect()
        } else {
            Vec::new()
        };
        Features { vector, passages }
    }

    /// Everything after scoring: the tags with their evidence, every label's score, and the
    /// metadata read from the page and the same tokens.
    pub fn analyse(
        &self,
        prepared: &Prepared,
        tokens: &[Token<'_>],
        keys: &[u64],
        scored: &[LabelScore],
        options: Options,
    ) -> Analysis {
        let text = &prepared.text;
        let mut tags: Vec<LabelResult> = scored
            .iter()
            .filter(|s| self.model.is_tagged(s))
            .map(|s| LabelResult {
                label: self.model.labels[s.label].clone(),
                score: s.score,
                evidence: s
                    .evidence
                    .iter()
                    .fold(Vec::new(), |mut words, &(start, end)| {
                        if let Some(word) = text.get(start..end)
                            && !words.iter().any(|w| w == word)
                        {
                            words.push(word.to_string());
                        }
                        words
                    }),
            })
            .collect();
        tags.sort_by(|a, b| b.score.total_cmp(&a.score));
        let scores = scored
            .iter()
            .map(|s| LabelResult {
                label: self.model.labels[s.label].clone(),
                score: s.score,
                evidence: Vec::new(),
            })
            .collect();
        Analysis {
            tags,
            scores,
            metadata: self.metadata(prepared, tokens, keys, options),
        }
    }

    fn metadata(
        &self,
        prepared: &Prepared,
        tokens: &[Token<'_>],
        keys: &[u64],
        options: Options,
    ) -> Metadata {
        let Prepared {
            page,
            text,
            simplified,
            script,
            body_start,
        } = prepared;
        let (script, body_start) = (*script, *body_start);
        // Tokens are in text order: the body's are a tail of them.
        let first = tokens.partition_point(|t| t.start < body_start);
        let (body_tokens, body_keys) = (&tokens[first..], &keys[first..]);
        let lead_start = body_start + page.lead_offset;
        let body = &text[body_start..];
        let lead = body.get(page.lead_offset..).unwrap_or(body);
        Metadata {
            title: page.title.clone().unwrap_or_default(),
            published_at: page
                .published_at
                .map(|d| d.to_rfc3339())
                .unwrap_or_default(),
            source: page.source.clone().unwrap_or_default(),
            authors: page.authors.clone(),
            reporters: page.reporters.clone(),
            editors: page.editors.clone(),
            site: page.site.clone().unwrap_or_default(),
            column: page.column.clone().unwrap_or_default(),
            organizations: organizations::organizations(body_tokens, text),
            locations: places::places(body_tokens, text, script),
            quantities: quantities::quantities(body_tokens, text, simplified, body_start),
            documents: metadata::documents::documents(body),
            keywords: keywords::keywords(body_tokens, body_keys, text, |key| {
                self.model.keyword_idf_by_key(key)
            }),
            summary: summary::summarize(lead),
            char_count: body.chars().count() as u32,
            // The lead credit (`本报讯(记者 X)`) differs between reposts of one story.
            fingerprint: fingerprint::simhash(
                body_tokens
                    .iter()
                    .zip(body_keys)
                    .filter(|(t, _)| t.start >= lead_start)
                    .map(|(t, &key)| (t.word, key)),
            ),
            body: options.include_body.then(|| body.to_string()),
            related_headlines: page.related_headlines.clone(),
            script: Some(script),
        }
    }
}

/// What the classifier reads from one article (see [`Tagger::features`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    pub vector: SparseVector,
    pub passages: Vec<SparseVector>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traditional_page_is_converted_as_a_whole_conversion_would() {
        let raw = "香港消委會發佈報告\n2024年3月5日 來源:本網\n消費者委員會今日公佈測試結果,多款產品質量不合格。\n相關新聞\n· 其他標題";
        let p = prepare(raw, Format::Text);
        assert_eq!(p.script, Script::Traditional);
        assert!(p.text.starts_with("香港消委會發佈報告\n"), "{}", p.text);
        assert_eq!(p.simplified, text::simplify(&p.text).0);
        assert_eq!(p.simplified.len(), p.text.len());
    }

    #[test]
    fn a_title_from_the_markup_is_converted_too() {
        let raw = "<html><head><title>消委會發佈報告</title></head><body><p>2024年3月5日</p>\
                   <p>今日公布测试结果,多款产品质量不合格,涉及多个品牌的电水壶和电饭煲。</p></body></html>";
        let p = prepare(raw, Format::Html);
        assert_eq!(p.simplified, text::simplify(&p.text).0, "{}", p.text);
    }
}
