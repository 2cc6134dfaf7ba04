//! Red-flag screening (docs/clinical-rules.md), asked at sign-up, at booking and in every check-in. An
//! emergency flag (possible cauda equina syndrome) sends the patient to an emergency department
//! now; an urgent one to a doctor today. Either alerts the clinician and pauses exercise reminders
//! until a clinician acknowledges it.

use std::collections::BTreeMap;

use super::Invalid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Urgent,
    Emergency,
}

impl Severity {
    /// A severity as stored; anything but `emergency` is urgent.
    pub fn from_stored(stored: &str) -> Self {
        if stored == Severity::Emergency.as_str() {
            Severity::Emergency
        } else {
            Severity::Urgent
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Urgent => "urgent",
            Severity::Emergency => "emergency",
        }
    }
}

/// One screening question: its stable id (what the app sends), the question, and its weight.
pub struct Question {
    pub id: &'static str,
    pub text: &'static str,
    pub severity: Severity,
}

pub const QUESTIONS: [Question; 8] = [
    Question {
        id: "bladder_or_bowel",
        text: "New difficulty passing urine, loss of bladder control, or loss of bowel control",
        severity: Severity::Emergency,
    },
    Question {
        id: "saddle_numbness",
        text: "Numbness in the groin, buttocks or inner thighs",
        severity: Severity::Emergency,
    },
    Question {
        id: "progressive_leg_weakness",
        text: "Leg weakness that is getting worse, or weakness or numbness in both legs",
        severity: Severity::Emergency,
    },
    Question { id: "fever_or_chills", text: "Fever or chills with your back pain", severity: Severity::Urgent },
    Question { id: "unexplained_weight_loss", text: "Weight loss you cannot explain", severity: Severity::Urgent },
    Question {
        id: "cancer_history_new_pain",
        text: "A history of cancer, with new or worse pain",
        severity: Severity::Urgent,
    },
    Question {
        id: "significant_trauma",
        text: "Pain that started after significant trauma: a serious fall, a road accident, or a fall or blow \
               to the back if you have osteoporosis or are over 50",
        severity: Severity::Urgent,
    },
    Question {
        id: "constant_night_pain",
        text: "Constant pain at night that does not ease with rest or changing position",
        severity: Severity::Urgent,
    },
];

/// Whether booking this appointment type asks the red-flag questions: a first evaluation (a
/// type whose code ends in `_evaluation`, other than a re-evaluation) is where a new patient's
/// serious symptoms are caught before they wait for the visit.
pub fn screened_at_booking(type_code: &str) -> bool {
    type_code.ends_with("evaluation") && !type_code.starts_with("re_")
}

/// What the patient is told at once, by severity.
pub fn advice(severity: Severity) -> &'static str {
    match severity {
        Severity::Emergency => {
            "Go to an emergency department now. These symptoms can mean pressure on the nerves at \
             the base of the spine (cauda equina syndrome), which needs treatment within hours. Do \
             not wait for your appointment and do not do your exercises. Your clinician has been told."
        }
        Severity::Urgent => {
            "See a doctor today. This symptom needs a medical check before you continue your \
             exercises, which are paused until your clinician has reviewed it. Your clinician has \
             been told."
        }
    }
}

/// The answers the patient gave: every question answered yes or no (an absent one is "no").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Screening {
    /// The ids answered "yes", in question order.
    pub positive: Vec<&'static str>,
}

impl Screening {
    /// Parses the app's `{question id: true|false}`; unknown ids are refused.
    pub fn parse(answers: &BTreeMap<String, bool>) -> Result<Self, Invalid> {
        if let Some(unknown) = answers.keys().find(|id| !QUESTIONS.iter().any(|q| q.id == id.as_str())) {
            return Err(Invalid::new("unknown", format!("no red-flag question is called {unknown}")));
        }
        let positive = QUESTIONS.iter().filter(|q| answers.get(q.id).copied().unwrap_or(false)).map(|q| q.id).collect();
        Ok(Self { positive })
    }

    /// The most serious flag raised, if any.
    pub fn severity(&self) -> Option<Severity> {
        QUESTIONS.iter().filter(|q| self.positive.contains(&q.id)).map(|q| q.severity).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_evaluations_ask_the_questions_and_others_do_not() {
        assert!(screened_at_booking("comprehensive_evaluation"));
        assert!(screened_at_booking("acupuncture_evaluation"));
        assert!(!screened_at_booking("re_evaluation"));
        assert!(!screened_at_booking("follow_up"));
    }

    fn answers(yes: &[&str]) -> BTreeMap<String, bool> {
        QUESTIONS.iter().map(|q| (q.id.to_string(), yes.contains(&q.id))).collect()
    }

    #[test]
    fn no_flag_is_no_severity() {
        assert_eq!(Screening::parse(&answers(&[])).unwrap().severity(), None);
        assert_eq!(Screening::parse(&BTreeMap::new()).unwrap().severity(), None, "unanswered is not a flag");
    }

    #[test]
    fn the_most_serious_flag_wins() {
        assert_eq!(Screening::parse(&answers(&["fever_or_chills"])).unwrap().severity(), Some(Severity::Urgent));
        let both = Screening::parse(&answers(&["constant_night_pain", "saddle_numbness"])).unwrap();
        assert_eq!(both.severity(), Some(Severity::Emergency));
        assert_eq!(both.positive, ["saddle_numbness", "constant_night_pain"]);
        for id in ["bladder_or_bowel", "saddle_numbness", "progressive_leg_weakness"] {
            assert_eq!(Screening::parse(&answers(&[id])).unwrap().severity(), Some(Severity::Emergency), "{id}");
        }
    }

    #[test]
    fn unknown_questions_are_refused() {
        let mut odd = answers(&[]);
        odd.insert("headache".into(), true);
        assert_eq!(Screening::parse(&odd).unwrap_err().code, "unknown");
    }

    #[test]
    fn emergency_advice_sends_to_the_emergency_department() {
        assert!(advice(Severity::Emergency).contains("emergency department now"));
        assert!(advice(Severity::Urgent).contains("doctor today"));
    }
}
