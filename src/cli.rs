//! The command line: every subcommand and flag, defined once with clap's derive API. The
//! `Command` enum is the single list of what turnout can do; doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Format;

#[derive(Debug, Parser)]
#[command(
    name = "turnout",
    version,
    about = "Link digital outreach to offline action: import campaign numbers, track goals, report results.",
    after_help = "The database is --db PATH, else $TURNOUT_DB, else ./turnout.db (created on first use).\n\
                  Exit codes: 0 ok, 1 runtime or input error, 2 usage error."
)]
pub struct Cli {
    /// The database file (default: $TURNOUT_DB, else ./turnout.db)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Stand-in for today's date (YYYY-MM-DD): "to date", pace and default weeks are computed as of it
    #[arg(long, global = true, value_name = "DATE")]
    pub today: Option<String>,

    /// Hide progress bars and notes
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (optional: every command creates it on first use)
    Init,
    /// Organization-wide settings: timezone, default_country
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Set up and look at campaigns
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Measurable goals: "800 calls by Oct 30"
    #[command(subcommand)]
    Goal(GoalCommand),
    /// Log a week's numbers by hand (logging a week again corrects it)
    Log(LogArgs),
    /// Import CSV files (every row is accounted for; re-importing never double-counts)
    Import(ImportArgs),
    /// The import ledger: what was imported when, and every row that was rejected or skipped
    Imports(ImportsArgs),
    /// Import profiles: the tools' exports turnout can read, and checking your own
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// Source codes, UTM campaigns and refcodes seen in imports, and the campaign each links to
    Codes(CodesArgs),
    /// Summed numbers per campaign and metric, optionally by week, month, channel, effort or source
    Totals(TotalsArgs),
    /// The metric vocabulary: results (field) and milestones (comms)
    #[command(subcommand)]
    Metric(MetricCommand),
    /// A campaign on one page: results and goals first, milestones by channel, rates, costs
    Report(ReportArgs),
    /// Sent, delivered, opened, clicked, acted, attended: each step's count and rate
    Funnel(FunnelArgs),
    /// What every metric and rate means, how it is counted, and which export columns feed it
    Definitions(DefinitionsArgs),
    /// Data-quality warnings to fix before a meeting (exit 0; --strict exits 1 if any)
    Check(CheckArgs),
    /// What campaigns spend, in money or staff time, for cost per result
    #[command(subcommand)]
    Cost(CostCommand),
    /// The organization's week: results vs last week, goal verdicts, the week's efforts, warnings
    Digest(DigestArgs),
    /// Which digital efforts drove an offline result: direct codes and attribution models side by side
    Drivers(DriversArgs),
    /// Randomised experiments: draw a holdout before a send, see what it can detect
    #[command(subcommand)]
    Holdout(HoldoutCommand),
    /// An effort's real effect: everyone assigned to be sent against everyone held out
    Lift(LiftArgs),
    /// Write a synthetic organisation as real-format exports, with effects planted in them
    Simulate(SimulateArgs),
    /// Everything in open formats: every table as CSV and JSON, the schema, a manifest and a README
    Export {
        /// A new or empty folder
        dir: PathBuf,
        /// Include the hash key (keep it apart from the data)
        #[arg(long)]
        with_key: bool,
    },
    /// Rebuild a database from an export (into --db, which must not exist yet)
    Restore {
        /// The export folder
        dir: PathBuf,
    },
    /// Remove a person's touches, actions and hashes everywhere, and keep them out of later imports
    Forget {
        /// Their email address or phone number
        identifier: String,
        /// Do it (without --yes, only say what would be removed)
        #[arg(long)]
        yes: bool,
    },
    /// The hash key that turns emails and phones into hashes
    #[command(subcommand)]
    Key(KeyCommand),
    /// The one page for a joint meeting: results, drivers, milestones, calendar, warnings (also as HTML)
    Brief(BriefArgs),
    /// The publishing calendar: what goes out when, on which channel, to which audience
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// The organization's audience names, and the names tools export for them
    #[command(subcommand)]
    Audience(AudienceCommand),
    /// Build a demo database (default ./turnout-demo.db, replaced each run) from the bundled sample data and show its progress
    Demo(FormatArgs),
}

