//! Text cleaning: normalisation, script handling, page structure, HTML and segmentation.

pub mod html;
pub mod normalize;
pub mod page;
pub mod script;
pub mod segment;

pub use normalize::normalize;
pub use page::{Page, read_page};
pub use script::{Script, simplify};
pub use segment::Segmenter;

/// Whether `c` is a CJK ideograph (the characters Chinese words are made of).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x3007)
}
