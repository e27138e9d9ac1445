//! Help that teaches: the commands grouped by what people do with them (set up, import, report,
//! drivers, calendar, data), and an "Examples" block in every command's help, taken from the
//! README's tour. Both are attached to clap's command tree when the line is parsed, so the
//! derive definitions stay about flags; tests check that every command has its examples, that
//! every example parses, and that every command is in a group.

use clap::Command;

/// The top-level commands, grouped in the order an organizer meets them.
pub const GROUPS: &[(&str, &[&str])] = &[
    (
        "Set up",
        &["init", "config", "campaign", "goal", "metric", "demo"],
    ),
    (
        "Import",
        &["import", "imports", "profiles", "codes", "log", "cost"],
    ),
    (
        "Report",
        &[
            "report",
            "totals",
            "funnel",
            "digest",
            "brief",
            "definitions",
            "check",
        ],
    ),
    ("Drivers", &["drivers", "holdout", "lift", "simulate"]),
    ("Calendar", &["calendar", "audience"]),
    (
        "Data",
        &["export", "restore", "forget", "key", "completions", "man"],
    ),
];

/// Examples per command, by its path (`calendar week`); a parent's block is its children's
/// first examples.
pub const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "init",
        &["turnout init", "turnout --db ~/org/turnout.db init"],
    ),
    (
        "config set",
        &[
            "turnout config set timezone America/Los_Angeles",
            "turnout config set locale uk-UA",
        ],
    ),
    ("config get", &["turnout config get timezone"]),
    ("config list", &["turnout config list"]),
    (
        "campaign add",
        &[
            "turnout campaign add fair-rent-now --name \"Fair Rent Now\" --start 2026-09-07 --end 2026-11-01 --code 'fair-rent-*'",
        ],
    ),
    (
        "campaign edit",
        &["turnout campaign edit fair-rent-now --end 2026-11-08 --remove-code em_0915_townhall"],
    ),
    ("campaign list", &["turnout campaign list"]),
    ("campaign show", &["turnout campaign show fair-rent-now"]),
    (
        "goal set",
        &[
            "turnout goal set fair-rent-now calls 1500 --by 2026-10-30",
            "turnout goal set fair-rent-now rsvps 300 --by 2026-10-15 --from 2026-09-14",
        ],
    ),
    (
        "goal list",
        &[
            "turnout goal list",
            "turnout goal list --campaign fair-rent-now",
        ],
    ),
    ("goal remove", &["turnout goal remove fair-rent-now rsvps"]),
    (
        "log",
        &[
            "turnout log fair-rent-now calls=120 rsvps=40 --week 2026-W41 --note \"phone bank tally\"",
            "turnout log fair-rent-now rsvps=21 --channel sms",
            "turnout log --history fair-rent-now",
        ],
    ),
    (
        "import",
        &[
            "turnout import mailchimp-campaigns.csv --campaign fair-rent-now",
            "turnout import exports/*.csv --rejects rejects.csv",
            "turnout import participations.csv --dry-run",
            "turnout import учасники.csv --locale uk-UA",
            "turnout import attendees.csv --set event=\"Tenant assembly\" --set event_date=2026-10-20",
        ],
    ),
    ("imports", &["turnout imports", "turnout imports 3"]),
    ("profiles list", &["turnout profiles list"]),
    (
        "profiles show",
        &["turnout profiles show mobilize-participations"],
    ),
    (
        "profiles check",
        &["turnout profiles check ./doorknock.toml"],
    ),
    ("codes", &["turnout codes --unmatched"]),
    (
        "totals",
        &[
            "turnout totals",
            "turnout totals --campaign fair-rent-now --by week",
            "turnout totals --begin 2026-10 --end 2026-11",
        ],
    ),
    ("metric list", &["turnout metric list"]),
    (
        "metric add",
        &["turnout metric add house_meetings --result --description \"House meetings held\""],
    ),
    (
        "report",
        &[
            "turnout report fair-rent-now",
            "turnout report --weekly --begin 2026-09",
        ],
    ),
    (
        "funnel",
        &[
            "turnout funnel fair-rent-now",
            "turnout funnel fair-rent-now --outcome rsvps --effort \"2026-09-18 email\"",
        ],
    ),
    (
        "definitions",
        &["turnout definitions", "turnout definitions show_up_rate"],
    ),
    ("check", &["turnout check", "turnout check --strict"]),
    (
        "cost add",
        &[
            "turnout cost add fair-rent-now --date 2026-09-22 --amount 84.50 --what \"SMS segments\"",
            "turnout cost add fair-rent-now --date 2026-10-01 --hours 6 --rate 25 --what \"phone bank staffing\"",
        ],
    ),
    ("cost list", &["turnout cost list"]),
    (
        "digest",
        &["turnout digest", "turnout digest --week 2026-W44"],
    ),
    (
        "drivers",
        &[
            "turnout drivers fair-rent-now --outcome rsvps",
            "turnout drivers fair-rent-now --outcome attended --window 14d --touch clicked",
            "turnout drivers fair-rent-now --aggregate --outcome calls",
        ],
    ),
    (
        "holdout draw",
        &[
            "turnout holdout draw members.csv --name assembly-invite --share 0.2 --campaign fair-rent-now --send send.csv --holdout hold.csv",
        ],
    ),
    ("holdout list", &["turnout holdout list"]),
    ("holdout show", &["turnout holdout show assembly-invite"]),
    (
        "holdout power",
        &[
            "turnout holdout power --people 1000 --share 0.2 --base-rate 2",
            "turnout holdout power --people 8000 --share 0.2 --base-rate 2 --effect 1",
        ],
    ),
    (
        "holdout link",
        &["turnout holdout link assembly-invite --effort 9a4e1c7b52"],
    ),
    (
        "lift",
        &["turnout lift fair-rent-now --experiment assembly-invite --outcome rsvps"],
    ),
    (
        "simulate",
        &[
            "turnout simulate --out sim --people 2000 --weeks 30 --seed 1 --effect sms=0.03",
            "turnout simulate --out exp --people 4000 --weeks 1 --seed 2 --effect email=0.02 --experiment 0.2",
        ],
    ),
    (
        "export",
        &[
            "turnout export backup/",
            "turnout export backup/ --with-key",
        ],
    ),
    ("restore", &["turnout --db restored.db restore backup/"]),
    (
        "forget",
        &[
            "turnout forget alex@example.org",
            "turnout forget alex@example.org --yes",
        ],
    ),
    ("key show-path", &["turnout key show-path"]),
    ("key rotate", &["turnout key rotate"]),
    (
        "brief",
        &[
            "turnout brief --week 2026-W41",
            "turnout brief --week 2026-W41 --format markdown",
            "turnout brief --week 2026-W41 --html brief.html",
        ],
    ),
    (
        "calendar add",
        &[
            "turnout calendar add 2026-10-13 --time 18:00 --channel email --audience members --title \"Town hall invite\" --goal rsvps",
        ],
    ),
    ("calendar import", &["turnout calendar import plan.csv"]),
    ("calendar list", &["turnout calendar list --begin 2026-10"]),
    ("calendar remove", &["turnout calendar remove 3"]),
    (
        "calendar week",
        &[
            "turnout calendar week 2026-W39",
            "turnout calendar week W41",
        ],
    ),
    ("calendar matrix", &["turnout calendar matrix --weekly"]),
    ("calendar check", &["turnout calendar check"]),
    ("calendar results", &["turnout calendar results"]),
    (
        "calendar ics",
        &["turnout calendar ics plan.ics --campaign fair-rent-now"],
    ),
    (
        "audience map",
        &["turnout audience map \"Eastside Tenants Union\" members"],
    ),
    ("audience list", &["turnout audience list"]),
    (
        "demo",
        &[
            "turnout demo",
            "turnout demo --db /tmp/demo.db --today 2026-10-14",
        ],
    ),
    (
        "completions",
        &[
            "turnout completions bash > ~/.local/share/bash-completion/completions/turnout",
            "turnout completions zsh > ~/.zfunc/_turnout",
        ],
    ),
    ("man", &["turnout man > turnout.1 && man ./turnout.1"]),
];

