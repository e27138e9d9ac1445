//! What the profiles say, for the commands that show or check them (`profiles`, `definitions`,
//! `audience`): no file is imported here.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result, bail};

use super::{ProfileSummary, Registry};
use crate::import::model::spec;
use crate::metrics::Vocabulary;
use crate::store::Store;

/// Every profile this database can use: built-in ones, then the user's own.
pub fn profile_summaries(store: &Store) -> Result<Vec<ProfileSummary>> {
    let vocabulary = Vocabulary::load(store.conn())?;
    Ok(Registry::load(&vocabulary, store.path())?.summaries())
}

/// One profile, by name or by the path of its file.
pub fn profile_spec(store: &Store, name: &str) -> Result<(spec::ProfileSpec, String)> {
    let vocabulary = Vocabulary::load(store.conn())?;
    let mut registry = Registry::load(&vocabulary, store.path())?;
    let name = if name.ends_with(".toml") || name.contains('/') {
        registry.add_file(std::path::Path::new(name), &vocabulary)?
    } else {
        name.to_string()
    };
    match registry.get(&name) {
        Some(profile) => match profile.spec() {
            Some(spec) => Ok((spec.clone(), profile.origin())),
            None => bail!(
                "{name} is turnout's own format, built into turnout: columns date,campaign,channel,effort,metric,value,source (see imports/README.md)"
            ),
        },
        None => bail!(
            "there is no import profile called '{name}'. Profiles: {}",
            registry.names().join(", ")
        ),
    }
}

/// The import profile that knows a file, by name, and the (column, kind) of each of its people's
/// emails and phones.
pub type Recognised = Option<(String, Vec<(usize, crate::people::IdKind)>)>;

/// Finds, in a header an import profile recognises, the columns that hold people's emails and
/// phones as the profile declares them. (A Spoke contacts file also holds its texters' emails and
/// phones; only the profile knows which columns are the people.)
pub struct PersonColumns {
    registry: Registry,
}

impl PersonColumns {
    pub fn load(store: &Store) -> Result<PersonColumns> {
        let vocabulary = Vocabulary::load(store.conn())?;
        Ok(PersonColumns {
            registry: Registry::load(&vocabulary, store.path())?,
        })
    }

    /// The recognising profile's name and each (column, kind), none of them when the export
    /// names no one; nothing when no profile recognises the header.
    pub fn find(&self, header: &[String]) -> Recognised {
        use crate::people::IdKind;
        let profile = self.registry.recognise(header)?;
        let spec = profile.spec()?;
        let mut columns = Vec::new();
        for field in spec.fields.values() {
            let kind = match field.kind {
                spec::FieldType::Email => IdKind::Email,
                spec::FieldType::Phone => IdKind::Phone,
                _ => continue,
            };
            if let Some(index) = header.iter().position(|h| {
                field
                    .headers
                    .iter()
                    .any(|name| h.trim().eq_ignore_ascii_case(name.trim()))
            }) && !columns.contains(&(index, kind))
            {
                columns.push((index, kind));
            }
        }
        columns.sort_unstable();
        Some((profile.name().to_string(), columns))
    }
}

/// Checks a profile file: the parsed profile, or every problem with its line.
pub fn check_profile(
    store: &Store,
    path: &std::path::Path,
) -> Result<std::result::Result<spec::ProfileSpec, Vec<spec::SpecError>>> {
    let vocabulary = Vocabulary::load(store.conn())?;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the profile {}", path.display()))?;
    Ok(spec::parse(&text, &|m: &str| vocabulary.find(m).is_some()))
}

/// For each metric, the export columns that feed it ("mailchimp-campaigns: Unique Opens"), from
/// every profile this database can use.
pub fn metric_sources(store: &Store) -> Result<BTreeMap<String, Vec<String>>> {
    use spec::RecordSpec;
    let vocabulary = Vocabulary::load(store.conn())?;
    let registry = Registry::load(&vocabulary, store.path())?;
    let mut sources: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |metric: &str, text: String| {
        let list = sources.entry(metric.to_string()).or_default();
        if !list.contains(&text) {
            list.push(text);
        }
    };
    for name in registry.names() {
        let Some(spec) = registry.get(name).and_then(|p| p.spec()) else {
            continue;
        };
        let column = |field: &str| {
            spec.fields
                .get(field)
                .and_then(|f| f.headers.first().cloned())
                .unwrap_or_else(|| field.to_string())
        };
        for record in &spec.records {
            match record {
                RecordSpec::EffortMetrics { metrics, .. } | RecordSpec::Metrics { metrics, .. } => {
                    for (metric, field) in metrics {
                        add(metric, format!("{}: {}", spec.name, column(field)));
                    }
                }
                RecordSpec::Action { metric, .. } => {
                    add(metric, format!("{}: one per row", spec.name));
                }
                RecordSpec::Touch { touch, .. } => {
                    let metrics: &[&str] = match touch.as_str() {
                        "opened" => &["opens", "unique_opens"],
                        "clicked" => &["clicks", "unique_clicks"],
                        "replied" => &["replies"],
                        "delivered" => &["delivered"],
                        _ => &["sent"],
                    };
                    for metric in metrics {
                        add(metric, format!("{}: per person ({touch})", spec.name));
                    }
                }
                RecordSpec::Event { .. } | RecordSpec::Person { .. } | RecordSpec::Plan { .. } => {}
            }
        }
    }
    Ok(sources)
}
