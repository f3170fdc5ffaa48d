//! newstag: topic tags and metadata for Chinese news articles, served over gRPC.
//!
//! The path of one article is [`pipeline::Tagger::tag`]; the gRPC edge is [`service`] and
//! [`server`]; training and evaluation are [`train`] and [`eval`].

pub mod batch;
pub mod convert;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod eval_meta;
pub mod features;
pub mod json;
pub mod metadata;
pub mod model;
pub mod parallel;
pub mod pipeline;
pub mod server;
pub mod service;
pub mod text;
pub mod train;

/// Generated protobuf types, the tonic client and server, and the descriptor set.
pub mod pb {
    #![allow(missing_docs, clippy::all, missing_debug_implementations)]
    tonic::include_proto!("newstag.v1");

    /// Encoded `FileDescriptorSet` of the API, for reflection and JSON transcoding.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/newstag_descriptor.bin"));
}

pub use error::{Error, Result};
