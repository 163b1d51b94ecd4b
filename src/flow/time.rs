//! RFC 3339 timestamps to and from epoch milliseconds, without a date crate
//! (the wasm size budget has no room for chrono or time).

/// Milliseconds since the Unix epoch: the core's only clock unit. The shell
/// passes `performance.timeOrigin + performance.now()`.
pub type Millis = u64;

/// Parses an RFC 3339 timestamp such as `2026-04-18T19:12:11Z`,
/// `2026-04-18T19:12:11.5Z` or `2026-04-18T21:12:11+02:00` to epoch ms.
///
/// `None` for anything malformed or before 1970; never panics. Fractions
/// beyond milliseconds are truncated; a leap second `:60` counts as the next
/// second.
pub fn parse_rfc3339(s: &str) -> Option<Millis> {
    let b = s.trim().as_bytes();
    let year = number(b, 0, 4)?;
    expect(b, 4, b'-')?;
    let month = number(b, 5, 2)?;
    expect(b, 7, b'-')?;
    let day = number(b, 8, 2)?;
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = number(b, 11, 2)?;
    expect(b, 13, b':')?;
    let minute = number(b, 14, 2)?;
    expect(b, 16, b':')?;
    let second = number(b, 17, 2)?;

    let mut i = 19;
    let mut millis = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 3 {
                millis = millis * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        match i - start {
            0 => return None,
            1 => millis *= 100,
            2 => millis *= 10,
            _ => {}
        }
    }

    let offset_minutes = match b.get(i) {
        Some(b'Z' | b'z') => {
            i += 1;
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            let (h, m) = (number(b, i + 1, 2)?, number(b, i + 4, 2)?);
            expect(b, i + 3, b':')?;
            if h > 23 || m > 59 {
                return None;
            }
            i += 6;
            if sign == b'+' {
                h * 60 + m
            } else {
                -(h * 60 + m)
            }
        }
        _ => return None,
    };
    if i != b.len()
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }

    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second
        - offset_minutes * 60;
    let ms = seconds * 1_000 + millis;
    u64::try_from(ms).ok()
}

/// Formats epoch ms as RFC 3339 UTC: `2026-04-18T19:12:11Z`, with `.mmm`
/// only when the milliseconds are not zero. Inverse of [`parse_rfc3339`].
pub fn format_rfc3339(ms: Millis) -> String {
    let secs = (ms / 1_000) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (rest / 3_600, rest / 60 % 60, rest % 60);
    match ms % 1_000 {
        0 => format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z"),
        frac => format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{frac:03}Z"),
    }
}

fn number(b: &[u8], at: usize, len: usize) -> Option<i64> {
    let digits = b.get(at..at + len)?;
    digits.iter().try_fold(0i64, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
    })
}

fn expect(b: &[u8], at: usize, byte: u8) -> Option<()> {
    (b.get(at) == Some(&byte)).then_some(())
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days: proleptic Gregorian
// calendar, exact for every year, no tables.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_example() {
        assert_eq!(
            parse_rfc3339("2026-04-18T19:12:11Z"),
            Some(1_776_539_531_000)
        );
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
    }

    #[test]
    fn parses_fractions_and_offsets() {
        let base = 1_776_539_531_000;
        assert_eq!(parse_rfc3339("2026-04-18T19:12:11.5Z"), Some(base + 500));
        assert_eq!(parse_rfc3339("2026-04-18T19:12:11.25Z"), Some(base + 250));
        assert_eq!(
            parse_rfc3339("2026-04-18T19:12:11.123456789Z"),
            Some(base + 123)
        );
        assert_eq!(parse_rfc3339("2026-04-18T19:12:11+00:00"), Some(base));
        assert_eq!(parse_rfc3339("2026-04-18T21:12:11+02:00"), Some(base));
        assert_eq!(parse_rfc3339("2026-04-18T14:42:11-04:30"), Some(base));
        assert_eq!(parse_rfc3339("2026-04-18t19:12:11z"), Some(base));
        assert_eq!(parse_rfc3339(" 2026-04-18 19:12:11Z "), Some(base));
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000)
        );
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00Z"), Some(951_782_400_000));
        assert_eq!(parse_rfc3339("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("1900-02-29T00:00:00Z"), None);
        assert_eq!(
            parse_rfc3339("2026-12-31T23:59:60Z"),
            parse_rfc3339("2027-01-01T00:00:00Z")
        );
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            "",
            "Z",
            "2026",
            "2026-04-18",
            "2026-04-18T19:12:11",
            "2026-04-18T19:12Z",
            "2026-13-01T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-04-00T00:00:00Z",
            "2026-04-18T24:00:00Z",
            "2026-04-18T19:60:00Z",
            "2026-04-18T19:12:61Z",
            "2026-04-18T19:12:11.Z",
            "2026-04-18T19:12:11+0200",
            "2026-04-18T19:12:11+24:00",
            "2026-04-18T19:12:11Zjunk",
            "1969-12-31T23:59:59Z",
            "1970-01-01T00:30:00+01:00",
            "２０２６-04-18T19:12:11Z",
            "2026-04-18T19:12:11.٣Z",
            "+2026-04-18T19:12:11Z",
            "2026-04-18T19:12:1éZ",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(format_rfc3339(1_776_539_531_000), "2026-04-18T19:12:11Z");
        assert_eq!(
            format_rfc3339(1_776_539_531_042),
            "2026-04-18T19:12:11.042Z"
        );
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { failure_persistence: None, ..Default::default() })]

        #[test]
        fn format_then_parse_round_trips(ms in 0u64..253_402_300_800_000) {
            proptest::prop_assert_eq!(parse_rfc3339(&format_rfc3339(ms)), Some(ms));
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_rfc3339(&s);
        }

        #[test]
        fn never_panics_near_valid(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?([Zz]|[+-][0-9]{2}:[0-9]{2})?") {
            let _ = parse_rfc3339(&s);
        }
    }
}
