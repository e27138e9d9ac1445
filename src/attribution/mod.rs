//! Which digital efforts drove offline action. Every method is transparent and shown side by
//! side: direct codes (no model), person-level rules over each person's touches before the
//! action (last, first, linear, time-decay, position-based), a first-order Markov chain with
//! removal effects, holdout lift with a confidence interval (`lift`), and regression of weekly
//! counts on carried-over channel activity (`aggregate`).
//!
//! Credits always sum to the number of actions: actions with no touch in the window (or, for
//! `direct`, no code an effort owns) are credited to "no digital touch".

pub mod aggregate;
pub mod coverage;
pub mod design;
pub mod groups;
pub mod lift;
pub mod markov;
pub mod regression;
pub mod rules;

use foldhash::{HashMap, HashMapExt};

use anyhow::{Result, bail};
use rusqlite::{Connection, params};

use crate::metrics::{Family, Vocabulary};

pub const NO_TOUCH: &str = "no digital touch";
/// Direct codes: actions that carry a code their campaign claims (or a channel), but no single
/// effort's. They are not "no digital touch": something digital brought them, by channel at
/// least, so that credit is the same whether efforts or channels are credited.
pub const CODED: &str = "coded to the campaign, no single effort";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Direct,
    Last,
    First,
    Linear,
    TimeDecay,
    Position,
    Markov,
}

impl Model {
    pub const ALL: [Model; 7] = [
        Model::Direct,
        Model::Last,
        Model::First,
        Model::Linear,
        Model::TimeDecay,
        Model::Position,
        Model::Markov,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Model::Direct => "direct",
            Model::Last => "last",
            Model::First => "first",
            Model::Linear => "linear",
            Model::TimeDecay => "time-decay",
            Model::Position => "position",
            Model::Markov => "markov",
        }
    }
}

/// What credit is given to: one effort, or a channel. (`--by` reads it, as `--format` reads
/// `output::Format`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Effort,
    Channel,
}

/// Which event of a person's contact with an effort times the touch (`--touch` reads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TouchKind {
    Any,
    Sent,
    Opened,
    Clicked,
}

impl TouchKind {
    /// The stored codes of the kinds this reads (`store::touch_kinds`).
    fn kinds(self) -> &'static [i64] {
        use crate::store::touch_kinds::{CLICKED, DELIVERED, OPENED, REPLIED, SENT};
        match self {
            TouchKind::Any => &[SENT, DELIVERED, OPENED, CLICKED, REPLIED],
            TouchKind::Sent => &[SENT, DELIVERED],
            TouchKind::Opened => &[OPENED],
            TouchKind::Clicked => &[CLICKED],
        }
    }
}

pub struct Options {
    pub campaign_id: Option<i64>,
    pub outcome: String,
    /// Seconds before an action in which touches count.
    pub window: i64,
    /// Seconds for a touch's weight to halve (time-decay).
    pub half_life: i64,
    pub by: By,
    pub touch: TouchKind,
    /// Only actions at or after the first and before the second (unix seconds), when given.
    pub period: Option<(i64, i64)>,
}

/// One row of the answer: a key (effort or channel), a model, and its credit in actions.
#[derive(Debug, Clone, PartialEq)]
pub struct Credit {
    pub key: String,
    pub model: Model,
    pub credit: f64,
    pub share: f64,
}

/// A touch as the models see it: which key it belongs to and when (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Touch {
    pub key: usize,
    pub at: i64,
}

/// An action and the touches before it, inside the window, oldest first.
#[derive(Debug, Clone)]
pub struct Path {
    pub at: i64,
    pub touches: Vec<Touch>,
    /// The key its code names directly, if any.
    pub direct: Option<usize>,
    /// Whether it carries a code (or a channel) that names no key.
    pub coded: bool,
}

/// Everything the models need, loaded once.
pub struct Evidence {
    pub keys: Vec<String>,
    pub converting: Vec<Path>,
    /// Touch sequences of people who did not act (for the Markov chain's null paths).
    pub non_converting: Vec<Vec<Touch>>,
}

/// Parses a duration such as `7d`, `36h` or `90m` into seconds.
pub fn parse_duration(text: &str) -> Result<i64> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: i64 = match number.parse() {
        Ok(n) if n > 0 => n,
        _ => bail!(
            "'{text}' is not a duration; write it like 7d (days), 36h (hours) or 90m (minutes)"
        ),
    };
    let seconds = match unit {
        "d" | "" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "w" => 7 * 86_400,
        _ => bail!(
            "'{text}' is not a duration; write it like 7d (days), 36h (hours) or 90m (minutes)"
        ),
    };
    Ok(number * seconds)
}

