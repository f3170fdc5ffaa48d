//! Counting names mentioned in a body: one entry per name, most mentioned first, ties in order
//! of first mention.

use rustc_hash::FxHashMap;

/// Names seen in one body, keyed by a normal form (simplified script) and shown as first
/// printed.
#[derive(Debug, Default)]
pub struct Mentions {
    index: FxHashMap<String, usize>,
    /// (printed, mentions), in order of first mention.
    names: Vec<(String, u32)>,
}

impl Mentions {
    /// Counts one mention of the name whose normal form is `key`, printed as `printed`.
    pub fn add(&mut self, key: &str, printed: &str) {
        match self.index.get(key) {
            Some(&i) => self.names[i].1 += 1,
            None => {
                self.index.insert(key.to_string(), self.names.len());
                self.names.push((printed.to_string(), 1));
            }
        }
    }

    /// The names, most mentioned first (ties: first mentioned first), at most `cap`.
    pub fn ranked(self, cap: usize) -> Vec<String> {
        let mut names: Vec<(usize, (String, u32))> = self.names.into_iter().enumerate().collect();
        // Stable order by first mention, then by count descending.
        names.sort_by(|(a_at, (_, a)), (b_at, (_, b))| b.cmp(a).then(a_at.cmp(b_at)));
        names
            .into_iter()
            .take(cap)
            .map(|(_, (printed, _))| printed)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_mentioned_first_then_first_seen() {
        let mut m = Mentions::default();
        m.add("甲", "甲");
        m.add("乙", "乙");
        m.add("丙", "丙");
        m.add("丙", "丙");
        m.add("乙", "乙");
        m.add("丁", "丁");
        assert_eq!(m.ranked(3), vec!["乙", "丙", "甲"]);
    }

    #[test]
    fn shows_the_first_printed_form() {
        let mut m = Mentions::default();
        m.add("台南市", "臺南市");
        m.add("台南市", "台南市");
        assert_eq!(m.ranked(5), vec!["臺南市"]);
    }
}
