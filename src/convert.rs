//! The only bridge between protobuf types and domain types: request validation on the way in,
//! analysis to response on the way out.

use crate::error::{Error, Result};
use crate::metadata::Metadata;
use crate::model::Model;
use crate::pb;
use crate::pipeline::{Analysis, Format, LabelResult, Options};

/// A validated article request.
#[derive(Debug, Clone)]
pub struct Article {
    pub id: String,
    pub text: String,
    pub format: Format,
    pub options: Options,
    pub include_scores: bool,
}

/// Validates a request against the text limit: text present, not blank, within `max_text_bytes`,
/// format known.
pub fn article(request: pb::TagRequest, max_text_bytes: usize) -> Result<Article> {
    if request.text.len() > max_text_bytes {
        return Err(Error::TooLarge {
            what: "text",
            actual: request.text.len(),
            limit: max_text_bytes,
        });
    }
    if request.text.trim().is_empty() {
        return Err(Error::invalid(
            "text",
            "must not be empty or whitespace only",
        ));
    }
    let format = match pb::Format::try_from(request.format) {
        Ok(pb::Format::Unspecified | pb::Format::Text) => Format::Text,
        Ok(pb::Format::Html) => Format::Html,
        Err(_) => {
            return Err(Error::invalid(
                "format",
                format!("unknown value {}", request.format),
            ));
        }
    };
    Ok(Article {
        id: request.id,
        text: request.text,
        format,
        options: Options {
            include_body: request.include_body,
        },
        include_scores: request.include_scores,
    })
}

/// The response for an analysed article.
pub fn response(
    id: String,
    analysis: Analysis,
    include_scores: bool,
    model: &Model,
) -> pb::TagResponse {
    pb::TagResponse {
        id,
        tags: analysis.tags.into_iter().map(tag).collect(),
        scores: if include_scores {
            analysis.scores.into_iter().map(tag).collect()
        } else {
            Vec::new()
        },
        metadata: Some(metadata(analysis.metadata)),
        model_version: model.version.clone(),
        error: None,
    }
}

/// The response for a batch or stream item that failed.
pub fn error_response(id: String, error: &Error, model_version: &str) -> pb::TagResponse {
    pb::TagResponse {
        id,
        model_version: model_version.to_string(),
        error: Some(pb::Error {
            code: error.code() as i32,
            message: error.to_string(),
        }),
        ..Default::default()
    }
}

fn tag(label: LabelResult) -> pb::Tag {
    pb::Tag {
        label: label.label,
        score: label.score,
        evidence: label.evidence,
    }
}

fn metadata(m: Metadata) -> pb::Metadata {
    pb::Metadata {
        title: m.title,
        published_at: m.published_at,
        source: m.source,
        authors: m.authors,
        reporters: m.reporters,
        editors: m.editors,
        site: m.site,
        column: m.column,
        organizations: m.organizations,
        locations: m.locations,
        quantities: m
            .quantities
            .into_iter()
            .map(|q| pb::Quantity {
                value: q.value,
                unit: q.unit,
                subject: q.subject,
                text: q.text,
            })
            .collect(),
        documents: m.documents,
        keywords: m
            .keywords
            .into_iter()
            .map(|(word, weight)| pb::Keyword { word, weight })
            .collect(),
        summary: m.summary,
        body: m.body.unwrap_or_default(),
        related_headlines: m.related_headlines,
        script: m.script.map(|s| s.as_str().to_string()).unwrap_or_default(),
        char_count: m.char_count,
        fingerprint: m.fingerprint,
    }
}

/// The description of a served model.
pub fn model_info(model: &Model) -> pb::ModelInfo {
    pb::ModelInfo {
        version: model.version.clone(),
        labels: model.labels.clone(),
        thresholds: model
            .labels
            .iter()
            .cloned()
            .zip(model.thresholds.iter().copied())
            .collect(),
        trained_at: model.trained_at.clone(),
        metrics_json: model.metrics_json.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(text: &str) -> pb::TagRequest {
        pb::TagRequest {
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn rejects_blank_and_oversized_text() {
        let e = article(req(" \n\t"), 100).unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument);
        assert!(e.to_string().starts_with("text:"), "{e}");
        let e = article(req(&"字".repeat(50)), 100).unwrap_err();
        assert_eq!(e.code(), tonic::Code::InvalidArgument);
        assert_eq!(e.to_string(), "text is 150 bytes but the limit is 100");
        let mut r = req("正文");
        r.format = 9;
        assert!(article(r, 100).unwrap_err().to_string().contains("format"));
        assert!(article(req("正文"), 100).is_ok());
    }
}
