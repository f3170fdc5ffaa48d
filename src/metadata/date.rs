//! Publish dates: the formats Chinese news pages print, normalised to RFC 3339 in Beijing time.

use std::sync::LazyLock;

use regex::Regex;

/// A calendar date with an optional time of day, as printed on a page (Beijing time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    /// Hour, minute, second.
    pub time: Option<(u8, u8, u8)>,
}

impl PageDate {
    /// RFC 3339 with `+08:00` when a time is known, else the bare date `YYYY-MM-DD`.
    pub fn to_rfc3339(self) -> String {
        match self.time {
            Some((h, m, s)) => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00",
                self.year, self.month, self.day, h, m, s
            ),
            None => format!("{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

/// A date found in a line, with the byte range it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateMatch {
    pub date: PageDate,
    pub start: usize,
    pub end: usize,
}

static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?:\s*日)?
        (?:[\sT]*(?P<h>\d{1,2})\s*[:时]\s*(?P<mi>\d{1,2})(?:\s*[:分]\s*(?P<s>\d{1,2}))?)?",
    )
    .expect("valid date regex")
});

static HANZI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?P<y>[〇零○Ｏ0OΟ一二三四五六七八九]{4})\s*年\s*(?P<mo>[一二三四五六七八九十]{1,3})\s*月\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日",
    )
    .expect("valid date regex")
});

/// `14-05-2023 05:44`, `14/05/2023`: the day-first order of Hong Kong and Macau pages.
static DAY_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\d])(?P<d>\d{1,2})[-/](?P<mo>\d{1,2})[-/](?P<y>(?:19|20)\d{2})(?:[^\d]|$)(?:\s*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?",
    )
    .expect("valid date regex")
});

static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(?P<mo>\d{1,2})[-/月](?P<d>\d{1,2})日?\s*(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?")
        .expect("valid date regex")
});

/// Finds the first date in `line`. `context_year` completes dates printed without a year
/// (`09-25 16:19`).
pub fn find_date(line: &str, context_year: Option<u16>) -> Option<DateMatch> {
    // Every numeric form has an ASCII digit and every Chinese-numeral form has 年: most lines
    // of a page have neither and skip the regexes.
    let has_digit = line.bytes().any(|b| b.is_ascii_digit());
    if !has_digit && !line.contains('年') {
        return None;
    }
    if has_digit && let Some(c) = NUMERIC.captures(line) {
        let num = |n: &str| c.name(n).and_then(|m| m.as_str().parse::<u16>().ok());
        let whole = c.get(0)?;
        if let Some(date) = build(
            num("y")?,
            num("mo")?,
            num("d")?,
            num("h"),
            num("mi"),
            num("s"),
        ) {
            return Some(DateMatch {
                date,
                start: whole.start(),
                end: whole.end(),
            });
        }
    }
    if line.contains('年')
        && let Some(c) = HANZI.captures(line)
    {
        let whole = c.get(0)?;
        let year = c["y"]
            .chars()
            .try_fold(0u16, |acc, ch| Some(acc * 10 + digit(ch)?))?;
        let date = build(
            year,
            hanzi_number(&c["mo"])?,
            hanzi_number(&c["d"])?,
            None,
            None,
            None,
        )?;
        return Some(DateMatch {
            date,
            start: whole.start(),
            end: whole.end(),
        });
    }
    if has_digit
        && ["-19", "-20", "/19", "/20"]
            .iter()
            .any(|y| line.contains(y))
        && let Some(c) = DAY_FIRST.captures(line)
    {
        let num = |n: &str| c.name(n).and_then(|m| m.as_str().parse::<u16>().ok());
        let (day, month) = match (num("d")?, num("mo")?) {
            // `05/14/2023`: a month over 12 is not one, so the order is month first.
            (d, mo) if mo > 12 && d <= 12 => (mo, d),
            pair => pair,
        };
        if let Some(date) = build(num("y")?, month, day, num("h"), num("mi"), num("s")) {
            let end = c.get(0)?.end();
            return Some(DateMatch {
                date,
                start: c.name("d")?.start(),
                end: if c.name("h").is_some() {
                    end
                } else {
                    c.name("y")?.end()
                },
            });
        }
    }
    let year = context_year.filter(|_| has_digit && line.contains(':'))?;
    let c = MONTH_DAY.captures(line)?;
    let num = |n: &str| c.name(n).and_then(|m| m.as_str().parse::<u16>().ok());
    let start = c.name("mo")?.start();
    let date = build(year, num("mo")?, num("d")?, num("h"), num("mi"), num("s"))?;
    Some(DateMatch {
        date,
        start,
        end: c.get(0)?.end(),
    })
}

