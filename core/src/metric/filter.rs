//! Billable-metric filters and charge filters: which events a charge (or one of its filter buckets)
//! aggregates.
//!
//! A metric declares its filter dimensions (`filters: [{key, values}]`); a charge prices some
//! combinations of them (`filters: [{values: {key: [values]}}]`), and the events matching none of its
//! filters fall in the charge's default bucket. Lago turns a bucket into a *matching* condition (every
//! key of the bucket holds one of its values) and a list of *ignored* conditions (the other filters that
//! overlap it, so that an event is counted in one bucket only — the most specific one). This module
//! computes both exactly as Lago does and tests events against them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::metric::value::property_text;

/// The value of a charge filter meaning "every value the metric's filter lists".
///
/// ```
/// assert_eq!(lagom_core::metric::filter::ALL_FILTER_VALUES, "__ALL_FILTER_VALUES__");
/// ```
pub const ALL_FILTER_VALUES: &str = "__ALL_FILTER_VALUES__";

/// One filter dimension of a billable metric, in Lago's JSON shape.
///
/// ```
/// let f: lagom_core::metric::BillableMetricFilter =
///     serde_json::from_str(r#"{"key": "region", "values": ["eu", "us"]}"#).unwrap();
/// assert_eq!(f.values, ["eu", "us"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "typescript", derive(tsify::Tsify), tsify(missing_as_null))]
pub struct BillableMetricFilter {
    pub key: String,
    pub values: Vec<String>,
}

/// One filter of a charge, in Lago's JSON shape (`invoice_display_name` and `properties` are accepted
/// and ignored here: they matter to pricing, not to aggregation).
///
/// ```
/// let f: lagom_core::metric::ChargeFilter =
///     serde_json::from_str(r#"{"values": {"region": ["eu"]}, "properties": {"amount": "1"}}"#).unwrap();
/// assert_eq!(f.values["region"], ["eu"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AggregationChargeFilter))]
#[cfg_attr(
    feature = "typescript",
    derive(tsify::Tsify),
    tsify(rename = "AggregationChargeFilter", missing_as_null)
)]
pub struct ChargeFilter {
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, string[]>"))]
    pub values: BTreeMap<String, Vec<String>>,
}

/// A filter's values with `__ALL_FILTER_VALUES__` replaced by the metric's values for that key.
type Resolved = BTreeMap<String, Vec<String>>;

/// The condition a filter bucket puts on events: Lago's `matching_filters` and `ignored_filters`.
///
/// ```
/// use lagom_core::metric::{BillableMetricFilter, ChargeFilter, EventFilter};
/// let metric = [BillableMetricFilter { key: "region".into(), values: vec!["eu".into(), "us".into()] }];
/// let eu: ChargeFilter = serde_json::from_str(r#"{"values": {"region": ["eu"]}}"#).unwrap();
/// let charge = [eu.clone()];
/// let props = |region: &str| serde_json::json!({ "region": region }).as_object().unwrap().clone();
///
/// let eu_bucket = EventFilter::for_bucket(&metric, &charge, Some(&eu)).unwrap();
/// assert!(eu_bucket.accepts(&props("eu")));
/// assert!(!eu_bucket.accepts(&props("us")));
///
/// let default_bucket = EventFilter::for_bucket(&metric, &charge, None).unwrap();
/// assert!(!default_bucket.accepts(&props("eu")));
/// assert!(default_bucket.accepts(&props("us")));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct EventFilter {
    matching: Vec<(String, Vec<String>)>,
    ignored: Vec<Vec<(String, Vec<String>)>>,
}

impl EventFilter {
    /// The filter that accepts every event (a charge without filters).
    ///
    /// ```
    /// let all = lagom_core::metric::EventFilter::all();
    /// assert!(all.is_all());
    /// assert!(all.accepts(&serde_json::Map::new()));
    /// ```
    pub fn all() -> Self {
        EventFilter::default()
    }

