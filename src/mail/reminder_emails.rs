//! Reminder emails: today's home exercises with their doses, and the weekly check-in prompt.
//! Each ends with the one-click unsubscribe link its headers carry too.

use super::{escape_html, Content};

/// One exercise of today's session, as the email lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedExercise {
    pub name: String,
    /// e.g. "3 × 10", "2 × hold 30 s", "20 min".
    pub dose: String,
    pub notes: Option<String>,
}

/// A dose in words: sets × reps, sets × hold, or a duration.
pub fn describe_dose(sets: Option<i32>, reps: Option<i32>, hold_seconds: Option<i32>, duration: Option<i32>) -> String {
    let each = match (reps, hold_seconds, duration) {
        (Some(reps), _, _) => format!("{reps}"),
        (None, Some(hold), _) => format!("hold {hold} s"),
        (None, None, Some(seconds)) if seconds % 60 == 0 => format!("{} min", seconds / 60),
        (None, None, Some(seconds)) => format!("{seconds} s"),
        (None, None, None) => String::new(),
    };
    match (sets, each.is_empty()) {
        (Some(sets), false) => format!("{sets} × {each}"),
        (Some(sets), true) => format!("{sets} sets"),
        (None, _) => each,
    }
}

/// The footer both bodies end with: who signs (the clinic's name) and the way out.
struct Footer<'a> {
    clinic: &'a str,
    what: &'a str,
    unsubscribe: &'a str,
}

fn compose(
    subject: &str,
    name: &str,
    intro: &str,
    list: &[PlannedExercise],
    action: (&str, &str),
    footer: Footer,
) -> Content {
    let (action_label, link) = action;
    let mut text = format!("Hello {name},\n\n{intro}\n\n");
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\"><p>Hello {},</p><p>{}</p>",
        escape_html(name),
        escape_html(intro)
    );
    if !list.is_empty() {
        html.push_str("<ul>");
        for item in list {
            let notes = item.notes.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
            text.push_str(&format!("- {}: {}{notes}\n", item.name, item.dose));
            html.push_str(&format!(
                "<li><strong>{}</strong>: {}{}</li>",
                escape_html(&item.name),
                escape_html(&item.dose),
                escape_html(&notes)
            ));
        }
        text.push('\n');
        html.push_str("</ul>");
    }
    text.push_str(&format!("{action_label}: {link}\n\n— {}\n\n", footer.clinic));
    text.push_str(&format!("You get this because {} are on. Stop them: {}\n", footer.what, footer.unsubscribe));
    html.push_str(&format!(
        "<p><a href=\"{}\" style=\"font-weight:bold\">{}</a></p><p>— {}</p>\
         <p style=\"font-size:small;color:#666\">You get this because {} are on. \
         <a href=\"{}\">Stop them</a>.</p></body></html>",
        escape_html(link),
        escape_html(action_label),
        escape_html(footer.clinic),
        escape_html(footer.what),
        escape_html(footer.unsubscribe)
    ));
    Content { subject: subject.to_string(), text, html }
}

pub fn exercise_reminder(
    clinic: &str,
    name: &str,
    items: &[PlannedExercise],
    app_link: &str,
    unsubscribe: &str,
) -> Content {
    compose(
        "Today's home exercises",
        name,
        "Here is today's session from your home program:",
        items,
        ("Open your program", app_link),
        Footer { clinic, what: "exercise reminders", unsubscribe },
    )
}

pub fn check_in_prompt(clinic: &str, name: &str, app_link: &str, unsubscribe: &str) -> Content {
    compose(
        "Your weekly check-in",
        name,
        "How was your week? Your weekly check-in takes about two minutes and tells your \
         therapist how your back is doing.",
        &[],
        ("Check in now", app_link),
        Footer { clinic, what: "check-in reminders", unsubscribe },
    )
}

/// The week's figures a summary shows.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekInReview {
    pub sessions_done: u32,
    pub sessions_prescribed: f64,
    pub adherence_percent: Option<f64>,
    /// Pain now (0–10) at the latest check-in, and its four-week trend (`improving`, `stable`,
    /// `worsening` or `unknown`).
    pub pain: Option<(f64, String)>,
    /// ODI % at the latest check-in, and its four-week trend.
    pub disability: Option<(f64, String)>,
    /// In an open episode of care: the visits so far (arrived or completed) and those the plan
    /// asks for ("visit 5 of 12").
    pub visits: Option<(i64, i64)>,
}

