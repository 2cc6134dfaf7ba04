//! Reminders at the patient's own local time: which instants a weekly "at 07:30 on these days"
//! choice stands for, and the de-duplication key each occurrence is queued under.
//!
//! The time is wall-clock time in the patient's IANA zone, turned into an instant per occurrence,
//! so 07:30 stays 07:30 across daylight-saving changes. A time that falls in a gap moves to the
//! first valid minute after it; a time in a repeated hour fires once, at the earlier instant
//! (the policy of [`super::local_time`]).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use super::local_time::{at_minute, instant_or_next, local, time_of_day};
use super::Invalid;

/// How far ahead occurrences are put into the outbox.
pub const QUEUE_AHEAD: Duration = Duration::hours(36);
/// An occurrence this recent is still queued (a patient who sets 07:30 at 07:35 gets today's).
pub const LATE_GRACE: Duration = Duration::minutes(15);
/// A reminder still unsent this long after its time is no longer useful and expires (and never
/// later than the end of its local day).
pub const USEFUL_FOR: Duration = Duration::hours(6);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReminderKind {
    /// Today's home exercises, on the days the program asks for a session.
    Exercise,
    /// The weekly check-in prompt.
    CheckIn,
    /// The weekly summary: adherence, pain and function, with the chart.
    WeeklySummary,
}

impl ReminderKind {
    /// The emails of this kind as a sentence names them: "exercise reminders".
    pub fn in_words(self) -> &'static str {
        match self {
            ReminderKind::Exercise => "exercise reminders",
            ReminderKind::CheckIn => "weekly check-in reminders",
            ReminderKind::WeeklySummary => "weekly summaries",
        }
    }

    pub const ALL: [ReminderKind; 3] = [ReminderKind::Exercise, ReminderKind::CheckIn, ReminderKind::WeeklySummary];

    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Exercise => "exercise",
            ReminderKind::CheckIn => "check_in",
            ReminderKind::WeeklySummary => "weekly_summary",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// The outbox `kind` of the emails it sends.
    pub fn email_kind(self) -> &'static str {
        match self {
            ReminderKind::Exercise => "exercise_reminder",
            ReminderKind::CheckIn => "check_in_reminder",
            ReminderKind::WeeklySummary => "weekly_summary",
        }
    }

    pub fn from_email_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.email_kind() == kind)
    }

    /// What a patient who never chose gets: exercise reminders at 08:00 on every day the program
    /// asks for a session; the check-in prompt on Sundays at 18:00; the summary Sundays at 19:00.
    pub fn default_time(self) -> ReminderTime {
        match self {
            ReminderKind::Exercise => ReminderTime { weekdays: (1..=7).collect(), minute: 8 * 60 },
            ReminderKind::CheckIn => ReminderTime { weekdays: [7].into_iter().collect(), minute: 18 * 60 },
            ReminderKind::WeeklySummary => ReminderTime { weekdays: [7].into_iter().collect(), minute: 19 * 60 },
        }
    }

    /// How far ahead occurrences are queued: a summary only shortly before, so its figures are
    /// the week's (more than the scheduler's hourly look plus [`LATE_GRACE`]).
    pub fn queue_ahead(self) -> Duration {
        match self {
            ReminderKind::WeeklySummary => Duration::hours(2),
            ReminderKind::Exercise | ReminderKind::CheckIn => QUEUE_AHEAD,
        }
    }
}

/// A weekly choice: these ISO weekdays (1 = Monday) at this local minute of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderTime {
    pub weekdays: BTreeSet<u32>,
    /// Minutes since local midnight, 0 to 1439.
    pub minute: u32,
}

impl ReminderTime {
    /// Parses `HH:MM` (24-hour) and the weekdays; at least one weekday.
    pub fn parse(weekdays: &[u32], time: &str) -> Result<Self, (&'static str, Invalid)> {
        let minute = time_of_day(time).ok_or(("time", Invalid::new("invalid_format", "HH:MM, 00:00 to 23:59")))?;
        if weekdays.is_empty() || weekdays.iter().any(|d| !(1..=7).contains(d)) {
            return Err(("weekdays", Invalid::new("out_of_range", "one or more of 1 (Monday) to 7 (Sunday)")));
        }
        Ok(Self { weekdays: weekdays.iter().copied().collect(), minute })
    }

    /// `"1,3,5"`, as stored.
    pub fn weekdays_text(&self) -> String {
        self.weekdays.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
    }

