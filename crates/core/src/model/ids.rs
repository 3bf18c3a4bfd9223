//! Identity: stable item ids, short human references, municipality codes, dates.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An item's identity. Assigned once at creation, never changed, never reused; every link
/// between items (a measure mitigating a risk, an override of a base item) uses it.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct ItemId(pub String);

impl ItemId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ItemId {
    fn from(s: &str) -> Self {
        ItemId(s.to_owned())
    }
}

/// The short reference printed in documents (R7, M12, KBH-R2). Unique within one joint DPIA;
/// never renumbered once it has been shown, so a reference in a signed PDF keeps pointing
/// at the same item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, Default)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct Reference(pub String);

impl Reference {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Splits "KBH-R12" into ("KBH-R", 12) for natural ordering and for numbering.
    pub fn split_number(&self) -> (&str, u64) {
        let s = self.0.as_str();
        let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (head, tail) = s.split_at(s.len() - digits);
        (head, tail.parse().unwrap_or(0))
    }
}

impl PartialOrd for Reference {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Natural order: R2 before R10, base references before a municipality's.
impl Ord for Reference {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let (ha, na) = self.split_number();
        let (hb, nb) = other.split_number();
        ha.len()
            .cmp(&hb.len())
            .then_with(|| ha.cmp(hb))
            .then_with(|| na.cmp(&nb))
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Official Danish municipality code (kommunekode), e.g. 101 København, 561 Esbjerg, 751 Aarhus.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct OrgCode(pub u16);

impl fmt::Display for OrgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for OrgCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<u16>()
            .ok()
            .filter(|c| (100..=999).contains(c))
            .map(OrgCode)
            .ok_or_else(|| format!("«{s}» is not a municipality code (three digits, e.g. 101)"))
    }
}

/// A calendar date, written as ISO 8601 `YYYY-MM-DD` in documents and JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "specta", specta(type = String))]
pub struct Day(pub time::Date);

/// The published schema says what [`Day::parse`] accepts, so a validator refuses
/// «21.06.2023» as the importer does (the calendar check, e.g. 30 February, stays ours).
impl JsonSchema for Day {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Day".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" })
    }
}

const ISO_DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl Day {
    pub fn parse(s: &str) -> Result<Self, String> {
        time::Date::parse(s, ISO_DATE)
            .map(Day)
            .map_err(|_| format!("«{s}» is not a date of the form YYYY-MM-DD"))
    }
    pub fn ymd(year: i32, month: u8, day: u8) -> Self {
        let month = time::Month::try_from(month).expect("month 1-12");
        Day(time::Date::from_calendar_date(year, month, day).expect("valid date"))
    }
    /// Today in UTC.
    pub fn today() -> Self {
        Day(time::OffsetDateTime::now_utc().date())
    }
    /// Danish style, e.g. 21.06.2023.
    pub fn danish(&self) -> String {
        format!("{:02}.{:02}.{}", self.0.day(), self.0.month() as u8, self.0.year())
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.format(ISO_DATE).map_err(|_| fmt::Error)?)
    }
}

impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Day::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_sort_naturally_base_before_local() {
        let mut refs: Vec<Reference> = ["R10", "KBH-R2", "R2", "R1", "KBH-R10", "KBH-R9"]
            .iter()
            .map(|s| Reference(s.to_string()))
            .collect();
        refs.sort();
        let got: Vec<&str> = refs.iter().map(|r| r.as_str()).collect();
        assert_eq!(got, ["R1", "R2", "R10", "KBH-R2", "KBH-R9", "KBH-R10"]);
    }

    /// The cases the app's own reference comparison was tested with, before the app took
    /// the order from here (the effective DPIA's entries come in reference order).
    #[test]
    fn references_sort_as_the_app_shows_them() {
        let sorted = |refs: &[&str]| {
            let mut v: Vec<Reference> = refs.iter().map(|s| Reference(s.to_string())).collect();
            v.sort();
            v.into_iter().map(|r| r.0).collect::<Vec<_>>()
        };
        assert_eq!(sorted(&["R10", "R2", "R1", "R21"]), ["R1", "R2", "R10", "R21"]);
        assert_eq!(sorted(&["KBH-R2", "R7", "ESB-R1", "KBH-R10", "R12"]), ["R7", "R12", "ESB-R1", "KBH-R2", "KBH-R10"]);
        assert_eq!(sorted(&["R1", "M3", "M12", "F2"]), ["F2", "M3", "M12", "R1"]);
        assert_eq!(Reference("R5".into()).cmp(&Reference("R5".into())), std::cmp::Ordering::Equal);
        assert_eq!(sorted(&["R1", "R"]), ["R", "R1"]);
    }

    #[test]
    fn day_round_trips_and_rejects_garbage() {
        let d = Day::parse("2023-06-21").unwrap();
        assert_eq!(d.to_string(), "2023-06-21");
        assert_eq!(d.danish(), "21.06.2023");
        assert!(Day::parse("21-06-2023").is_err());
        assert!(Day::parse("2023-02-30").is_err());
    }

    #[test]
    fn org_codes_are_three_digits() {
        assert_eq!("101".parse::<OrgCode>().unwrap(), OrgCode(101));
        assert!("1".parse::<OrgCode>().is_err());
        assert!("KBH".parse::<OrgCode>().is_err());
    }
}
