//! Help that teaches: the top-level help grouped, examples in a command's help, shell
//! completions and the manual page, all from the one command line definition.

use crate::common::bare_cmd;

fn stdout(args: &[&str]) -> String {
    let output = bare_cmd().args(args).output().expect("run turnout");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn the_top_level_help_groups_the_commands_and_fits_100_columns() {
    let help = stdout(&["--help"]);
    let headings: Vec<&str> = help
        .lines()
        .filter(|l| !l.starts_with(' ') && l.ends_with(':'))
        .collect();
    assert_eq!(
        headings,
        [
            "Set up:",
            "Import:",
            "Report:",
            "Drivers:",
            "Calendar:",
            "Data:",
            "Options:"
        ]
    );
    assert!(
        help.contains("\nReport:\n  report       A campaign on one page"),
        "{help}"
    );
    assert!(!help.contains("\nCommands:\n"), "{help}");
    for line in help.lines() {
        assert!(
            line.chars().count() <= 100,
            "wider than 100 columns: {line}"
        );
    }
}

#[test]
fn a_commands_help_ends_with_examples_that_run() {
    let help = stdout(&["goal", "set", "--help"]);
    assert!(
        help.ends_with(
            "Examples:\n  turnout goal set fair-rent-now calls 1500 --by 2026-10-30\n  turnout goal set fair-rent-now rsvps 300 --by 2026-10-15 --from 2026-09-14\n"
        ),
        "{help}"
    );
    assert!(
        help.contains("<CAMPAIGN>  The campaign, e.g. fair-rent-now"),
        "{help}"
    );
}

#[test]
fn completions_and_the_manual_page_are_generated() {
    let bash = stdout(&["completions", "bash"]);
    assert!(
        bash.contains("_turnout()") && bash.contains("complete -F _turnout"),
        "{bash}"
    );
    assert!(bash.contains("calendar") && bash.contains("--dry-run"));
    assert!(stdout(&["completions", "zsh"]).starts_with("#compdef turnout"));
    assert!(stdout(&["completions", "fish"]).contains("complete -c turnout"));
    assert!(stdout(&["completions", "powershell"]).contains("Register-ArgumentCompleter"));
    let man = stdout(&["man"]);
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq \\(aq"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(
        man.contains(".TH turnout 1"),
        "{}",
        &man[..400.min(man.len())]
    );
    assert!(man.contains("import"));
}