    /// From the stored form; unknown parts are skipped.
    pub fn from_stored(weekdays: &str, minute: i32) -> Self {
        Self {
            weekdays: weekdays
                .split(',')
                .filter_map(|d| d.trim().parse().ok())
                .filter(|d| (1..=7).contains(d))
                .collect(),
            minute: u32::try_from(minute).unwrap_or(0).min(1439),
        }
    }

    pub fn clock(&self) -> String {
        format!("{:02}:{:02}", self.minute / 60, self.minute % 60)
    }

    fn on(&self, weekday: Weekday) -> bool {
        self.weekdays.contains(&weekday.number_from_monday())
    }
}

/// One reminder: the patient's local date it belongs to, and the instant it is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub date: NaiveDate,
    pub due: DateTime<Utc>,
}

impl Occurrence {
    /// When it stops being useful: [`USEFUL_FOR`] after its time, and never past local midnight.
    pub fn expires(&self, zone: Tz) -> DateTime<Utc> {
        let midnight = instant_or_next(zone, at_minute(self.date + Duration::days(1), 0));
        (self.due + USEFUL_FOR).min(midnight)
    }
}

/// The occurrences of `time` in `zone` whose instants fall in `from..to`, in order. Each local
/// date has at most one: a repeated hour does not fire twice.
pub fn occurrences(zone: Tz, time: &ReminderTime, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
    let first = local(zone, from).date() - Duration::days(1);
    let last = local(zone, to).date() + Duration::days(1);
    first
        .iter_days()
        .take_while(|date| *date <= last)
        .filter(|date| time.on(date.weekday()))
        .map(|date| Occurrence { date, due: instant_or_next(zone, at_minute(date, time.minute)) })
        .filter(|o| o.due >= from && o.due < to)
        .collect()
}

/// The outbox de-duplication key of one reminder: one per patient, kind and local date, so a
/// scheduler that runs twice (or on two replicas) queues it once.
pub fn dedupe_key(kind: ReminderKind, user_id: &str, date: NaiveDate) -> String {
    format!("reminder:{}:{user_id}:{date}", kind.as_str())
}

/// The prefix shared by every reminder key of a patient and kind.
pub fn dedupe_prefix(kind: ReminderKind, user_id: &str) -> String {
    format!("reminder:{}:{user_id}:", kind.as_str())
}

