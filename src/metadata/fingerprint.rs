//! 64-bit SimHash of an article body, for near-duplicate detection across reposts.

use crate::text::segment::Token;

/// SimHash over the body's content words (two or more characters, with a Chinese character),
/// each counted once per occurrence. Punctuation, numbers and single characters carry little
/// signal and make reposts drift apart. Reposts with other furniture, bylines and small edits
/// land within a few bits; unrelated stories are ~32 bits apart.
pub fn simhash<'a>(tokens: impl Iterator<Item = Token<'a>>) -> u64 {
    let mut counts = [0i32; 64];
    let mut any = false;
    for word in tokens
        .map(|t| t.word)
        .filter(|w| w.chars().count() >= 2 && w.chars().any(crate::text::is_han))
    {
        any = true;
        let hash = hash64(word.as_bytes(), 0);
        for (bit, count) in counts.iter_mut().enumerate() {
            if hash >> bit & 1 == 1 {
                *count += 1;
            } else {
                *count -= 1;
            }
        }
    }
    if !any {
        return 0;
    }
    counts.iter().enumerate().fold(
        0u64,
        |acc, (bit, &c)| if c > 0 { acc | 1 << bit } else { acc },
    )
}

/// Number of differing bits between two fingerprints.
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// FNV-1a followed by a 64-bit finaliser (stable across platforms and releases).
pub fn hash64(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}
