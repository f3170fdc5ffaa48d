//! newstag: topic tags and metadata for Chinese news articles, served over gRPC.
//!
//! The path of one article is [`pipeline::Tagger::tag`]; the gRPC edge is [`service`] and
//! [`server`]; training and evaluation are [`train`] and [`eval`].

pub mod auth;
pub mod batch;
pub mod convert;
pub mod corpus;
pub mod deadline;
pub mod error;
pub mod eval;
pub mod eval_meta;
pub mod features;
pub mod json;
pub mod metadata;
pub mod metrics;
pub mod model;
pub mod parallel;
pub mod pipeline;
pub mod pool;
pub mod server;
pub mod service;
pub mod text;
pub mod tls;
pub mod train;

/// Generated protobuf types, the tonic client and server, and the descriptor set.
///
/// Calling a running server with the generated client:
///
/// ```no_run
/// use newstag::pb::{TagRequest, tagger_client::TaggerClient};
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut client = TaggerClient::connect("http://127.0.0.1:50051").await?;
/// let request = TagRequest {
///     id: "a1".into(),
///     text: "国家市场监管总局发布召回公告,某公司召回部分电动自行车。".into(),
///     ..Default::default()
/// };
/// let response = client.tag(request).await?.into_inner();
/// for tag in &response.tags {
///     println!("{} {:.2} {:?}", tag.label, tag.score, tag.evidence);
/// }
/// println!("{}", newstag::json::print_response(&response, false));
/// # Ok(())
/// # }
/// ```
pub mod pb {
    #![allow(missing_docs, clippy::all, missing_debug_implementations)]
    tonic::include_proto!("newstag.v1");

    /// Encoded `FileDescriptorSet` of the API, for reflection and JSON transcoding.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/newstag_descriptor.bin"));
}

pub use error::{Error, Result};