/// The kind, patient and local date a reminder key stands for.
pub fn parse_key(key: &str) -> Option<(ReminderKind, String, NaiveDate)> {
    let rest = key.strip_prefix("reminder:")?;
    let (kind, rest) = rest.split_once(':')?;
    let (user, date) = rest.rsplit_once(':')?;
    Some((ReminderKind::parse(kind)?, user.to_string(), date.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDateTime;
    use chrono_tz::America::Chicago;

    use chrono_tz::Australia::Lord_Howe;
    use chrono_tz::Europe::London;

    fn utc(text: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap().and_utc()
    }

    fn daily(time: &str) -> ReminderTime {
        ReminderTime::parse(&[1, 2, 3, 4, 5, 6, 7], time).unwrap()
    }

    /// Every occurrence over three days around `day`, as "date → UTC instant".
    fn around(zone: Tz, time: &str, from: &str, to: &str) -> Vec<String> {
        occurrences(zone, &daily(time), utc(from), utc(to))
            .into_iter()
            .map(|o| format!("{} {}", o.date, o.due.format("%Y-%m-%dT%H:%MZ")))
            .collect()
    }

    #[test]
    fn half_past_seven_stays_local_across_chicago_changes() {
        // 2027-03-14 spring forward (CST -6 → CDT -5); 2027-11-07 fall back.
        assert_eq!(
            around(Chicago, "07:30", "2027-03-13 00:00", "2027-03-16 00:00"),
            ["2027-03-13 2027-03-13T13:30Z", "2027-03-14 2027-03-14T12:30Z", "2027-03-15 2027-03-15T12:30Z"]
        );
        assert_eq!(
            around(Chicago, "07:30", "2027-11-06 00:00", "2027-11-09 00:00"),
            ["2027-11-06 2027-11-06T12:30Z", "2027-11-07 2027-11-07T13:30Z", "2027-11-08 2027-11-08T13:30Z"]
        );
    }

    #[test]
    fn the_gap_moves_to_the_first_valid_minute_and_the_fold_fires_once() {
        // Chicago 02:30 does not exist on 2027-03-14: 03:00 CDT instead.
        assert_eq!(around(Chicago, "02:30", "2027-03-14 00:00", "2027-03-14 23:59"), ["2027-03-14 2027-03-14T08:00Z"]);
        // 01:30 happens twice on 2027-11-07 (CDT, then CST): once, the first.
        assert_eq!(around(Chicago, "01:30", "2027-11-07 00:00", "2027-11-08 00:00"), ["2027-11-07 2027-11-07T06:30Z"]);
    }

    #[test]
    fn london_around_both_changes() {
        // 2027-03-28 01:00 GMT → 02:00 BST; 2027-10-31 02:00 BST → 01:00 GMT.
        assert_eq!(
            around(London, "07:30", "2027-03-27 00:00", "2027-03-29 00:00"),
            ["2027-03-27 2027-03-27T07:30Z", "2027-03-28 2027-03-28T06:30Z"]
        );
        assert_eq!(around(London, "01:30", "2027-03-28 00:00", "2027-03-28 12:00"), ["2027-03-28 2027-03-28T01:00Z"]);
        assert_eq!(around(London, "01:30", "2027-10-31 00:00", "2027-10-31 12:00"), ["2027-10-31 2027-10-31T00:30Z"]);
        assert_eq!(
            around(London, "07:30", "2027-10-30 00:00", "2027-11-01 00:00"),
            ["2027-10-30 2027-10-30T06:30Z", "2027-10-31 2027-10-31T07:30Z"]
        );
    }

    #[test]
    fn lord_howe_shifts_by_thirty_minutes() {
        // Lord Howe: +10:30 standard, +11:00 summer. 2027-04-04 02:00 → 01:30 (a repeated half
        // hour); 2027-10-03 02:00 → 02:30 (a half-hour gap).
        assert_eq!(
            around(Lord_Howe, "07:30", "2027-04-02 12:00", "2027-04-04 12:00"),
            ["2027-04-03 2027-04-02T20:30Z", "2027-04-04 2027-04-03T21:00Z"]
        );
        assert_eq!(
            around(Lord_Howe, "01:45", "2027-04-03 12:00", "2027-04-04 12:00"),
            ["2027-04-04 2027-04-03T14:45Z"],
            "the repeated 01:45 fires once, at the first"
        );
        assert_eq!(
            around(Lord_Howe, "02:15", "2027-10-02 12:00", "2027-10-03 12:00"),
            ["2027-10-03 2027-10-02T15:30Z"],
            "02:15 does not exist: 02:30 summer time instead"
        );
        assert_eq!(
            around(Lord_Howe, "07:30", "2027-10-01 12:00", "2027-10-03 12:00"),
            ["2027-10-02 2027-10-01T21:00Z", "2027-10-03 2027-10-02T20:30Z"]
        );
    }

    #[test]
    fn only_the_chosen_weekdays() {
        // 2027-03-15 is a Monday.
        let mondays = ReminderTime::parse(&[1], "09:00").unwrap();
        let found = occurrences(London, &mondays, utc("2027-03-13 00:00"), utc("2027-03-20 00:00"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].date, NaiveDate::from_ymd_opt(2027, 3, 15).unwrap());
    }

    #[test]
    fn a_reminder_expires_within_its_day() {
        let morning = Occurrence { date: NaiveDate::from_ymd_opt(2027, 3, 15).unwrap(), due: utc("2027-03-15 07:30") };
        assert_eq!(morning.expires(London), utc("2027-03-15 13:30"));
        let late = Occurrence { date: NaiveDate::from_ymd_opt(2027, 3, 15).unwrap(), due: utc("2027-03-15 21:00") };
        assert_eq!(late.expires(London), utc("2027-03-16 00:00"));
    }

    #[test]
    fn times_and_weekdays_are_validated() {
        assert_eq!(ReminderTime::parse(&[1, 3], "07:30").unwrap().minute, 450);
        assert_eq!(ReminderTime::parse(&[1], "23:59").unwrap().clock(), "23:59");
        for bad in ["24:00", "7:30", "07:60", "0730", "", "ab:cd"] {
            assert_eq!(ReminderTime::parse(&[1], bad).unwrap_err().0, "time", "{bad}");
        }
        assert_eq!(ReminderTime::parse(&[], "07:30").unwrap_err().0, "weekdays");
        assert_eq!(ReminderTime::parse(&[0, 8], "07:30").unwrap_err().0, "weekdays");
    }

    #[test]
    fn keys_round_trip() {
        let date = NaiveDate::from_ymd_opt(2027, 3, 14).unwrap();
        let key = dedupe_key(ReminderKind::CheckIn, "0190-abc", date);
        assert!(key.starts_with(&dedupe_prefix(ReminderKind::CheckIn, "0190-abc")));
        assert_eq!(parse_key(&key), Some((ReminderKind::CheckIn, "0190-abc".to_string(), date)));
        assert_eq!(parse_key("appointment:1:reminder:1440:0"), None);
    }
}