/// The command tree with the groups in the top-level help and examples in every command's.
pub fn teach(command: Command) -> Command {
    let template = top_level_template(&command);
    let command = command.help_template(template);
    with_examples(command, "")
}

fn examples_of(path: &str) -> Option<&'static [&'static str]> {
    EXAMPLES.iter().find(|(p, _)| *p == path).map(|(_, e)| *e)
}

fn with_examples(mut command: Command, path: &str) -> Command {
    let children: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|name| name != "help")
        .collect();
    let lines: Vec<&str> = match examples_of(path) {
        Some(examples) => examples.to_vec(),
        // A parent shows the first example of each of its commands.
        None if !path.is_empty() => children
            .iter()
            .filter_map(|child| examples_of(&format!("{path} {child}")))
            .filter_map(|e| e.first().copied())
            .collect(),
        None => Vec::new(),
    };
    if !lines.is_empty() {
        let block = lines
            .iter()
            .map(|line| format!("  {line}"))
            .collect::<Vec<_>>()
            .join("\n");
        let after = match command.get_after_help() {
            Some(before) => format!("{before}\n\nExamples:\n{block}"),
            None => format!("Examples:\n{block}"),
        };
        command = command.after_help(after);
    }
    for child in children {
        let child_path = if path.is_empty() {
            child.clone()
        } else {
            format!("{path} {child}")
        };
        command = command.mut_subcommand(&child, |sub| with_examples(sub, &child_path));
    }
    command
}