fn build(
    year: u16,
    month: u16,
    day: u16,
    hour: Option<u16>,
    minute: Option<u16>,
    second: Option<u16>,
) -> Option<PageDate> {
    if !(1990..=2100).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    let days = match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days).contains(&day) {
        return None;
    }
    let time = match (hour, minute) {
        (Some(h), Some(m)) if h < 24 && m < 60 => {
            let s = second.unwrap_or(0);
            (s < 60).then_some((h as u8, m as u8, s as u8))
        }
        _ => None,
    };
    Some(PageDate {
        year,
        month: month as u8,
        day: day as u8,
        time,
    })
}

fn digit(c: char) -> Option<u16> {
    Some(match c {
        '〇' | '零' | '○' | 'Ｏ' | '0' | 'O' | 'Ο' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// 一 … 三十一 as a number.
fn hanzi_number(s: &str) -> Option<u16> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        [u] => digit(*u),
        _ => None,
    }
}

/// The year most often printed as `20xx年` or `20xx-` in `text`, used to complete dates
/// printed without one.
pub fn dominant_year(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    let mut counts: Vec<(u16, u32)> = Vec::new();
    let mut from = 0;
    // Years start with 1 or 2: jump from one to the next.
    while let Some(found) = memchr::memchr2(b'1', b'2', &bytes[from..]) {
        let i = from + found;
        if i + 4 >= bytes.len() {
            break;
        }
        let w = &bytes[i..i + 4];
        if (w.starts_with(b"20") || w.starts_with(b"19"))
            && w.iter().all(u8::is_ascii_digit)
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && !bytes[i + 4].is_ascii_digit()
        {
            let year = (w[0] - b'0') as u16 * 1000
                + (w[1] - b'0') as u16 * 100
                + (w[2] - b'0') as u16 * 10
                + (w[3] - b'0') as u16;
            match counts.iter_mut().find(|(y, _)| *y == year) {
                Some((_, n)) => *n += 1,
                None => counts.push((year, 1)),
            }
            from = i + 4;
        } else {
            from = i + 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(y, n)| (n, y))
        .map(|(y, _)| y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc(line: &str) -> Option<String> {
        find_date(line, Some(2023)).map(|m| m.date.to_rfc3339())
    }

    #[test]
    fn reads_the_formats_pages_print() {
        assert_eq!(
            rfc("2023-09-25 16:19:47   杭州网").unwrap(),
            "2023-09-25T16:19:47+08:00"
        );
        assert_eq!(
            rfc("发布时间:2023年9月25日 16:19").unwrap(),
            "2023-09-25T16:19:00+08:00"
        );
        assert_eq!(rfc("2023/9/25").unwrap(), "2023-09-25");
        assert_eq!(
            rfc("2023.09.25 08:05").unwrap(),
            "2023-09-25T08:05:00+08:00"
        );
        assert_eq!(rfc("二〇二三年九月二十五日").unwrap(), "2023-09-25");
        assert_eq!(
            rfc("09-25 16:19 来源:新华网").unwrap(),
            "2023-09-25T16:19:00+08:00"
        );
        assert_eq!(
            rfc("2024年02月29日10时30分").unwrap(),
            "2024-02-29T10:30:00+08:00"
        );
    }

    #[test]
    fn reads_day_first_dates() {
        assert_eq!(
            rfc("| 某某 | 03-06-2024 18:05 |").unwrap(),
            "2024-06-03T18:05:00+08:00"
        );
        assert_eq!(rfc("更新於 21/11/2022").unwrap(), "2022-11-21");
        assert_eq!(rfc("11/21/2022").unwrap(), "2022-11-21");
        assert_eq!(rfc("31-02-2023"), None);
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(rfc("2023-02-30"), None);
        assert_eq!(rfc("2023-13-01"), None);
        assert_eq!(rfc("1880年1月1日"), None);
        assert_eq!(find_date("09-25 16:19", None), None);
    }

    #[test]
    fn finds_the_dominant_year() {
        assert_eq!(dominant_year("2022年 2023年 2023-01 12023"), Some(2023));
        assert_eq!(dominant_year("no year"), None);
    }
}
