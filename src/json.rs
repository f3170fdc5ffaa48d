//! Protobuf JSON mapping of the API messages (the form grpcurl reads and prints), through the
//! embedded descriptor set.

use std::sync::LazyLock;

use prost::Message;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, SerializeOptions};

use crate::error::{Error, Result};
use crate::pb;

static POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    DescriptorPool::decode(pb::FILE_DESCRIPTOR_SET).expect("the embedded descriptor set is valid")
});

fn descriptor(name: &str) -> MessageDescriptor {
    POOL.get_message_by_name(name)
        .unwrap_or_else(|| panic!("{name} is in the descriptor set"))
}

/// Parses one `TagRequest` in JSON form (`{"id": "…", "text": "…", "format": "FORMAT_HTML"}`;
/// camelCase or proto field names).
pub fn parse_request(line: &str) -> Result<pb::TagRequest> {
    let mut de = serde_json::Deserializer::from_str(line);
    let dynamic = DynamicMessage::deserialize(descriptor("newstag.v1.TagRequest"), &mut de)
        .map_err(|e| Error::invalid("line", format!("not a TagRequest: {e}")))?;
    de.end()
        .map_err(|e| Error::invalid("line", format!("trailing characters: {e}")))?;
    dynamic
        .transcode_to::<pb::TagRequest>()
        .map_err(|e| Error::Internal(format!("transcoding TagRequest: {e}")))
}

/// Prints a `TagResponse` as one line of JSON, camelCase, like grpcurl; `emit_defaults` keeps
/// empty lists, zero scores and empty strings (grpcurl's `-emit-defaults`).
pub fn print_response(response: &pb::TagResponse, emit_defaults: bool) -> String {
    print(response, "newstag.v1.TagResponse", emit_defaults)
}

/// Prints any API message by its full name.
pub fn print(message: &impl Message, name: &str, emit_defaults: bool) -> String {
    let mut dynamic = DynamicMessage::new(descriptor(name));
    dynamic
        .transcode_from(message)
        .expect("a generated message transcodes to its own descriptor");
    let options = SerializeOptions::new().skip_default_fields(!emit_defaults);
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::new(&mut out);
    dynamic
        .serialize_with_options(&mut ser, &options)
        .expect("serialising to memory cannot fail");
    String::from_utf8(out).expect("JSON is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_field_spellings_and_enum_names() {
        let r =
            parse_request(r#"{"id":"a","text":"正文","format":"FORMAT_HTML","includeBody":true}"#)
                .unwrap();
        assert_eq!(r.format, pb::Format::Html as i32);
        assert!(r.include_body);
        let r = parse_request(r#"{"id":"b","text":"x","include_scores":true}"#).unwrap();
        assert!(r.include_scores);
        assert!(parse_request(r#"{"id": 5,"#).is_err());
        assert!(parse_request(r#"{"nope":1}"#).is_err());
    }

    #[test]
    fn prints_camel_case_with_optional_defaults() {
        let response = pb::TagResponse {
            id: "x".into(),
            model_version: "v".into(),
            metadata: Some(pb::Metadata {
                published_at: "2023-09-25".into(),
                fingerprint: 5,
                ..Default::default()
            }),
            ..Default::default()
        };
        let short = print_response(&response, false);
        assert!(short.contains(r#""publishedAt":"2023-09-25""#), "{short}");
        assert!(short.contains(r#""fingerprint":"5""#), "{short}");
        assert!(!short.contains("tags"), "{short}");
        let full = print_response(&response, true);
        assert!(full.contains(r#""tags":[]"#), "{full}");
    }
}