#[derive(Debug, Clone, Copy, Args, Default)]
pub struct FormatArgs {
    /// Output format: table for people; csv, json or markdown for tools and notes
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Change a setting, e.g. `turnout config set timezone America/Los_Angeles`
    Set { key: String, value: String },
    /// Show one setting
    Get { key: String },
    /// Show every setting with its value and meaning
    List(FormatArgs),
}

#[derive(Debug, Args)]
pub struct CampaignFieldArgs {
    /// Display name, e.g. "Fair Rent Now"
    #[arg(long)]
    pub name: Option<String>,
    /// The team or branch that runs it
    #[arg(long)]
    pub team: Option<String>,
    /// First day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// Last day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    pub end: Option<String>,
    /// A source code, UTM campaign or refcode it claims; exact or a glob like 'fair-rent-*' (repeatable)
    #[arg(long = "code", value_name = "CODE")]
    pub codes: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Set up a campaign: `turnout campaign add fair-rent-now --name "Fair Rent Now"`
    Add {
        /// Short name used everywhere else (lower-case letters, digits, hyphens)
        slug: String,
        #[command(flatten)]
        fields: CampaignFieldArgs,
    },
    /// Change a campaign's name, team, dates or codes
    Edit {
        slug: String,
        #[command(flatten)]
        fields: CampaignFieldArgs,
        /// Stop claiming a code (repeatable)
        #[arg(long = "remove-code", value_name = "CODE")]
        remove_codes: Vec<String>,
    },
    /// Every campaign
    List(FormatArgs),
    /// One campaign: its details, codes, goals with progress, and what data it has
    Show {
        slug: String,
        #[command(flatten)]
        format: FormatArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum GoalCommand {
    /// Set (or change) a goal: `turnout goal set fair-rent-now calls 800 --by 2026-10-30`
    Set {
        campaign: String,
        metric: String,
        /// The number to reach, e.g. 800
        #[arg(allow_hyphen_values = true)]
        target: String,
        /// Deadline, inclusive (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        by: String,
        /// When counting starts (default: the campaign's start, else today)
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
    },
    /// Goals with progress and pace as of today
    List {
        /// Only this campaign's goals (repeatable)
        #[arg(long = "campaign", value_name = "SLUG")]
        campaigns: Vec<String>,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Remove a goal
    Remove { campaign: String, metric: String },
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The campaign
    pub campaign: Option<String>,
    /// Numbers as METRIC=VALUE, e.g. calls=120 rsvps=40
    #[arg(value_name = "METRIC=VALUE")]
    pub values: Vec<String>,
    /// The ISO week, e.g. 2026-W41 (default: this week)
    #[arg(long)]
    pub week: Option<String>,
    /// The channel these numbers belong to, if any (email, sms, social, ...)
    #[arg(long)]
    pub channel: Option<String>,
    /// A note kept with the entry ("counted from sign-in sheets")
    #[arg(long)]
    pub note: Option<String>,
    /// Each number is the week's whole total, imported rows included: reports count it instead of the imported rows of the same campaign, week and metric (without it, logged and imported numbers add)
    #[arg(long)]
    pub includes_imports: bool,
    /// Show every logged number, including the ones later corrected
    #[arg(long)]
    pub history: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV files to import, each in its own transaction
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read the files with this profile instead of recognising them by their header
    #[arg(long)]
    pub profile: Option<String>,
    /// Link every row to this campaign
    #[arg(long, value_name = "SLUG")]
    pub campaign: Option<String>,
    /// Read and count everything, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Write rejected rows to this CSV (the original columns plus line and reason), to fix and re-import
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Time zone of timestamps that carry no offset (default: the profile's, else the organization's)
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// How these files write numbers and dates, e.g. uk-UA, de-DE, en-US (default: the profile's, else `turnout config get locale`)
    #[arg(long, value_name = "TAG", value_parser = crate::locale::Locale::parse)]
    pub locale: Option<crate::locale::Locale>,
    /// The sheet of a workbook (.xlsx, .xls, .ods) to read (default: the first)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Give one of the profile's fields this value on every row, e.g. --set event_date=2026-10-20 (repeat for more)
    #[arg(long, value_name = "FIELD=VALUE", value_parser = parse_set)]
    pub set: Vec<(String, String)>,
    /// Date for rows that carry none; for a snapshot it is --as-of; default: the import day
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// The day a snapshot (totals since the start, e.g. CallPower's statistics) was downloaded; default: the import day
    #[arg(long, value_name = "DATE", conflicts_with_all = ["period", "begin", "end"])]
    pub as_of: Option<String>,
    /// The period a file of totals covers, when it does not say: a day (2026-10-05), week (2026-W43) or month (2026-10)
    #[arg(long, value_name = "PERIOD", conflicts_with_all = ["begin", "end"])]
    pub period: Option<String>,
    /// With --end: the first day a file of totals covers
    #[arg(long, value_name = "DATE", requires = "end")]
    pub begin: Option<String>,
    /// With --begin: the day after the last one a file of totals covers (exclusive, as in reports)
    #[arg(long, value_name = "DATE", requires = "begin")]
    pub end: Option<String>,
    /// Refuse the whole file if any row is rejected (nothing is written)
    #[arg(long)]
    pub strict: bool,
    /// Also list the columns the profile does not use
    #[arg(long, short)]
    pub verbose: bool,
    /// The hash key is lost: start a new one (people imported from now on are not linked to those before)
    #[arg(long)]
    pub new_key: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
pub struct ImportsArgs {
    /// Show one import with every row it rejected or skipped
    pub id: Option<i64>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// Every profile: built-in ones and your own (in <database folder>/profiles/)
    List(FormatArgs),
    /// One profile: the columns it reads, what they mean, and what it records
    Show {
        /// A profile name, or the path of a profile file
        name: String,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Check a profile file you wrote; problems are shown with their line
    Check {
        /// The profile file, e.g. ./mytool.toml
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct CodesArgs {
    /// Only codes no campaign claims (rows kept unlinked)
    #[arg(long)]
    pub unmatched: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

/// The period every report takes, hledger style.
#[derive(Debug, Clone, Args, Default)]
pub struct PeriodArgs {
    /// First day included (a date, 2026-W41, 2026-10 or 2026)
    #[arg(long, value_name = "DATE")]
    pub begin: Option<String>,
    /// First day NOT included (hledger style: --end is exclusive)
    #[arg(long, value_name = "DATE")]
    pub end: Option<String>,
    /// One column per ISO week, plus a total
    #[arg(long, conflicts_with = "monthly")]
    pub weekly: bool,
    /// One column per month, plus a total
    #[arg(long)]
    pub monthly: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Campaigns to report on (default: every campaign)
    #[arg(value_name = "CAMPAIGN")]
    pub campaigns: Vec<String>,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
pub struct FunnelArgs {
    pub campaign: String,
    /// Only this effort (a send, a text campaign, a post): its id as `turnout totals --by effort` shows it
    #[arg(long, value_name = "ID")]
    pub effort: Option<String>,
    /// The result the funnel ends in (default rsvps, then attended): signups, calls, donations...
    #[arg(long, value_name = "METRIC")]
    pub outcome: Option<String>,
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
pub struct DefinitionsArgs {
    /// Only this metric or rate (e.g. unique_opens, show_up_rate)
    pub metric: Option<String>,
    /// Accepted like every report's (definitions do not change with the period)
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Exit 1 if there is any warning (for scripts)
    #[arg(long)]
    pub strict: bool,
    /// Limits the weeks checked for missing data
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Subcommand)]
pub enum CostCommand {
    /// Record a cost: `--amount 84.50`, or staff time as `--hours 6 --rate 25`
    Add {
        campaign: String,
        /// The day of the cost (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        date: String,
        /// Money spent
        #[arg(long, conflicts_with_all = ["hours", "rate"], required_unless_present = "hours", allow_hyphen_values = true)]
        amount: Option<String>,
        /// Staff hours (with --rate)
        #[arg(long, requires = "rate", allow_hyphen_values = true)]
        hours: Option<String>,
        /// Hourly rate of the staff time
        #[arg(long, requires = "hours", allow_hyphen_values = true)]
        rate: Option<String>,
        /// What it was for, e.g. "SMS segments"
        #[arg(long)]
        what: String,
        /// The effort it paid for, if one
        #[arg(long, value_name = "ID")]
        effort: Option<String>,
    },
    /// Every recorded cost
    List {
        #[arg(long = "campaign", value_name = "SLUG")]
        campaign: Option<String>,
        #[command(flatten)]
        format: FormatArgs,
    },
}

#[derive(Debug, Args)]
pub struct DigestArgs {
    /// The ISO week, e.g. 2026-W41 (default: the last complete week)
    #[arg(long)]
    pub week: Option<String>,
    /// --begin/--end choose the period instead of --week; --monthly rolls up a month instead
    #[command(flatten)]
    pub period: PeriodArgs,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    Direct,
    Last,
    First,
    Linear,
    TimeDecay,
    Position,
    Markov,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriversByArg {
    Effort,
    Channel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TouchArg {
    Any,
    Sent,
    Opened,
    Clicked,
}

#[derive(Debug, Args)]
pub struct DriversArgs {
    /// The campaign (default: every campaign's actions and efforts)
    pub campaign: Option<String>,
    /// The result to explain: attended, rsvps, calls, signups, donations...
    #[arg(long, value_name = "METRIC")]
    pub outcome: String,
    /// The model, or all of them side by side
    #[arg(long, value_enum, default_value_t = ModelArg::All)]
    pub model: ModelArg,
    /// How long before an action a touch can count (7d, 36h, 2w)
    #[arg(long, default_value = "7d", value_name = "DURATION")]
    pub window: String,
    /// Time-decay: how long for a touch's weight to halve
    #[arg(long, default_value = "7d", value_name = "DURATION")]
    pub half_life: String,
    /// Credit channels (email, sms, ...) or single efforts
    #[arg(long, value_enum, default_value_t = DriversByArg::Channel)]
    pub by: DriversByArg,
    /// Which event of a person's contact with an effort times the touch
    #[arg(long, value_enum, default_value_t = TouchArg::Any)]
    pub touch: TouchArg,
    /// Weekly numbers only: regress the outcome on each channel's carried-over activity
    #[arg(long)]
    pub aggregate: bool,
    /// Aggregate: the weekly carry-over (0 to 1; default: estimated)
    #[arg(long, value_name = "DECAY")]
    pub decay: Option<f64>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
pub struct LiftArgs {
    /// The campaign whose results are counted (its slug)
    pub campaign: String,
    /// The experiment drawn with `turnout holdout draw`: everyone it assigned is compared
    #[arg(long, value_name = "NAME", conflicts_with_all = ["holdout", "sent"])]
    pub experiment: Option<String>,
    /// The effort sent to everyone but the holdout (needed with --holdout; with --experiment it
    /// starts the window at its send and gives its reach)
    #[arg(long, value_name = "ID", required_unless_present = "experiment")]
    pub effort: Option<String>,
    /// The people deliberately not sent it: a CSV with an email or phone column
    #[arg(long, value_name = "FILE", required_unless_present = "experiment")]
    pub holdout: Option<PathBuf>,
    /// With --holdout: the list the effort was sent to (e.g. the file uploaded to the tool)
    #[arg(long, value_name = "FILE", requires = "holdout")]
    pub sent: Option<PathBuf>,
    /// The result to compare (default: any result that is an action: no cancellations or no-shows)
    #[arg(long, value_name = "METRIC")]
    pub outcome: Option<String>,
    /// With --experiment and no --effort: the day the window starts (default: the draw)
    #[arg(long, value_name = "DATE", conflicts_with = "effort")]
    pub from: Option<String>,
    /// How long after the send an action counts
    #[arg(long, default_value = "14d", value_name = "DURATION")]
    pub window: String,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Subcommand)]
pub enum HoldoutCommand {
    /// Assign everyone in an audience file at random, before the send: a file to send to and a
    /// file to hold out, recorded for `turnout lift --experiment`
    Draw(HoldoutDrawArgs),
    /// Every experiment drawn
    List(FormatArgs),
    /// One experiment: its groups, seed, strata balance and when it was drawn
    Show {
        /// The experiment's name
        name: String,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// What an experiment can detect: the minimum detectable effect, or the power for an effect
    Power(HoldoutPowerArgs),
    /// Say which send went to an experiment's send group, once it is imported: the rules then
    /// count everyone sent it (not only its openers), and lift measures it by default
    Link {
        /// The experiment's name
        name: String,
        /// The send: its id, or the start of its label
        #[arg(long, value_name = "ID")]
        effort: String,
    },
}

#[derive(Debug, Args)]
pub struct HoldoutDrawArgs {
    /// The audience: a Mailchimp audience export, Spoke contacts, a CiviCRM or Action Network
    /// list, or any CSV with an email or phone column
    pub file: PathBuf,
    /// A name for the experiment, e.g. assembly-invite
    #[arg(long)]
    pub name: String,
    /// The share of people held out, between 0 and 1
    #[arg(long, default_value_t = 0.2)]
    pub share: f64,
    /// The same seed on the same file draws the same people (default: a random seed, printed)
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
    /// Where to write the people to send to (the input's own header and rows)
    #[arg(long, value_name = "FILE")]
    pub send: PathBuf,
    /// Where to write the people held out (never upload this one)
    #[arg(long, value_name = "FILE")]
    pub holdout: PathBuf,
    /// The campaign the experiment is for
    #[arg(long, value_name = "SLUG")]
    pub campaign: Option<String>,
    /// A column to balance within, e.g. MEMBER_RATING (prior engagement)
    #[arg(long, value_name = "COLUMN")]
    pub strata: Option<String>,
    /// Draw again under a name already used, writing over its files
    #[arg(long)]
    pub replace: bool,
    /// The action rate expected without the send, in percent, for the smallest detectable effect
    /// (default: shown at 1, 2, 5 and 10%)
    #[arg(long, value_name = "PERCENT")]
    pub base_rate: Option<String>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Args)]
pub struct HoldoutPowerArgs {
    /// Everyone in the experiment, sent and held out
    #[arg(long)]
    pub people: u64,
    /// The share held out, between 0 and 1
    #[arg(long, default_value_t = 0.2)]
    pub share: f64,
    /// The action rate without the send, in percent (2 means 2%)
    #[arg(long, value_name = "PERCENT")]
    pub base_rate: String,
    /// An effect in percentage points (1 means from 2% to 3%): gives the power to detect it
    #[arg(long, value_name = "POINTS", allow_hyphen_values = true)]
    pub effect: Option<String>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Where the key file is (beside the database)
    ShowPath,
    /// Make a new key and rehash every stored hash with it, in one transaction
    Rotate,
}

#[derive(Debug, Args)]
pub struct BriefArgs {
    /// The ISO week, e.g. 2026-W41 (default: the last complete week)
    #[arg(long, conflicts_with_all = ["begin", "end"])]
    pub week: Option<String>,
    /// First day included (a date, 2026-W41, 2026-10 or 2026)
    #[arg(long, value_name = "DATE")]
    pub begin: Option<String>,
    /// First day NOT included
    #[arg(long, value_name = "DATE")]
    pub end: Option<String>,
    /// Only these campaigns (repeatable; default: every campaign)
    #[arg(long = "campaign", value_name = "SLUG")]
    pub campaigns: Vec<String>,
    /// Also write the page as one self-contained HTML file with charts
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Aggregates only: counts below 5 shown as <5 (default: the aggregates_only setting)
    #[arg(long)]
    pub aggregates_only: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Plan an item: `turnout calendar add 2026-10-13 --time 18:00 --channel email --audience members --title "..."`
    Add {
        /// The day (YYYY-MM-DD)
        date: String,
        /// Time of day, HH:MM in the organization's zone
        #[arg(long)]
        time: Option<String>,
        #[arg(long)]
        channel: String,
        /// Who it is for, in the organization's words (members, volunteers, donors...)
        #[arg(long)]
        audience: String,
        #[arg(long, value_name = "SLUG")]
        campaign: Option<String>,
        #[arg(long)]
        title: String,
        /// The metric it asks for (an ask when it is a result: calls, rsvps...)
        #[arg(long, value_name = "METRIC")]
        goal: Option<String>,
        /// Who is responsible
        #[arg(long)]
        owner: Option<String>,
    },
    /// Import a plan: CSV with date,time,channel,audience,campaign,title,goal,owner
    Import(CalendarImportArgs),
    /// Every planned item
    List {
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Remove an item
    Remove { id: i64 },
    /// One week as days x channels: planned, sent, sent-unplanned, missed
    Week {
        /// The ISO week, e.g. 2026-W41 (default: this week)
        week: Option<String>,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Audiences x channels: items planned and sent per period
    Matrix {
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Warnings: silent audiences, over-asked audiences, collisions, missed and unplanned sends
    Check {
        /// An audience hearing nothing for more days than this is flagged
        #[arg(long, default_value_t = 14)]
        quiet_days: i64,
        /// More asks (items whose goal is a result) than this ...
        #[arg(long, default_value_t = 3)]
        max_asks: usize,
        /// ... within this many days is too many
        #[arg(long, default_value_t = 4)]
        per_days: i64,
        /// Exit 1 if there is any warning
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Each planned item with what was actually sent and what it drove
    Results {
        #[command(flatten)]
        period: PeriodArgs,
        #[command(flatten)]
        format: FormatArgs,
    },
    /// Write the plan as an ICS calendar for Google, Outlook or Apple calendars
    Ics {
        /// The .ics file to write
        file: std::path::PathBuf,
        #[arg(long, value_name = "SLUG")]
        campaign: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct CalendarImportArgs {
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read and count everything, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Write rejected rows to this CSV
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Refuse the whole file if any row is rejected
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Subcommand)]
pub enum AudienceCommand {
    /// Map an exported audience name to yours: `turnout audience map "Eastside Tenants Union" members`
    Map { exported: String, audience: String },
    /// Every mapping
    List(FormatArgs),
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The folder to write the files into (created if needed)
    #[arg(long, value_name = "DIR")]
    pub out: std::path::PathBuf,
    /// How many people
    #[arg(long, default_value_t = 2000)]
    pub people: usize,
    /// How many weeks, from Monday 2026-09-07
    #[arg(long, default_value_t = 8)]
    pub weeks: usize,
    /// The same seed writes the same files
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A planted effect, e.g. email=0.02: people emailed that week RSVP 2 points more often (repeatable)
    #[arg(long = "effect", value_name = "CHANNEL=SIZE")]
    pub effects: Vec<String>,
    /// Run a drawn experiment: hold out of every email the people `turnout holdout draw` holds
    /// out of lists/audience.csv with the same seed, at this share (default 0.2)
    #[arg(long, value_name = "SHARE", num_args = 0..=1, default_missing_value = "0.2")]
    pub experiment: Option<f64>,
    /// Weekly numbers only (weekly-numbers.csv, turnout's own format), for drivers --aggregate:
    /// the effects are RSVPs per email or text sent (email=0.002: 2 per 1,000)
    #[arg(long, conflicts_with = "experiment")]
    pub weekly: bool,
    /// With --weekly: a vote approaching raises the baseline and every channel's activity alike
    #[arg(long, requires = "weekly")]
    pub trend: bool,
    /// With --weekly: texts go out with the emails, so the two move together
    #[arg(long, requires = "weekly")]
    pub together: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TotalsByArg {
    Week,
    Month,
    Channel,
    Effort,
    Source,
}

#[derive(Debug, Args)]
pub struct TotalsArgs {
    /// Only this campaign (repeatable)
    #[arg(long = "campaign", value_name = "SLUG")]
    pub campaigns: Vec<String>,
    /// Only this metric (repeatable)
    #[arg(long = "metric", value_name = "NAME")]
    pub metrics: Vec<String>,
    /// Break the totals down
    #[arg(long, value_enum)]
    pub by: Option<TotalsByArg>,
    /// First day included (a date, 2026-W41, 2026-10 or 2026)
    #[arg(long, value_name = "DATE")]
    pub begin: Option<String>,
    /// First day NOT included (hledger style: --end is exclusive)
    #[arg(long, value_name = "DATE")]
    pub end: Option<String>,
    #[command(flatten)]
    pub format: FormatArgs,
}

#[derive(Debug, Subcommand)]
pub enum MetricCommand {
    /// Every metric with its family (result or milestone), unit and meaning
    List(FormatArgs),
    /// Add your organization's own metric: `turnout metric add house_meetings --result --description "..."`
    Add {
        name: String,
        /// A field outcome (shown first in reports)
        #[arg(
            long,
            conflicts_with = "milestone",
            required_unless_present = "milestone"
        )]
        result: bool,
        /// A comms metric on the way to results
        #[arg(long)]
        milestone: bool,
        /// Measured in money rather than counted
        #[arg(long)]
        amount: bool,
        /// What it counts, in a sentence
        #[arg(long)]
        description: String,
    },
}

/// `--set FIELD=VALUE`, as a pair.
fn parse_set(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((field, value)) if !field.trim().is_empty() => {
            Ok((field.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!(
            "'{text}' is not FIELD=VALUE: write it as --set event_date=2026-10-20"
        )),
    }
}
