//! Metadata of an article: bylines, outlets, dates, organisations, places, quantities, documents,
//! keywords, summary and fingerprint.

pub mod byline;
pub mod date;
pub mod documents;
pub mod fingerprint;
pub mod keywords;
pub mod mentions;
pub mod organizations;
pub mod outlet;
pub mod places;
pub mod quantities;
pub mod summary;

pub use quantities::Quantity;

use crate::text::Script;

/// Everything read from one article. Names and titles are as printed (original script).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub title: String,
    pub published_at: String,
    pub source: String,
    pub authors: Vec<String>,
    pub reporters: Vec<String>,
    pub editors: Vec<String>,
    pub site: String,
    pub column: String,
    /// Organisations named in the body, most mentioned first.
    pub organizations: Vec<String>,
    /// Places named in the body, most mentioned first.
    pub locations: Vec<String>,
    /// Amounts in the body, in order of appearance.
    pub quantities: Vec<Quantity>,
    pub documents: Vec<String>,
    pub keywords: Vec<(String, f32)>,
    pub summary: String,
    /// The cleaned body, when asked for.
    pub body: Option<String>,
    pub related_headlines: Vec<String>,
    pub script: Option<Script>,
    pub char_count: u32,
    pub fingerprint: u64,
}