    /// The condition of one bucket of a charge: `bucket` is one of `charge_filters` (or a filter to try
    /// against them), `None` is the default bucket of events matching none of them. Filters are checked
    /// against the metric's dimensions; errors name `charge.filters[i]` or `charge_filter`.
    pub fn for_bucket(
        metric_filters: &[BillableMetricFilter],
        charge_filters: &[ChargeFilter],
        bucket: Option<&ChargeFilter>,
    ) -> Result<Self> {
        let resolved = charge_filters
            .iter()
            .enumerate()
            .map(|(i, f)| {
                resolve(metric_filters, f).map_err(|e| e.within(&format!("charge.filters[{i}]")))
            })
            .collect::<Result<Vec<_>>>()?;
        let Some(bucket) = bucket else {
            // The default bucket matches nothing in particular and ignores every filter's events.
            return Ok(EventFilter {
                matching: Vec::new(),
                ignored: resolved.iter().map(to_pairs).collect(),
            });
        };
        let matching = resolve(metric_filters, bucket).map_err(|e| e.within("charge_filter"))?;
        // The bucket's own place among the charge's filters: filters before it are older.
        let position = charge_filters.iter().position(|f| f == bucket);
        let ignored = resolved
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != position)
            .filter(|(_, child)| overlaps(&matching, child))
            .filter_map(|(i, child)| {
                let older = position.is_none_or(|p| i < p);
                ignored_part(&matching, bucket, child, older)
            })
            .map(|child| to_pairs(&child))
            .collect();
        Ok(EventFilter {
            matching: to_pairs(&matching),
            ignored,
        })
    }

    /// Whether an event with these properties falls in the bucket.
    pub fn accepts(&self, properties: &Map<String, Value>) -> bool {
        let matches = self.matching.iter().all(|(key, values)| {
            property_text(properties, key).is_some_and(|text| values.iter().any(|v| *v == *text))
        });
        matches
            && !self
                .ignored
                .iter()
                .any(|clause| ignored_clause_matches(clause, properties))
    }

    /// Whether this filter accepts everything (no per-event test needed).
    pub fn is_all(&self) -> bool {
        self.matching.is_empty() && self.ignored.is_empty()
    }
}

/// Lago ignores an event when, for every key of an overlapping filter that lists values, the event's
/// value (a missing one reading as the empty string) is one of them. A filter without any listed
/// values ignores nothing.
fn ignored_clause_matches(
    clause: &[(String, Vec<String>)],
    properties: &Map<String, Value>,
) -> bool {
    let mut listed = clause
        .iter()
        .filter(|(_, values)| !values.is_empty())
        .peekable();
    listed.peek().is_some()
        && listed.all(|(key, values)| {
            let text = property_text(properties, key);
            let text = text.as_deref().unwrap_or("");
            values.iter().any(|v| v == text)
        })
}

/// A child overlaps the bucket when, for every key of the bucket, it lists one of the bucket's values.
fn overlaps(matching: &Resolved, child: &Resolved) -> bool {
    matching
        .iter()
        .all(|(key, values)| values.iter().any(|v| values_of(child, key).contains(v)))
}

/// What of an overlapping filter the bucket must ignore. On the same keys: an identical filter is
/// ignored only when it is older (the oldest of identical filters counts the events), a filter whose
/// values are a subset of the bucket's is ignored whole, and otherwise the bucket's own values are
/// taken out of it (except on keys where the bucket takes all values). On other keys: ignored whole.
fn ignored_part(
    matching: &Resolved,
    bucket: &ChargeFilter,
    child: &Resolved,
    older: bool,
) -> Option<Resolved> {
    if !child.keys().eq(matching.keys()) {
        return Some(child.clone());
    }
    let identical = child
        .iter()
        .all(|(key, values)| same_set(values, values_of(matching, key)));
    if identical {
        return older.then(|| child.clone());
    }
    let subset = child
        .iter()
        .all(|(key, values)| values.iter().all(|v| values_of(matching, key).contains(v)));
    if subset {
        return Some(child.clone());
    }
    let trimmed = child
        .iter()
        .map(|(key, values)| {
            let takes_all = bucket.values.get(key).is_some_and(|v| is_all_values(v));
            let kept = if takes_all {
                values.clone()
            } else {
                values
                    .iter()
                    .filter(|v| !values_of(matching, key).contains(v))
                    .cloned()
                    .collect()
            };
            (key.clone(), kept)
        })
        .collect();
    Some(trimmed)
}

/// A filter's values for a key (none when it does not name the key).
fn values_of<'a>(filter: &'a Resolved, key: &str) -> &'a [String] {
    filter.get(key).map(Vec::as_slice).unwrap_or_default()
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

fn is_all_values(values: &[String]) -> bool {
    matches!(values, [only] if only == ALL_FILTER_VALUES)
}

