//! Diagnosis codes of ICD-10-CM, checked for their form (not against the code list, which
//! changes every October): a letter, a digit, a digit or letter (the category), then, after a
//! dot, up to four more letters or digits (`X` is the placeholder). Stored upper-case with the
//! dot: `m5450` and `M54.50` are the same code.

use super::Invalid;

/// A code in ICD-10-CM's form, e.g. `M54.50` (low back pain, unspecified) or `S33.5XXA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icd10Code(String);

impl Icd10Code {
    pub fn parse(text: &str) -> Result<Icd10Code, Invalid> {
        let compact: String = text.trim().chars().filter(|c| *c != '.').collect::<String>().to_ascii_uppercase();
        let dots = text.trim().matches('.').count();
        let bad = || {
            Invalid::new(
                "invalid_code",
                "an ICD-10-CM code looks like M54.50: a letter, two characters, then up to four after a dot",
            )
        };
        if dots > 1 || (dots == 1 && text.trim().find('.') != Some(3)) {
            return Err(bad());
        }
        let chars: Vec<char> = compact.chars().collect();
        if !(3..=7).contains(&chars.len()) || !chars.iter().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad());
        }
        if !chars[0].is_ascii_uppercase() || !chars[1].is_ascii_digit() {
            return Err(bad());
        }
        let code = if chars.len() == 3 { compact } else { format!("{}.{}", &compact[..3], &compact[3..]) };
        Ok(Icd10Code(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn low_back_codes_are_taken_and_written_one_way() {
        for (typed, stored) in [
            ("M54.50", "M54.50"),
            ("m5450", "M54.50"),
            (" M51.16 ", "M51.16"),
            ("M48.061", "M48.061"),
            ("S33.5XXA", "S33.5XXA"),
            ("M54", "M54"),
            ("C4A.9", "C4A.9"),
        ] {
            assert_eq!(Icd10Code::parse(typed).unwrap().as_str(), stored, "{typed}");
        }
    }

    #[test]
    fn other_shapes_are_refused_with_a_code() {
        for typed in ["", "M5", "54.50", "MM4.50", "M54.50123", "M5.450", "M54..5", "M54-50", "722.10"] {
            assert_eq!(Icd10Code::parse(typed).unwrap_err().code, "invalid_code", "{typed}");
        }
    }
}