fn trend_words(trend: &str) -> &str {
    if trend == "unknown" {
        "not enough check-ins to tell"
    } else {
        trend
    }
}

impl WeekInReview {
    fn lines(&self) -> Vec<PlannedExercise> {
        let line = |name: &str, dose: String| PlannedExercise { name: name.to_string(), dose, notes: None };
        let mut lines = vec![line(
            "Home sessions this week",
            match self.adherence_percent {
                Some(p) => format!("{} of {:.0} ({p:.0}%)", self.sessions_done, self.sessions_prescribed),
                None => format!("{} logged", self.sessions_done),
            },
        )];
        if let Some((pain, trend)) = &self.pain {
            lines.push(line("Pain", format!("{pain:.0}/10, {} over the last four weeks", trend_words(trend))));
        }
        if let Some((odi, trend)) = &self.disability {
            let words = format!("{odi:.0}%, {} over the last four weeks", trend_words(trend));
            lines.push(line("Back-related disability (ODI)", words));
        }
        if let Some((done, planned)) = self.visits {
            lines.push(line("Visits with your therapist", format!("visit {done} of {planned}")));
        }
        lines
    }
}

/// The weekly summary; the progress chart goes with it as an attachment.
pub fn weekly_summary(clinic: &str, name: &str, week: &WeekInReview, app_link: &str, unsubscribe: &str) -> Content {
    compose(
        &format!("Your week with {clinic}"),
        name,
        "Here is how your week went. Your progress chart is attached.",
        &week.lines(),
        ("See your progress", app_link),
        Footer { clinic, what: "weekly summaries", unsubscribe },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doses_read_naturally() {
        assert_eq!(describe_dose(Some(3), Some(10), None, None), "3 × 10");
        assert_eq!(describe_dose(Some(2), None, Some(30), None), "2 × hold 30 s");
        assert_eq!(describe_dose(None, None, None, Some(1200)), "20 min");
        assert_eq!(describe_dose(Some(3), None, None, Some(45)), "3 × 45 s");
        assert_eq!(describe_dose(Some(2), None, None, None), "2 sets");
    }

    #[test]
    fn the_summary_shows_the_weeks_figures() {
        let week = WeekInReview {
            sessions_done: 3,
            sessions_prescribed: 4.0,
            adherence_percent: Some(75.0),
            pain: Some((4.0, "improving".into())),
            disability: None,
            visits: Some((5, 12)),
        };
        let email = weekly_summary("Riverside PT", "Ana", &week, "https://app.test/progress", "https://api.test/u");
        assert!(email.text.contains("- Home sessions this week: 3 of 4 (75%)"), "{}", email.text);
        assert!(email.text.contains("- Pain: 4/10, improving over the last four weeks"));
        assert!(!email.text.contains("ODI"));
        assert!(email.text.contains("- Visits with your therapist: visit 5 of 12"), "{}", email.text);
        assert_eq!(email.subject, "Your week with Riverside PT");
        assert!(email.text.contains("\n— Riverside PT\n") && email.html.contains("<p>— Riverside PT</p>"));
    }

    #[test]
    fn the_reminder_lists_each_exercise_and_the_unsubscribe_link() {
        let items = [
            PlannedExercise { name: "Dead bug".into(), dose: "3 × 10".into(), notes: None },
            PlannedExercise {
                name: "Side plank <short>".into(),
                dose: "2 × hold 20 s".into(),
                notes: Some("left first".into()),
            },
        ];
        let email = exercise_reminder(
            "Riverside PT",
            "Ana",
            &items,
            "https://app.test/program",
            "https://api.test/v1/unsubscribe/t",
        );
        assert!(email.text.contains("- Dead bug: 3 × 10\n"), "{}", email.text);
        assert!(email.text.contains("- Side plank <short>: 2 × hold 20 s (left first)"));
        assert!(email.html.contains("Side plank &lt;short&gt;"));
        assert!(
            email.text.contains("https://api.test/v1/unsubscribe/t")
                && email.html.contains("https://api.test/v1/unsubscribe/t")
        );
    }
}