/// Loads the outcome's actions and everyone's touches, and builds each action's path.
pub fn load(conn: &Connection, options: &Options) -> Result<Evidence> {
    let vocabulary = Vocabulary::load(conn)?;
    let outcome = vocabulary.resolve(&options.outcome)?;
    if outcome.family != Family::Result {
        bail!(
            "--outcome {} is a comms milestone; drivers explain results such as rsvps, attended, calls, signups or donations",
            outcome.name
        );
    }

    // The efforts, and which key each belongs to.
    let mut keys: Vec<String> = Vec::new();
    let mut key_index: HashMap<String, usize> = HashMap::new();
    let mut effort_key: HashMap<i64, usize> = HashMap::new();
    // Which key each code names: efforts by their id (and so their channel).
    let mut code_owner: HashMap<String, usize> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT id, external_id, channel, campaign_id FROM effort")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let external_id: String = row.get(1)?;
            let campaign: Option<i64> = row.get(3)?;
            let name: String = match options.by {
                By::Effort => external_id.clone(),
                By::Channel => row.get(2)?,
            };
            let in_scope = options.campaign_id.is_none() || campaign == options.campaign_id;
            if !in_scope && campaign.is_some() {
                continue;
            }
            let k = *key_index.entry(name.clone()).or_insert_with(|| {
                keys.push(name);
                keys.len() - 1
            });
            code_owner.insert(external_id.to_lowercase(), k);
            if in_scope {
                effort_key.insert(id, k);
            }
        }
    }

    // Each person's touches: one per effort, at its first event of the chosen kind. Touches
    // are stored by send; they are read as they lie and sorted here by person, which costs far
    // less than an index by person would take on disk.
    let kinds = options.touch.kinds();
    let filter = if kinds.len() == TouchKind::Any.kinds().len() {
        String::new()
    } else {
        format!("WHERE kind IN ({})", vec!["?"; kinds.len()].join(", "))
    };
    // The send group of an experiment linked to its send was sent it, whether or not the
    // export records sends per person (Mailchimp's records only opens and clicks).
    let linked: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM experiment WHERE effort_id IS NOT NULL)",
        [],
        |row| row.get(0),
    )?;
    let sql = if linked && kinds.contains(&crate::store::touch_kinds::SENT) {
        format!(
            "SELECT person_id, effort_id, at, 0 FROM touch {filter}
             UNION ALL
             SELECT person_id, effort_id, at, 1 FROM ({LINKED_SENDS})"
        )
    } else {
        format!("SELECT person_id, effort_id, at, 0 FROM touch {filter}")
    };
    let args: Vec<rusqlite::types::Value> = if filter.is_empty() {
        Vec::new()
    } else {
        kinds.iter().map(|k| (*k).into()).collect()
    };
    // Only each person's first touch of each effort matters. Touches come by effort, in time
    // order within a send, so the first of a (person, effort) pair is the first one read: a
    // stamp per person (the last effort that person was seen for) keeps only those. Linked
    // sends (part 1) are not in time order with the touches, so they get stamps of their own.
    let mut read: Vec<(i64, i64, usize, i64)> = Vec::new();
    {
        let mut stamps: Vec<u32> = Vec::new();
        let mut effort_number: HashMap<(i64, i64), u32> = HashMap::new();
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        while let Some(row) = rows.next()? {
            let effort: i64 = row.get(1)?;
            let Some(&key) = effort_key.get(&effort) else {
                continue;
            };
            let (person, at): (i64, i64) = (row.get(0)?, row.get(2)?);
            let part: i64 = row.get(3)?;
            let next = effort_number.len() as u32 + 1;
            let stamp = *effort_number.entry((effort, part)).or_insert(next);
            if let Ok(slot) = usize::try_from(person)
                && slot < 1 << 28
            {
                if slot >= stamps.len() {
                    stamps.resize(slot + 1, 0);
                }
                if stamps[slot] == stamp {
                    continue;
                }
                stamps[slot] = stamp;
            }
            read.push((person, at, key, effort));
        }
    }
    // By person, then time (a person's touches of an effort the stamp did not reduce, a rare
    // UNION of linked sends or a person id beyond the stamps, keep their earliest below).
    read.sort_unstable();
    // All touches in one vector, person by person: `people` holds each person's id, ascending,
    // and `spans` where their touches are. One allocation instead of one per person, and
    // lookups by binary search instead of hashing.
    let mut touches: Vec<Touch> = Vec::with_capacity(read.len());
    let mut people: Vec<i64> = Vec::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    {
        let mut seen_efforts: Vec<i64> = Vec::new();
        let mut person: Option<i64> = None;
        for (row_person, at, key, effort) in read {
            if person != Some(row_person) {
                if let Some(done) = person {
                    people.push(done);
                    spans.push((touches.len() - seen_efforts.len(), touches.len()));
                }
                person = Some(row_person);
                seen_efforts.clear();
            }
            // Earliest first: a later touch of an effort already held adds nothing.
            if !seen_efforts.contains(&effort) {
                seen_efforts.push(effort);
                touches.push(Touch { key, at });
            }
        }
        if let Some(done) = person {
            people.push(done);
            spans.push((touches.len() - seen_efforts.len(), touches.len()));
        }
    }
    for &(start, end) in &spans {
        touches[start..end].sort_by_key(|t| (t.at, t.key));
    }
    // Person ids are dense (they count up from 1): a slot per id finds a person's touches with
    // one memory read. Should they ever be sparse, a binary search does.
    let max_person = people.last().copied().unwrap_or(0);
    let slots: Vec<u32> =
        if max_person >= 0 && (max_person as usize) <= 4 * people.len() + (1 << 20) {
            let mut slots = vec![u32::MAX; max_person as usize + 1];
            for (index, &person) in people.iter().enumerate() {
                slots[person as usize] = index as u32;
            }
            slots
        } else {
            Vec::new()
        };
    let person_index = |person: i64| -> Option<usize> {
        if slots.is_empty() {
            people.binary_search(&person).ok()
        } else {
            usize::try_from(person)
                .ok()
                .and_then(|p| slots.get(p))
                .filter(|&&slot| slot != u32::MAX)
                .map(|&slot| slot as usize)
        }
    };
    let mut acted = vec![false; people.len()];

    let mut converting = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT person_id, at, source_code, channel FROM action
         WHERE metric = ?1 AND (?2 IS NULL OR campaign_id = ?2)
           AND (?3 IS NULL OR unixepoch(at) >= ?3) AND (?4 IS NULL OR unixepoch(at) < ?4)",
    )?;
    let (from, to) = options.period.unzip();
    let mut rows = stmt.query(params![outcome.name, options.campaign_id, from, to])?;
    while let Some(row) = rows.next()? {
        let person: Option<i64> = row.get(0)?;
        let at = epoch_seconds(row.get_ref(1)?.as_str()?)?;
        let code = row.get_ref(2)?.as_str_or_null()?;
        let channel = row.get_ref(3)?.as_str_or_null()?;
        let before: Vec<Touch> = match person.and_then(person_index) {
            Some(index) => {
                acted[index] = true;
                let (start, end) = spans[index];
                let all = &touches[start..end];
                let first = all.partition_point(|t| t.at < at - options.window);
                let last = all.partition_point(|t| t.at < at);
                all[first..last].to_vec()
            }
            None => Vec::new(),
        };
        // Direct: the effort that owns the action's code; by channel, also the channel the
        // action says it came through (a UTM medium).
        let mut direct = code.and_then(|c| {
            if c.bytes().any(|b| b.is_ascii_uppercase()) || !c.is_ascii() {
                code_owner.get(&c.to_lowercase()).copied()
            } else {
                code_owner.get(c).copied()
            }
        });
        if direct.is_none()
            && options.by == By::Channel
            && let Some(channel) = channel
        {
            direct = Some(match key_index.get(channel) {
                Some(&k) => k,
                None => {
                    keys.push(channel.to_string());
                    key_index.insert(channel.to_string(), keys.len() - 1);
                    keys.len() - 1
                }
            });
        }
        converting.push(Path {
            at,
            touches: before,
            coded: direct.is_none() && (code.is_some() || channel.is_some()),
            direct,
        });
    }
    let non_converting = spans
        .iter()
        .zip(&acted)
        .filter(|(_, acted)| !**acted)
        .map(|(&(start, end), _)| touches[start..end].to_vec())
        .collect();
    Ok(Evidence {
        keys,
        converting,
        non_converting,
    })
}

