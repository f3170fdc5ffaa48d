//! 64-bit SimHash of an article body, for near-duplicate detection across reposts.

/// SimHash over the body's content words (two or more characters, with a Chinese character),
/// each distinct word weighted by the cube of its count. A story's own words (its companies,
/// products, places) recur through it and carry the hash, while a different lead credit, an
/// edited phrase or a dropped sentence changes little: reposts land within a few bits,
/// unrelated stories about 32 bits apart.
///
/// Words come with their [`unigram_key`](crate::features::unigram_key)s, which the pipeline has
/// computed already; words are counted by key, and the bits come from it.
pub fn simhash<'a>(words: impl Iterator<Item = (&'a str, u64)>) -> u64 {
    // Counted by sorting the keys: cheaper than a hash map for an article's few hundred words.
    let mut keys: Vec<u64> = words
        .filter(|(w, _)| w.len() > 3 && w.chars().any(crate::text::is_han))
        .map(|(_, key)| key)
        .collect();
    if keys.is_empty() {
        return 0;
    }
    keys.sort_unstable();
    // A bit of the result is set when the words with that bit set outweigh those without:
    // `2 × set > total`. Words seen once (most of them) are added to bit-sliced counters, a
    // few operations per word; the others visit their set bits with their weight.
    let mut once = SlicedCounter::default();
    let mut set = [0i64; 64];
    let mut total = 0i64;
    for run in keys.chunk_by(|a, b| a == b) {
        let (hash, n) = (run[0], run.len() as i64);
        if n == 1 {
            once.add(hash);
            total += 1;
            continue;
        }
        // In i64: a word seen 1,626 times already has a cube past u32. A text of the largest
        // accepted size (1 MiB) has at most 2^18 such words, whose cubes sum to under 2^55.
        let weight = n * n * n;
        total += weight;
        add_set_bits(&mut set, hash, weight);
    }
    once.add_to(&mut set);
    set.iter().enumerate().fold(
        0u64,
        |acc, (bit, &s)| if 2 * s > total { acc | 1 << bit } else { acc },
    )
}

/// Adds `weight` to the count of every bit set in `bits`, visiting only those bits.
fn add_set_bits(counts: &mut [i64; 64], mut bits: u64, weight: i64) {
    while bits != 0 {
        counts[bits.trailing_zeros() as usize] += weight;
        bits &= bits - 1;
    }
}

/// 64 counters, one per bit position, stored bit-sliced: `planes[i]` holds bit `i` of every
/// counter, so adding a word is a ripple of carries across the planes.
#[derive(Default)]
struct SlicedCounter {
    planes: [u64; 32],
}

impl SlicedCounter {
    /// Adds one to the counter of every bit set in `bits`.
    fn add(&mut self, bits: u64) {
        let mut carry = bits;
        for plane in &mut self.planes {
            if carry == 0 {
                break;
            }
            let next = *plane & carry;
            *plane ^= carry;
            carry = next;
        }
    }

    /// Adds the 64 counters to `counts`, by bit position.
    fn add_to(&self, counts: &mut [i64; 64]) {
        for (i, &plane) in self.planes.iter().enumerate() {
            add_set_bits(counts, plane, 1 << i);
        }
    }
}

/// Number of differing bits between two fingerprints.
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// FNV-1a followed by a 64-bit finaliser (stable across platforms and releases).
pub fn hash64(bytes: &[u8], seed: u64) -> u64 {
    let mut h = FNV_OFFSET ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    finalize(h)
}

/// FNV-1a's 64-bit offset basis and prime.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
pub const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// The finaliser of [`hash64`] (MurmurHash3's fmix64): every input bit moves every output bit.
pub fn finalize(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::unigram_key;

    fn keyed(words: &[String]) -> impl Iterator<Item = (&str, u64)> {
        words.iter().map(|w| (w.as_str(), unigram_key(w)))
    }

    #[test]
    fn sliced_counters_count_every_bit() {
        let words = [u64::MAX, 0b1011, 1 << 63, 0, 0b10];
        let mut sliced = SlicedCounter::default();
        for _ in 0..1000 {
            words.iter().for_each(|&w| sliced.add(w));
        }
        let mut counts = [0i64; 64];
        sliced.add_to(&mut counts);
        for (bit, count) in counts.into_iter().enumerate() {
            let expected = words.iter().filter(|&&w| w >> bit & 1 == 1).count() as i64 * 1000;
            assert_eq!(count, expected, "bit {bit}");
        }
    }

    #[test]
    fn words_repeated_thousands_of_times_keep_their_weight() {
        // 1,700³ does not fit in a u32 and 1,600³ does: counted in u32, the word seen less
        // often would outweigh the other. With one word ahead, the hash is that word's key.
        let (a, b) = ("电动自行车".to_string(), "监督抽查".to_string());
        let words: Vec<String> = std::iter::repeat_n(a.clone(), 1700)
            .chain(std::iter::repeat_n(b, 1600))
            .collect();
        assert_eq!(simhash(keyed(&words)), unigram_key(&a));
    }

    #[test]
    fn small_edits_move_few_bits() {
        let a = "市场监管总局 组织 开展 电动自行车 产品质量 国家 监督抽查 抽查 企业 批次 产品 不合格 批次 ".repeat(3);
        let b = a.replacen("组织", "部署", 1);
        let words = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let (wa, wb) = (words(&a), words(&b));
        let d = distance(simhash(keyed(&wa)), simhash(keyed(&wb)));
        assert!(d <= 3, "{d}");
        assert_eq!(simhash(keyed(&["no".into(), "chinese".into()])), 0);
    }
}
