//! The random assignment of an experiment: who is sent, who is held out.
//!
//! The rows of a list that share an email or phone are one person. Within each stratum (every
//! person, when there are no strata), people are put in the order of a hash of the seed and their
//! identifier, and the first `n x share` of that order are held out; the fraction of a person left
//! over is settled by one more hash of the seed and the stratum (block randomisation, as
//! `randomizr`'s `block_ra` does it). So the draw is fixed by the seed and the people alone: the
//! same seed on the same file, even sorted differently, holds out the same people, and no
//! database key is involved, so anyone can re-draw it from the file.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Result, bail};
use sha2::{Digest, Sha256};

use super::audience::ListFile;
use crate::people::IdKind;

/// One person of the list: the rows that share an identifier.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Indexes into the list's rows, in file order.
    pub rows: Vec<usize>,
    pub ids: Vec<(IdKind, String)>,
    pub stratum: Option<String>,
    pub held_out: bool,
}

/// How one stratum was split.
#[derive(Debug, Clone, PartialEq)]
pub struct StratumSplit {
    pub stratum: String,
    pub send: usize,
    pub held_out: usize,
}

#[derive(Debug, Clone)]
pub struct Draw {
    /// People in the order of their first row.
    pub units: Vec<Unit>,
    pub strata: Vec<StratumSplit>,
}

impl Draw {
    pub fn held_out(&self) -> usize {
        self.units.iter().filter(|u| u.held_out).count()
    }

    pub fn send(&self) -> usize {
        self.units.len() - self.held_out()
    }

    /// The list's rows of one group, in file order.
    pub fn rows(&self, held_out: bool) -> Vec<usize> {
        let mut rows: Vec<usize> = self
            .units
            .iter()
            .filter(|u| u.held_out == held_out)
            .flat_map(|u| u.rows.iter().copied())
            .collect();
        rows.sort_unstable();
        rows
    }
}

/// What a blank stratum value is called.
pub const BLANK_STRATUM: &str = "(blank)";