/// clap's help, with the one flat list of commands replaced by the groups (each command's
/// description wrapped at word boundaries to 100 columns).
fn top_level_template(command: &Command) -> String {
    let width = command
        .get_subcommands()
        .map(|c| c.get_name().len())
        .max()
        .unwrap_or(0);
    let indent = width + 4;
    let mut groups = String::new();
    for (title, names) in GROUPS {
        groups.push_str(&format!("{title}:\n"));
        for name in *names {
            let about = command
                .find_subcommand(name)
                .and_then(|c| c.get_about())
                .map(|a| a.to_string())
                .unwrap_or_default();
            let mut line = format!("  {name:<width$}  ");
            for word in about.split_whitespace() {
                if line.len() > indent && line.chars().count() + 1 + word.chars().count() > 100 {
                    groups.push_str(line.trim_end());
                    groups.push('\n');
                    line = " ".repeat(indent);
                } else if line.len() > indent {
                    line.push(' ');
                }
                line.push_str(word);
            }
            groups.push_str(line.trim_end());
            groups.push('\n');
        }
        groups.push('\n');
    }
    format!(
        "{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{groups}Options:\n{{options}}{{after-help}}"
    )
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;
    use crate::cli::Cli;

    fn leaves(command: &Command, path: &str, out: &mut Vec<(String, Command)>) {
        for sub in command.get_subcommands().filter(|c| c.get_name() != "help") {
            let p = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path} {}", sub.get_name())
            };
            out.push((p.clone(), sub.clone()));
            leaves(sub, &p, out);
        }
    }

    #[test]
    fn every_command_is_in_one_group() {
        let command = Cli::command();
        let names: Vec<&str> = command
            .get_subcommands()
            .map(|c| c.get_name())
            .filter(|n| *n != "help")
            .collect();
        for name in &names {
            let count = GROUPS.iter().filter(|(_, g)| g.contains(name)).count();
            assert_eq!(count, 1, "{name} is in {count} groups");
        }
        for (_, group) in GROUPS {
            for name in *group {
                assert!(names.contains(name), "{name} is grouped but is no command");
            }
        }
    }

    #[test]
    fn every_command_has_examples_that_parse_and_every_positional_a_description() {
        let mut all = Vec::new();
        leaves(&teach(Cli::command()), "", &mut all);
        let undescribed: Vec<String> = all
            .iter()
            .flat_map(|(path, command)| {
                command
                    .get_positionals()
                    .filter(|arg| arg.get_help().is_none())
                    .map(move |arg| format!("turnout {path} <{}>", arg.get_id()))
            })
            .collect();
        assert!(
            undescribed.is_empty(),
            "positionals without a description: {undescribed:?}"
        );
        for (path, command) in &all {
            let help = command.get_after_help().map(|h| h.to_string());
            assert!(
                help.is_some_and(|h| h.contains("Examples:\n  turnout ")),
                "`turnout {path} --help` has no examples"
            );
        }
        for (path, examples) in EXAMPLES {
            assert!(
                all.iter().any(|(p, _)| p == path),
                "examples for `{path}`, which is no command"
            );
            for example in *examples {
                let line = example.split(" > ").next().unwrap_or(example);
                let line = line.split(" && ").next().unwrap_or(line);
                let words = shell_words(line);
                if let Err(err) = Cli::try_parse_from(&words) {
                    panic!("the example `{example}` does not parse: {err}");
                }
            }
        }
    }

    /// Splits an example as a shell would: words, with "quoted" and 'quoted' parts kept whole.
    fn shell_words(line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, ' ') => {
                    if !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                }
                (_, c) => word.push(c),
            }
        }
        if !word.is_empty() {
            words.push(word);
        }
        words
    }
}
