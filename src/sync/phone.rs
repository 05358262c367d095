//! Phone numbers as Rankr compares them: E.164 (C06). A number is kept as entered for display
//! and matched by its E.164 form; a number without a country code is read only when a default
//! country is configured, and refused otherwise rather than guessed.

use phonenumber::Mode;
use phonenumber::country::Id;

/// Why a phone number has no E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// No `+` country code and no default country to read it with.
    #[error("{0:?} has no country code and no default country is configured")]
    NoCountryCode(String),
    /// The default country is not an ISO 3166 code.
    #[error("unknown default country {0:?}; use an ISO 3166 code such as US or DE")]
    UnknownCountry(String),
    /// The text is not a phone number.
    #[error("{0:?} is not a phone number")]
    Unreadable(String),
}

/// The country a default-country code names (`US`, `de`; ISO 3166 alpha-2, case-blind), as
/// phone numbers are read in it; the configuration is checked with it too.
pub fn country(code: &str) -> Result<Id, PhoneError> {
    code.trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| PhoneError::UnknownCountry(code.to_string()))
}

/// The E.164 form of `raw` (`+8613800138000`), reading a number without `+` in
/// `default_country` when one is given.
pub fn to_e164(raw: &str, default_country: Option<&str>) -> Result<String, PhoneError> {
    let text = raw.trim();
    // The digits of the number itself: a leading "00" is the international prefix, not part
    // of it, so "00101" is three digits, as its E.164 form "+101" would be.
    let own = text.strip_prefix("00").unwrap_or(text);
    let digits = own.chars().filter(char::is_ascii_digit).count();
    if digits < 4 {
        return Err(PhoneError::Unreadable(raw.to_string()));
    }
    let country = if text.starts_with('+') || text.starts_with("00") {
        None
    } else {
        let Some(code) = default_country else {
            return Err(PhoneError::NoCountryCode(raw.to_string()));
        };
        Some(country(code)?)
    };
    let text = text
        .strip_prefix("00")
        .map_or_else(|| text.to_string(), |rest| format!("+{rest}"));
    let number =
        phonenumber::parse(country, &text).map_err(|_| PhoneError::Unreadable(raw.to_string()))?;
    let e164 = number.format().mode(Mode::E164).to_string();
    // Parsing drops trunk prefixes ("+7 8..." loses the 8) and reads short numbers in a
    // country that it refuses in E.164: the result must read back as itself, or it is no
    // number to match contacts by.
    let reads_back = phonenumber::parse(None, &e164)
        .is_ok_and(|again| again.format().mode(Mode::E164).to_string() == e164);
    if !reads_back || e164.chars().filter(char::is_ascii_digit).count() < 4 {
        return Err(PhoneError::Unreadable(raw.to_string()));
    }
    Ok(e164)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_international_numbers_as_e164() {
        assert_eq!(
            to_e164("+86 138 0013 8000", None).unwrap(),
            "+8613800138000"
        );
        assert_eq!(to_e164("+1 888-888-8888", None).unwrap(), "+18888888888");
        assert_eq!(to_e164("0049 30 1234567", None).unwrap(), "+49301234567");
    }

    #[test]
    fn countries_are_iso_codes_in_either_case() {
        assert_eq!(country("US"), Ok(Id::US));
        assert_eq!(country(" de "), Ok(Id::DE));
        for code in ["XX", "", "USA", "1", "U S"] {
            assert_eq!(
                country(code),
                Err(PhoneError::UnknownCountry(code.into())),
                "{code:?}"
            );
        }
    }

    #[test]
    fn refuses_a_national_number_without_a_default_country() {
        assert_eq!(
            to_e164("(555) 123-4567", None),
            Err(PhoneError::NoCountryCode("(555) 123-4567".into()))
        );
        assert_eq!(
            to_e164("(555) 123-4567", Some("US")).unwrap(),
            "+15551234567"
        );
        assert_eq!(
            to_e164("(555) 123-4567", Some("us")).unwrap(),
            "+15551234567"
        );
        assert!(matches!(
            to_e164("555 1234", Some("XX")),
            Err(PhoneError::UnknownCountry(_))
        ));
        assert!(matches!(
            to_e164("n/a", Some("US")),
            Err(PhoneError::Unreadable(_))
        ));
    }
}