/// A number in [0, 2^64) from the seed and a text, the same on every machine.
fn rank(seed: u64, text: &str) -> u64 {
    let mut hasher = Sha256::new();
    hasher.update(b"turnout holdout draw v1\0");
    hasher.update(seed.to_string().as_bytes());
    hasher.update(b"\0");
    hasher.update(text.as_bytes());
    let digest = hasher.finalize();
    u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Groups a list's rows into people: rows sharing any identifier are one person.
pub fn units(list: &ListFile) -> Vec<Unit> {
    let mut units: Vec<Option<Unit>> = Vec::new();
    let mut owner: HashMap<(IdKind, String), usize> = HashMap::new();
    for (index, row) in list.rows.iter().enumerate() {
        let mut found: Vec<usize> = row
            .ids
            .iter()
            .filter_map(|id| owner.get(id).copied())
            .collect();
        found.sort_unstable();
        found.dedup();
        let target = match found.first() {
            Some(&first) => first,
            None => {
                units.push(Some(Unit {
                    rows: Vec::new(),
                    ids: Vec::new(),
                    stratum: row.stratum.clone(),
                    held_out: false,
                }));
                units.len() - 1
            }
        };
        // A row linking two people seen apart so far makes them one.
        for &other in found.iter().skip(1) {
            let merged = units[other].take().expect("a live unit");
            for id in &merged.ids {
                owner.insert(id.clone(), target);
            }
            let unit = units[target].as_mut().expect("a live unit");
            unit.rows.extend(merged.rows);
            unit.ids.extend(merged.ids);
        }
        let unit = units[target].as_mut().expect("a live unit");
        unit.rows.push(index);
        for id in &row.ids {
            if !unit.ids.contains(id) {
                unit.ids.push(id.clone());
            }
            owner.insert(id.clone(), target);
        }
    }
    let mut units: Vec<Unit> = units.into_iter().flatten().collect();
    for unit in &mut units {
        unit.rows.sort_unstable();
    }
    units.sort_by_key(|u| u.rows[0]);
    units
}

/// The key a person is ranked by: the smallest of their identifiers, so the order of rows and of
/// columns does not matter.
fn unit_key(unit: &Unit) -> String {
    unit.ids
        .iter()
        .map(|(kind, value)| format!("{}:{value}", kind.as_str()))
        .min()
        .unwrap_or_default()
}

/// Draws the holdout: `share` of the people (0 < share < 1), within each stratum.
pub fn draw(list: &ListFile, share: f64, seed: u64) -> Result<Draw> {
    if !(share > 0.0 && share < 1.0) {
        bail!("--share must be between 0 and 1 (0.2 holds out a fifth); found {share}");
    }
    let mut units = units(list);
    if units.len() < 2 {
        bail!(
            "{} holds {} with an email or phone turnout can read ({}); an experiment needs people in both groups",
            list.name,
            if units.is_empty() {
                "no one"
            } else {
                "one person"
            },
            list.describe_columns()
        );
    }
    let mut by_stratum: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, unit) in units.iter().enumerate() {
        let stratum = match unit.stratum.as_deref() {
            Some("") => BLANK_STRATUM.to_string(),
            Some(value) => value.to_string(),
            None => String::new(),
        };
        by_stratum.entry(stratum).or_default().push(i);
    }
    let mut strata = Vec::new();
    for (stratum, mut members) in by_stratum {
        members.sort_by_cached_key(|&i| rank(seed, &unit_key(&units[i])));
        let target = members.len() as f64 * share;
        let whole = target.floor();
        let extra =
            (rank(seed, &format!("stratum\0{stratum}")) as f64 / 2f64.powi(64)) < target - whole;
        let held = whole as usize + usize::from(extra);
        for &i in &members[..held] {
            units[i].held_out = true;
        }
        strata.push(StratumSplit {
            stratum,
            send: members.len() - held,
            held_out: held,
        });
    }
    let draw = Draw { units, strata };
    if draw.held_out() == 0 || draw.send() == 0 {
        bail!(
            "with {} people and a share of {share}, one group would be empty; choose a share that leaves people in both",
            draw.units.len()
        );
    }
    Ok(draw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::audience::parse_with_names as parse;

    fn audience(rows: usize, shuffled: bool) -> ListFile {
        let mut lines: Vec<String> = (0..rows)
            .map(|i| format!("person{i}@example.org,{}", 1 + i % 5))
            .collect();
        if shuffled {
            lines.reverse();
        }
        let text = format!("Email Address,MEMBER_RATING\n{}\n", lines.join("\n"));
        parse(
            "a.csv".into(),
            text.into_bytes(),
            Some("MEMBER_RATING"),
            "US",
        )
        .unwrap()
    }

    fn held(draw: &Draw) -> Vec<String> {
        let mut held: Vec<String> = draw
            .units
            .iter()
            .filter(|u| u.held_out)
            .map(|u| u.ids[0].1.clone())
            .collect();
        held.sort();
        held
    }

    #[test]
    fn the_same_seed_draws_the_same_people_whatever_the_row_order() {
        let list = audience(1000, false);
        let a = draw(&list, 0.2, 7).unwrap();
        let b = draw(&list, 0.2, 7).unwrap();
        let other_order = audience(1000, true);
        let c = draw(&other_order, 0.2, 7).unwrap();
        let d = draw(&list, 0.2, 8).unwrap();
        assert_eq!(held(&a), held(&b));
        assert_eq!(held(&a), held(&c));
        assert_ne!(held(&a), held(&d));
    }

    #[test]
    fn each_stratum_is_split_at_the_share() {
        // 1,000 people, 200 per rating: exactly 40 of each held out.
        let list = audience(1000, false);
        let drawn = draw(&list, 0.2, 7).unwrap();
        assert_eq!(drawn.held_out(), 200);
        assert_eq!(drawn.strata.len(), 5);
        for split in &drawn.strata {
            assert_eq!((split.send, split.held_out), (160, 40), "{split:?}");
        }
        // 7 people per stratum at 0.25: 1.75 each, so 1 or 2 held out, 2 on average.
        let list = audience(35, false);
        let mut total = 0;
        for seed in 0..400 {
            let drawn = draw(&list, 0.25, seed).unwrap();
            for split in &drawn.strata {
                assert!((1..=2).contains(&split.held_out), "{split:?}");
            }
            total += drawn.held_out();
        }
        let mean = total as f64 / 400.0;
        assert!((mean - 8.75).abs() < 0.15, "{mean}");
    }

    #[test]
    fn rows_sharing_an_email_or_phone_are_one_person() {
        let text = "email,phone\na@example.org,\n,5105550101\nb@example.org,5105550101\na@example.org,\nc@example.org,\n";
        let list = parse("a.csv".into(), text.as_bytes().to_vec(), None, "US").unwrap();
        let people = units(&list);
        assert_eq!(people.len(), 3);
        assert_eq!(people[0].rows, vec![0, 3]);
        assert_eq!(people[1].rows, vec![1, 2]);
        assert_eq!(people[2].rows, vec![4]);
    }

    #[test]
    fn a_share_that_empties_a_group_is_refused() {
        // Three people at 0.05: 0.15 of a person to hold out, so most seeds hold out nobody.
        let text = "email\na@example.org\nb@example.org\nc@example.org\n";
        let list = parse("a.csv".into(), text.as_bytes().to_vec(), None, "US").unwrap();
        let refused = (0..20)
            .filter_map(|seed| draw(&list, 0.05, seed).err())
            .map(|e| e.to_string())
            .collect::<Vec<_>>();
        assert!(refused.len() >= 10, "{refused:?}");
        assert_eq!(
            refused[0],
            "with 3 people and a share of 0.05, one group would be empty; choose a share that leaves people in both"
        );
        let err = draw(&list, 1.0, 1).unwrap_err().to_string();
        assert!(err.contains("between 0 and 1"), "{err}");
    }
}
