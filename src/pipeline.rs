//! One article in, tags and metadata out: clean → read the page → simplify → segment once →
//! features → classify → metadata from the same tokens. Plain synchronous code.

use std::path::Path;
use std::sync::Arc;

use crate::error::Result;
use crate::features::{self, SparseVector};
use crate::metadata::{
    self, Metadata, fingerprint, keywords, organizations, places, quantities, summary,
};
use crate::model::{Model, ModelFile};
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
    let page = text::read_page(&flat, hints);
    let mut classified = String::with_capacity(page.body.len() + 128);
    if let Some(title) = &page.title {
        classified.push_str(title);
        classified.push('\n');
    }
    let body_start = classified.len();
    classified.push_str(&page.body);
    let (simplified, script) = text::simplify(&classified);
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
        Ok(Self { segmenter, model })
    }

    /// Loads a model file to replace `current`, keeping its segmenter when the user dictionary
    /// is the same: building jieba's dictionary is most of a reload's time and memory.
    pub fn reload(path: &Path, current: &Tagger) -> Result<Self> {
        let model = Model::from_file(ModelFile::load(path)?);
        if model.user_dict == current.model.user_dict {
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

    /// Tags one article.
    pub fn tag(&self, raw: &str, format: Format, options: Options) -> Analysis {
        let Prepared {
            page,
            text,
            simplified,
            script,
            body_start,
        } = prepare(raw, format);
        let tokens = self.segmenter.segment(&simplified);
        let vocabulary = self.model.vocabulary();
        let mut hits = Vec::with_capacity(tokens.len() * 2);
        features::terms(&tokens, vocabulary.kinds(), |hit| hits.push(hit));
        let vector = vocabulary.vectorize_hits(&hits);
        let passages: Vec<SparseVector> = if self.model.uses_passages() {
            features::split_hits(&hits, &features::passages(&text, body_start))
                .iter()
                .map(|part| vocabulary.vectorize_hits(part))
                .collect()
        } else {
            Vec::new()
        };
        let scored = self.model.score(&vector, &passages);

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
        let metadata = self.metadata(
            page,
            &text,
            &simplified,
            body_start,
            script,
            &tokens,
            options,
        );
        Analysis {
            tags,
            scores,
            metadata,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn metadata(
        &self,
        page: Page,
        text: &str,
        simplified: &str,
        body_start: usize,
        script: Script,
        tokens: &[Token<'_>],
        options: Options,
    ) -> Metadata {
        let body_tokens: Vec<Token<'_>> = tokens
            .iter()
            .copied()
            .filter(|t| t.start >= body_start)
            .collect();
        let body = &text[body_start..];
        let lead = body.get(page.lead_offset..).unwrap_or(body);
        Metadata {
            title: page.title.unwrap_or_default(),
            published_at: page
                .published_at
                .map(|d| d.to_rfc3339())
                .unwrap_or_default(),
            source: page.source.unwrap_or_default(),
            authors: page.authors,
            reporters: page.reporters,
            editors: page.editors,
            site: page.site.unwrap_or_default(),
            column: page.column.unwrap_or_default(),
            organizations: organizations::organizations(&body_tokens, text),
            locations: places::places(&body_tokens, text, script),
            quantities: quantities::quantities(&body_tokens, text, simplified, body_start),
            documents: metadata::documents::documents(body),
            keywords: keywords::keywords(&body_tokens, text, |w| self.model.keyword_idf(w)),
            summary: summary::summarize(lead),
            char_count: body.chars().count() as u32,
            // The lead credit (`本报讯(记者 X)`) differs between reposts of one story.
            fingerprint: fingerprint::simhash(
                body_tokens
                    .iter()
                    .filter(|t| t.start >= body_start + page.lead_offset)
                    .map(|t| t.word),
            ),
            body: options.include_body.then(|| body.to_string()),
            related_headlines: page.related_headlines,
            script: Some(script),
        }
    }
}