fn to_pairs(filter: &Resolved) -> Vec<(String, Vec<String>)> {
    filter.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Checks a charge filter against the metric's dimensions (as Lago validates a charge filter value) and
/// expands `__ALL_FILTER_VALUES__`.
fn resolve(metric_filters: &[BillableMetricFilter], filter: &ChargeFilter) -> Result<Resolved> {
    if filter.values.is_empty() {
        return Err(Error::invalid(
            "values",
            "a charge filter needs at least one key",
        ));
    }
    filter
        .values
        .iter()
        .map(|(key, values)| {
            let path = format!("values.{key}");
            let dimension = metric_filters
                .iter()
                .find(|f| f.key == *key)
                .ok_or_else(|| {
                    let known: Vec<&str> = metric_filters.iter().map(|f| f.key.as_str()).collect();
                    Error::invalid(
                        &path,
                        format!(
                            "`{key}` is not a filter key of the billable metric (its keys: {})",
                            known.join(", ")
                        ),
                    )
                })?;
            if values.is_empty() {
                return Err(Error::invalid(&path, "must list at least one value"));
            }
            if is_all_values(values) {
                return Ok((key.clone(), dimension.values.clone()));
            }
            if let Some((i, unknown)) = values
                .iter()
                .enumerate()
                .find(|(_, v)| !dimension.values.contains(v))
            {
                return Err(Error::invalid(
                    format!("{path}[{i}]"),
                    format!("`{unknown}` is not one of the billable metric's values for `{key}`"),
                ));
            }
            Ok((key.clone(), values.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dims() -> Vec<BillableMetricFilter> {
        serde_json::from_value(json!([
            {"key": "cloud", "values": ["aws", "gcp", "azure"]},
            {"key": "region", "values": ["eu", "us"]}
        ]))
        .unwrap()
    }

    fn filter(values: Value) -> ChargeFilter {
        serde_json::from_value(json!({ "values": values })).unwrap()
    }

    fn props(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_more_specific_filter_wins() {
        // {cloud: aws} and {cloud: aws, region: eu}: an aws/eu event belongs to the second only.
        let aws = filter(json!({"cloud": ["aws"]}));
        let aws_eu = filter(json!({"cloud": ["aws"], "region": ["eu"]}));
        let charge = [aws.clone(), aws_eu.clone()];
        let aws_bucket = EventFilter::for_bucket(&dims(), &charge, Some(&aws)).unwrap();
        let aws_eu_bucket = EventFilter::for_bucket(&dims(), &charge, Some(&aws_eu)).unwrap();
        let event = props(json!({"cloud": "aws", "region": "eu"}));
        assert!(!aws_bucket.accepts(&event));
        assert!(aws_eu_bucket.accepts(&event));
        assert!(aws_bucket.accepts(&props(json!({"cloud": "aws", "region": "us"}))));
        assert!(aws_bucket.accepts(&props(json!({"cloud": "aws"}))));
    }

    #[test]
    fn same_keys_take_out_the_buckets_own_values() {
        // {cloud: [aws, gcp]} and {cloud: [gcp, azure]}: the gcp overlap stays in each bucket.
        let a = filter(json!({"cloud": ["aws", "gcp"]}));
        let b = filter(json!({"cloud": ["gcp", "azure"]}));
        let charge = [a.clone(), b.clone()];
        let a_bucket = EventFilter::for_bucket(&dims(), &charge, Some(&a)).unwrap();
        assert!(a_bucket.accepts(&props(json!({"cloud": "gcp"}))));
        assert!(a_bucket.accepts(&props(json!({"cloud": "aws"}))));
        assert!(!a_bucket.accepts(&props(json!({"cloud": "azure"}))));
    }

    #[test]
    fn identical_filters_count_in_the_oldest_only() {
        let a = filter(json!({"cloud": ["aws"]}));
        let charge = [a.clone(), a.clone()];
        let first = EventFilter::for_bucket(&dims(), &charge, Some(&a)).unwrap();
        assert!(first.accepts(&props(json!({"cloud": "aws"}))));
    }

    #[test]
    fn all_values_and_bad_filters() {
        let all = filter(json!({"region": [ALL_FILTER_VALUES]}));
        let bucket =
            EventFilter::for_bucket(&dims(), std::slice::from_ref(&all), Some(&all)).unwrap();
        assert!(bucket.accepts(&props(json!({"region": "us"}))));
        assert!(!bucket.accepts(&props(json!({"region": "asia"}))));
        assert!(!bucket.accepts(&props(json!({}))));

        let err = EventFilter::for_bucket(&dims(), &[], Some(&filter(json!({"os": ["linux"]}))))
            .unwrap_err();
        assert_eq!(err.path(), Some("charge_filter.values.os"));
        let err = EventFilter::for_bucket(&dims(), &[], Some(&filter(json!({"cloud": ["ibm"]}))))
            .unwrap_err();
        assert_eq!(err.path(), Some("charge_filter.values.cloud[0]"));
    }
}