/// Who each linked experiment sent its effort to, as touch rows (person, effort, time): the
/// members assigned to be sent, at the effort's send time (else its first recorded touch).
pub const LINKED_SENDS: &str = "SELECT DISTINCT pi.person_id AS person_id, x.effort_id AS effort_id,
        coalesce(unixepoch(e.sent_at), (SELECT min(t.at) FROM touch t WHERE t.effort_id = e.id)) AS at
    FROM experiment x
    JOIN experiment_member m ON m.experiment_id = x.id AND m.assigned = 'send'
    JOIN experiment_identifier i ON i.experiment_id = m.experiment_id AND i.member = m.member
    JOIN person_identifier pi ON pi.hash = i.hash
    JOIN effort e ON e.id = x.effort_id
    WHERE x.effort_id IS NOT NULL
      AND coalesce(e.sent_at, (SELECT min(t.at) FROM touch t WHERE t.effort_id = e.id)) IS NOT NULL";

/// Seconds since 1970 of a stored time.
fn epoch_seconds(text: &str) -> Result<i64> {
    crate::dates::epoch_seconds(text)
        .ok_or_else(|| anyhow::anyhow!("a stored time cannot be read: {text}"))
}

/// Runs the models over the evidence. Every model's credits sum to the number of actions.
pub fn credit(evidence: &Evidence, models: &[Model], half_life: i64) -> Vec<Credit> {
    let actions = evidence.converting.len() as f64;
    let mut out = Vec::new();
    for &model in models {
        let mut credits = vec![0.0; evidence.keys.len()];
        let mut untouched = 0.0;
        let mut coded = 0.0;
        match model {
            Model::Direct => {
                for path in &evidence.converting {
                    match path.direct {
                        Some(k) => credits[k] += 1.0,
                        None if path.coded => coded += 1.0,
                        None => untouched += 1.0,
                    }
                }
            }
            Model::Markov => {
                let (markov_credits, without) = markov::credit(evidence);
                credits = markov_credits;
                untouched = without;
            }
            _ => {
                for path in &evidence.converting {
                    if path.touches.is_empty() {
                        untouched += 1.0;
                        continue;
                    }
                    for (k, weight) in rules::weights(model, &path.touches, path.at, half_life) {
                        credits[k] += weight;
                    }
                }
            }
        }
        for (k, value) in credits.iter().enumerate() {
            if *value > 0.0 {
                out.push(Credit {
                    key: evidence.keys[k].clone(),
                    model,
                    credit: *value,
                    share: if actions > 0.0 { value / actions } else { 0.0 },
                });
            }
        }
        if coded > 0.0 {
            out.push(Credit {
                key: CODED.to_string(),
                model,
                credit: coded,
                share: coded / actions,
            });
        }
        if untouched > 0.0 {
            out.push(Credit {
                key: NO_TOUCH.to_string(),
                model,
                credit: untouched,
                share: untouched / actions,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_duration("7d").unwrap(), 7 * 86_400);
        assert_eq!(parse_duration("36h").unwrap(), 36 * 3_600);
        assert_eq!(parse_duration("2w").unwrap(), 14 * 86_400);
        assert!(parse_duration("a week").is_err());
        assert!(parse_duration("0d").is_err());
    }
}

#[cfg(test)]
mod sums {
    use super::lift::tests::Rng;
    use super::*;

    #[test]
    fn every_models_credits_sum_to_the_actions() {
        // Random paths over five keys, some actions without touches, some with codes.
        for seed in 0..50 {
            let mut rng = Rng::new(seed);
            let mut pick = |n: usize| (rng.next_f64() * n as f64) as usize;
            let keys: Vec<String> = (0..5).map(|k| format!("k{k}")).collect();
            let converting: Vec<Path> = (0..40)
                .map(|_| {
                    let n = pick(5);
                    let touches = (0..n)
                        .map(|i| Touch {
                            key: pick(5),
                            at: i as i64 * 3600,
                        })
                        .collect();
                    let direct = if pick(2) == 0 { Some(pick(5)) } else { None };
                    Path {
                        at: 86_400,
                        touches,
                        coded: direct.is_none() && pick(2) == 0,
                        direct,
                    }
                })
                .collect();
            let non_converting: Vec<Vec<Touch>> = (0..30)
                .map(|_| {
                    (0..1 + pick(4))
                        .map(|i| Touch {
                            key: pick(5),
                            at: i as i64,
                        })
                        .collect()
                })
                .collect();
            let evidence = Evidence {
                keys,
                converting,
                non_converting,
            };
            for model in Model::ALL {
                let total: f64 = credit(&evidence, &[model], 86_400)
                    .iter()
                    .map(|c| c.credit)
                    .sum();
                assert!(
                    (total - 40.0).abs() < 1e-9,
                    "seed {seed}, {}: {total}",
                    model.as_str()
                );
            }
        }
    }
}
