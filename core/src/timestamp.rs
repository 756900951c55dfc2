//! Signed timestamps: Unix seconds or milliseconds as plain digits, or an RFC 3339 time.

use crate::error::{Error, Result};
use crate::spec::Unit;

/// A signed timestamp: its value in Unix seconds and the exact text that was signed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timestamp<'a> {
    pub(crate) value: u64,
    pub(crate) text: &'a [u8],
}

impl<'a> Timestamp<'a> {
    /// Reads `text` as `unit` says.
    ///
    /// # Errors
    /// [`Error::MalformedTimestamp`]: a sign, a space, a fraction of digits, more than 19
    /// digits, or a date that is not RFC 3339.
    pub(crate) fn read(text: &'a [u8], unit: Unit) -> Result<Self> {
        let value = match unit {
            Unit::Seconds => whole(text),
            Unit::Milliseconds => whole(text).map(|ms| ms / 1000),
            Unit::Rfc3339 => rfc3339(text),
        };
        Ok(Timestamp { value: value.ok_or(Error::MalformedTimestamp)?, text })
    }
}

/// The longest timestamp text [`write`] makes.
pub(crate) const MAX_TEXT: usize = 24;

/// `seconds` as `unit` writes it, into `out`: what [`Verifier::sign`](crate::Verifier::sign)
/// sends.
pub(crate) fn write(seconds: u64, unit: Unit, out: &mut [u8; MAX_TEXT]) -> &[u8] {
    use core::fmt::Write;
    let mut text = heapless::String::<MAX_TEXT>::new();
    // Cannot overflow: 20 digits, or the 20 characters of a date.
    let _ = match unit {
        Unit::Seconds => write!(text, "{seconds}"),
        Unit::Milliseconds => write!(text, "{}", u128::from(seconds) * 1000),
        Unit::Rfc3339 => {
            let (days, time) = (seconds / 86_400, seconds % 86_400);
            let (y, m, d) = civil_from_days(days);
            write!(text, "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", time / 3600, time / 60 % 60, time % 60)
        }
    };
    let len = text.len();
    if let Some(slot) = out.get_mut(..len) {
        slot.copy_from_slice(text.as_bytes());
    }
    out.get(..len).unwrap_or_default()
}

impl Unit {
    /// `seconds` (Unix) written in this unit, as [`Verifier::sign`](crate::Verifier::sign)
    /// sends it: `1767225600`, `1767225600000`, `2026-01-01T00:00:00Z`.
    #[must_use]
    pub fn format(self, seconds: u64) -> heapless::String<MAX_TEXT> {
        let mut out = [0u8; MAX_TEXT];
        let text = write(seconds, self, &mut out);
        core::str::from_utf8(text).ok().and_then(|t| heapless::String::try_from(t).ok()).unwrap_or_default()
    }
}

/// A time in whole units: digits without a leading zero, so that one value has one text and
/// nothing beside it in the signed content can take or give a digit unnoticed (`{id}` then
/// `{timestamp}`: `evt_100` + `1700000000` must not also read `evt_1` + `001700000000`).
fn whole(text: &[u8]) -> Option<u64> {
    match text {
        [b'0', _, ..] => None,
        _ => digits(text),
    }
}

/// Plain decimal digits, 1 to 19 of them.
fn digits(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 19 {
        return None;
    }
    text.iter().try_fold(0u64, |n, &b| b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0')))
}

/// `YYYY-MM-DDTHH:MM:SS`, an optional fraction, then `Z` or `±HH:MM`, as Unix seconds (from
/// 1970 on).
fn rfc3339(text: &[u8]) -> Option<u64> {
    let field = |range: core::ops::Range<usize>| text.get(range).and_then(digits);
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if !separators.iter().all(|&(at, c)| text.get(at) == Some(&c))
        || !matches!(text.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (year, month, day) = (field(0..4)?, field(5..7)?, field(8..10)?);
    let (hour, minute, second) = (field(11..13)?, field(14..16)?, field(17..19)?);
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = text.get(19..)?;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        rest = fraction.get(n..)?;
    }
    let local = days_since_epoch(year, month, day)? * 86_400 + hour * 3600 + minute * 60 + second;
    match rest {
        b"Z" | b"z" => Some(local),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let offset = digits(&[*h1, *h2])? * 3600 + digits(&[*m1, *m2])? * 60;
            if *sign == b'+' { local.checked_sub(offset) } else { local.checked_add(offset) }
        }
        _ => None,
    }
}

fn days_in_month(year: u64, month: u64) -> u64 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a civil date (Howard Hinnant's `days_from_civil`), for dates from
/// 1970 on.
fn days_since_epoch(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 { year.checked_sub(1)? } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

/// The civil date of a day count from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + u64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times() {
        let cases: [(&str, Option<u64>); 12] = [
            ("1970-01-01T00:00:00Z", Some(0)),
            ("2025-01-01T12:00:00.000Z", Some(1_735_732_800)),
            ("2024-02-29T23:59:59Z", Some(1_709_251_199)),
            ("2025-01-01T13:00:00+01:00", Some(1_735_732_800)),
            ("2025-01-01T11:00:00-01:00", Some(1_735_732_800)),
            ("2025-02-29T00:00:00Z", None),
            ("2025-13-01T00:00:00Z", None),
            ("2025-01-01T24:00:00Z", None),
            ("2025-01-01T12:00:00", None),
            ("2025-01-01T12:00:00.Z", None),
            ("1969-12-31T23:59:59Z", None),
            ("2025-01-01T12:00:00Z ", None),
        ];
        for (text, expected) in cases {
            assert_eq!(rfc3339(text.as_bytes()), expected, "{text}");
        }
    }

    #[test]
    fn written_times_read_back() {
        for seconds in [0, 951_782_400, 1_709_251_199, 1_735_732_800, 4_102_444_800] {
            for unit in [Unit::Seconds, Unit::Milliseconds, Unit::Rfc3339] {
                let mut out = [0; MAX_TEXT];
                let text = write(seconds, unit, &mut out);
                assert_eq!(Timestamp::read(text, unit).map(|t| t.value), Ok(seconds), "{unit:?} {seconds}");
            }
        }
    }

    #[test]
    fn digit_timestamps() {
        assert_eq!(Timestamp::read(b"1700000000", Unit::Seconds).map(|t| t.value), Ok(1_700_000_000));
        assert_eq!(Timestamp::read(b"1700000000123", Unit::Milliseconds).map(|t| t.value), Ok(1_700_000_000));
        assert_eq!(Timestamp::read(b"0", Unit::Seconds).map(|t| t.value), Ok(0));
        // One value, one text: a leading zero is not a time.
        for bad in ["", "+1", " 1", "1.5", "12345678901234567890", "-1", "01700000000", "00"] {
            assert!(Timestamp::read(bad.as_bytes(), Unit::Seconds).is_err(), "{bad}");
        }
    }
}
