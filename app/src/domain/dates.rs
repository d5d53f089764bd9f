//! Times as people read them: every time in the portal is Unix seconds in UTC, shown as
//! "2026-12-31 23:59:59 UTC" (DDS's deadlines are UTC). The same text in mails and pages.

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// "2026-12-31 23:59:59 UTC".
pub fn utc(timestamp: i64) -> String {
    let (year, month, day) = civil(timestamp.div_euclid(86_400));
    let seconds = timestamp.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// "2026-12-31".
pub fn utc_day(timestamp: i64) -> String {
    let (year, month, day) = civil(timestamp.div_euclid(86_400));
    format!("{year:04}-{month:02}-{day:02}")
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The first second (UTC) of the month `timestamp` falls in, `offset` months later (earlier
/// when negative).
pub fn month_start(timestamp: i64, offset: i64) -> i64 {
    let (year, month, _) = civil(timestamp.div_euclid(86_400));
    let index = year * 12 + i64::from(month) - 1 + offset;
    days(index.div_euclid(12), (index.rem_euclid(12) + 1) as u32, 1) * 86_400
}

/// "2026-12": the month `timestamp` falls in.
pub fn utc_month(timestamp: i64) -> String {
    let (year, month, _) = civil(timestamp.div_euclid(86_400));
    format!("{year:04}-{month:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC", "a leap day");
        assert_eq!(utc(1_798_761_599), "2026-12-31 23:59:59 UTC");
        assert_eq!(utc(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(utc_day(1_798_761_599), "2026-12-31");
    }

    #[test]
    fn months_start_on_their_first_day_across_years() {
        let day = |y, m, d| days(y, m, d) * 86_400;
        assert_eq!(days(1970, 1, 1), 0);
        assert_eq!(day(2000, 2, 29), 951_782_400);
        let new_years_eve = 1_798_761_599; // 2026-12-31 23:59:59
        assert_eq!(month_start(new_years_eve, 0), day(2026, 12, 1));
        assert_eq!(month_start(new_years_eve, 1), day(2027, 1, 1));
        assert_eq!(month_start(new_years_eve, -11), day(2026, 1, 1));
        assert_eq!(month_start(new_years_eve, -12), day(2025, 12, 1));
        assert_eq!(month_start(day(2024, 3, 1), -1), day(2024, 2, 1));
        assert_eq!(utc_month(new_years_eve), "2026-12");
        assert_eq!(utc_month(day(2027, 1, 1)), "2027-01");
    }
}
