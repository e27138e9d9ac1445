//! `turnout calendar`: plan items, import a plan, and see the plan against what was sent: the
//! week view, the audience x channel matrix, checks, results, and an ICS export.

use anyhow::{Context as _, Result, bail};
use chrono::{Datelike, Duration, NaiveDate};
use std::path::PathBuf;

use super::flags::{FormatArgs, PeriodArgs};
use super::import::ImportArgs;
use super::{Context, date_flag, period_flags};
use crate::calendar::{self, CheckLimits, NewItem, Status};
use crate::channels::CHANNELS;
use crate::dates::{parse_week_arg, week_label, week_start};
use crate::error::UsageError;
use crate::output::{Cell, Column, Format, Report, Section};
use crate::report::periods::{Interval, bucket_of, buckets};
use crate::store::settings;
use clap::{Args, Subcommand};

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

pub fn run(context: &Context, command: CalendarCommand) -> Result<()> {
    if let CalendarCommand::Import(args) = command {
        // A plan is imported like any export, with its profile, accounting and ledger.
        return super::import::run(
            context,
            ImportArgs {
                files: args.files,
                profile: Some("turnout-calendar".to_string()),
                campaign: None,
                dry_run: args.dry_run,
                rejects: args.rejects,
                tz: None,
                locale: None,
                sheet: None,
                set: Vec::new(),
                date: None,
                as_of: None,
                period: None,
                begin: None,
                end: None,
                strict: args.strict,
                verbose: false,
                new_key: false,
                format: args.format,
            },
        );
    }
    let store = context.open()?;
    let conn = store.conn();
    let today = context.today(&store)?;
    let tz = settings::timezone(conn)?;
    match command {
        CalendarCommand::Import(_) => unreachable!("handled above"),
        CalendarCommand::Add {
            date,
            time,
            channel,
            audience,
            campaign,
            title,
            goal,
            owner,
        } => {
            let day = date_flag("date", Some(&date))?.expect("given");
            let item = calendar::add(
                conn,
                NewItem {
                    day,
                    time: time.as_deref(),
                    channel: &channel,
                    audience: &audience,
                    campaign: campaign.as_deref(),
                    title: &title,
                    goal: goal.as_deref(),
                    owner: owner.as_deref(),
                },
            )?;
            println!(
                "Planned #{}: {} {} to {}: {}",
                item.id, item.day, item.channel, item.audience, item.title
            );
        }
        CalendarCommand::Remove { id } => {
            let item = calendar::remove(conn, id)?;
            println!(
                "Removed #{id}: {} {} to {}: {}",
                item.day, item.channel, item.audience, item.title
            );
        }
        CalendarCommand::List { period, format } => {
            let (period, _) = period_flags(&period)?;
            let mut section = item_section("");
            for item in calendar::list(conn, period.begin, period.end)? {
                section.push(item_cells(&item, None));
            }
            context.print(&Report::single("Calendar", section), format.format)?;
        }
        CalendarCommand::Week { week, format } => {
            let monday = match week.as_deref() {
                Some(text) => parse_week_arg(text).map_err(|e| UsageError(format!("{e:#}")))?,
                None => week_start(today),
            };
            let mut report = Report::new(format!("Calendar {}", week_label(monday)));
            report.context.push(context.report_context(&store, today)?);
            report
                .sections
                .push(week_section(conn, tz, monday, today, format.format)?);
            report.footnotes.push(WEEK_LEGEND.to_string());
            context.print(&report, format.format)?;
        }
        CalendarCommand::Matrix { period, format } => {
            let (period, interval) = period_flags(&period)?;
            let mut report = Report::new("Publishing matrix");
            report.context.push(context.report_context(&store, today)?);
            report.sections.push(matrix_section(
                conn,
                tz,
                period.begin,
                period.end,
                interval,
                today,
            )?);
            report.footnotes.push(MATRIX_LEGEND.to_string());
            context.print(&report, format.format)?;
        }
        CalendarCommand::Check {
            quiet_days,
            max_asks,
            per_days,
            strict,
            format,
        } => {
            let limits = CheckLimits {
                quiet_days,
                max_asks,
                per_days,
            };
            let warnings = plan_warnings(conn, tz, today, &limits)?;
            let mut report = Report::new("Calendar checks");
            report.context.push(context.report_context(&store, today)?);
            report.sections.push(warnings_section(&warnings));
            context.print(&report, format.format)?;
            if strict && !warnings.is_empty() {
                bail!("{} calendar warning(s) (--strict)", warnings.len());
            }
        }
        CalendarCommand::Results { period, format } => {
            let (period, _) = period_flags(&period)?;
            let mut report = Report::new("Calendar results");
            report.context.push(context.report_context(&store, today)?);
            report
                .sections
                .push(results_section(conn, tz, period.begin, period.end, today)?);
            report.footnotes.push(
                "Each item is matched to the effort sent on the same channel and campaign, nearest in time within a day \
                 (title similarity breaks ties). Results: actions carrying the effort's own code (direct) and actions whose \
                 last touch in the 7 days before was this effort (last touch)."
                    .to_string(),
            );
            context.print(&report, format.format)?;
        }
        CalendarCommand::Ics { file, campaign } => {
            let campaign_id = match campaign.as_deref() {
                Some(slug) => Some(crate::campaigns::get(conn, slug)?.id),
                None => None,
            };
            let items: Vec<_> = calendar::list(conn, None, None)?
                .into_iter()
                .filter(|i| campaign_id.is_none() || i.campaign_id == campaign_id)
                .collect();
            let stamp = chrono::Utc::now();
            std::fs::write(&file, calendar::ics(&items, tz, stamp))
                .with_context(|| format!("cannot write {}", file.display()))?;
            println!(
                "Wrote {} item(s) to {} (import it into Google, Outlook or Apple calendars; re-exports update the same events).",
                items.len(),
                file.display()
            );
        }
    }
    Ok(())
}

const WEEK_LEGEND: &str = "planned: still to come. sent: planned and sent. missed: its day passed with nothing sent. \
sent-unplanned: sent with no calendar item.";
const MATRIX_LEGEND: &str = "Each cell is items planned / sends that went out. Exported audience names are mapped with: \
turnout audience map \"NAME\" AUDIENCE";

/// Titles in the week grid are cut short so a week fits a screen.
fn cell_title(title: &str) -> String {
    if title.chars().count() > 28 {
        format!(
            "{}...",
            title.chars().take(25).collect::<String>().trim_end()
        )
    } else {
        title.to_string()
    }
}

fn item_section(name: &str) -> Section {
    Section::new(
        name,
        vec![
            Column::new("id", "#"),
            Column::new("date", "Day"),
            Column::new("time", "Time"),
            Column::new("channel", "Channel"),
            Column::new("audience", "Audience"),
            Column::new("campaign", "Campaign"),
            Column::new("title", "Title"),
            Column::new("goal", "Goal"),
            Column::new("owner", "Owner"),
        ],
    )
    .with_empty("Nothing planned. Add an item with: turnout calendar add YYYY-MM-DD --channel email --audience members --title \"...\"")
}

fn item_cells(item: &calendar::PlanItem, _status: Option<Status>) -> Vec<Cell> {
    vec![
        Cell::Int(item.id),
        Cell::text(item.day.to_string()),
        Cell::opt_text(item.time.map(|t| t.format("%H:%M").to_string()), "-"),
        Cell::text(&item.channel),
        Cell::text(&item.audience),
        Cell::opt_text(item.campaign.as_deref(), "-"),
        Cell::text(&item.title),
        Cell::opt_text(item.goal.as_deref(), "-"),
        Cell::opt_text(item.owner.as_deref(), "-"),
    ]
}

fn week_matching(
    conn: &rusqlite::Connection,
    tz: chrono_tz::Tz,
    begin: NaiveDate,
    end: NaiveDate,
    today: NaiveDate,
) -> Result<calendar::Matching> {
    // A day on either side, so sends just outside the window can still match items inside it.
    let items = calendar::list(conn, Some(begin), Some(end))?;
    let sends = calendar::sent(conn, tz, begin - Duration::days(1), end + Duration::days(1))?;
    Ok(calendar::matching(items, sends, today))
}

/// One week: a row per day, a column per channel; JSON and CSV get one row per entry.
pub(crate) fn week_section(
    conn: &rusqlite::Connection,
    tz: chrono_tz::Tz,
    monday: NaiveDate,
    today: NaiveDate,
    format: Format,
) -> Result<Section> {
    let end = monday + Duration::weeks(1);
    let matching = week_matching(conn, tz, monday, end, today)?;
    // (day, channel, time, text, status)
    let mut entries: Vec<(NaiveDate, String, String, String, Status)> = Vec::new();
    for (item, sent, status) in &matching.items {
        let day = sent.as_ref().map_or(item.day, |s| s.day);
        let time = sent.as_ref().and_then(|s| s.time).or(item.time);
        entries.push((
            day,
            item.channel.clone(),
            time.map(|t| t.format("%H:%M").to_string())
                .unwrap_or_default(),
            format!("{} ({})", cell_title(&item.title), item.audience),
            *status,
        ));
    }
    // Whether a send should have been planned depends on the whole plan's days and channels.
    let plan = calendar::list(conn, None, None)?;
    let unplanned = calendar::unplanned_in_scope(&plan, &matching.unplanned);
    for send in matching
        .unplanned
        .iter()
        .filter(|s| s.day >= monday && s.day < end)
    {
        // Outside the plan's channels and days, a send is shown but not flagged.
        let flagged = unplanned.iter().any(|u| u.effort_id == send.effort_id);
        entries.push((
            send.day,
            send.channel.clone(),
            send.time
                .map(|t| t.format("%H:%M").to_string())
                .unwrap_or_default(),
            match send.audience.as_str() {
                "(unknown)" => cell_title(
                    &send
                        .title
                        .clone()
                        .unwrap_or_else(|| send.external_id.clone()),
                ),
                audience => format!(
                    "{} ({audience})",
                    cell_title(
                        &send
                            .title
                            .clone()
                            .unwrap_or_else(|| send.external_id.clone())
                    )
                ),
            },
            if flagged {
                Status::SentUnplanned
            } else {
                Status::Sent
            },
        ));
    }
    entries.retain(|e| e.0 >= monday && e.0 < end);
    entries.sort();
    if matches!(format, Format::Json | Format::Csv) {
        let mut section = Section::new(
            "",
            vec![
                Column::new("date", "Day"),
                Column::new("channel", "Channel"),
                Column::new("time", "Time"),
                Column::new("item", "Item"),
                Column::new("status", "Status"),
            ],
        );
        for (day, channel, time, text, status) in entries {
            section.push(vec![
                Cell::text(day.to_string()),
                Cell::text(channel),
                Cell::text(time),
                Cell::text(text),
                Cell::text(status.as_str()),
            ]);
        }
        return Ok(section);
    }
    let channels: Vec<&str> = CHANNELS
        .iter()
        .copied()
        .filter(|c| entries.iter().any(|e| e.1 == *c))
        .collect();
    let mut columns = vec![Column::new("date", "Day")];
    columns.extend(channels.iter().map(|c| Column::new(*c, *c)));
    let mut section = Section::new("", columns).with_empty("Nothing planned or sent this week.");
    if entries.is_empty() {
        return Ok(section);
    }
    for offset in 0..7 {
        let day = monday + Duration::days(offset);
        let mut cells = vec![Cell::text(format!(
            "{} {}",
            day.weekday(),
            day.format("%b %d")
        ))];
        for channel in &channels {
            let text: Vec<String> = entries
                .iter()
                .filter(|e| e.0 == day && e.1 == *channel)
                .map(|e| {
                    format!(
                        "{}{} [{}]",
                        if e.2.is_empty() {
                            String::new()
                        } else {
                            format!("{} ", e.2)
                        },
                        e.3,
                        e.4.as_str()
                    )
                })
                .collect();
            cells.push(Cell::text(text.join("; ")));
        }
        section.push(cells);
    }
    Ok(section)
}

pub(crate) fn matrix_section(
    conn: &rusqlite::Connection,
    tz: chrono_tz::Tz,
    begin: Option<NaiveDate>,
    end: Option<NaiveDate>,
    interval: Option<Interval>,
    today: NaiveDate,
) -> Result<Section> {
    let items = calendar::list(conn, begin, end)?;
    let first = items.iter().map(|i| i.day).min();
    let begin = begin.or(first).unwrap_or(today);
    let end = end.unwrap_or_else(|| {
        items
            .iter()
            .map(|i| i.day)
            .max()
            .map_or(today, |d| d.max(today))
            + Duration::days(1)
    });
    // A send matched to a plan item was for that item's audience, whatever the export says.
    let matching = calendar::matching(items.clone(), calendar::sent(conn, tz, begin, end)?, today);
    let sends: Vec<calendar::Sent> = matching
        .items
        .iter()
        .filter_map(|(item, sent, _)| {
            sent.clone().map(|mut s| {
                s.audience = item.audience.clone();
                s
            })
        })
        .chain(matching.unplanned.iter().cloned())
        .collect();
    let periods = interval.map(|i| buckets(begin, end, i)).unwrap_or_default();
    let period_of = |day: NaiveDate| -> String {
        bucket_of(&periods, day)
            .map(|i| periods[i].label.clone())
            .unwrap_or_else(|| "all".to_string())
    };
    // (audience, period) -> channel -> (planned, sent)
    let mut cells: std::collections::BTreeMap<
        (String, String),
        std::collections::BTreeMap<String, (i64, i64)>,
    > = Default::default();
    for item in &items {
        cells
            .entry((item.audience.clone(), period_of(item.day)))
            .or_default()
            .entry(item.channel.clone())
            .or_default()
            .0 += 1;
    }
    for send in &sends {
        cells
            .entry((send.audience.clone(), period_of(send.day)))
            .or_default()
            .entry(send.channel.clone())
            .or_default()
            .1 += 1;
    }
    let channels: Vec<&str> = CHANNELS
        .iter()
        .copied()
        .filter(|c| cells.values().any(|m| m.contains_key(*c)))
        .collect();
    let mut columns = vec![Column::new("audience", "Audience")];
    if interval.is_some() {
        columns.push(Column::new("period", "Period"));
    }
    for channel in &channels {
        columns.push(Column::new(
            format!("{channel}_planned"),
            format!("{channel} planned"),
        ));
        columns.push(Column::new(
            format!("{channel}_sent"),
            format!("{channel} sent"),
        ));
    }
    let mut section =
        Section::new("", columns).with_empty("Nothing planned or sent in this period.");
    for ((audience, period), by_channel) in &cells {
        let mut row = vec![Cell::text(audience)];
        if interval.is_some() {
            row.push(Cell::text(period));
        }
        for channel in &channels {
            let (planned, sent) = by_channel.get(*channel).copied().unwrap_or((0, 0));
            row.push(Cell::Int(planned));
            row.push(Cell::Int(sent));
        }
        section.push(row);
    }
    Ok(section)
}

pub(crate) fn plan_warnings(
    conn: &rusqlite::Connection,
    tz: chrono_tz::Tz,
    today: NaiveDate,
    limits: &CheckLimits,
) -> Result<Vec<calendar::Warning>> {
    let items = calendar::list(conn, None, None)?;
    let (Some(first), Some(last)) = (
        items.iter().map(|i| i.day).min(),
        items.iter().map(|i| i.day).max(),
    ) else {
        return Ok(Vec::new());
    };
    // Sends through today, so an audience reached after the plan ends is not called silent.
    let until = (last + Duration::days(2)).max(today + Duration::days(1));
    let sends = calendar::sent(conn, tz, first - Duration::days(1), until)?;
    let matching = calendar::matching(items, sends, today);
    calendar::check(conn, &matching, limits, today)
}

pub(crate) fn warnings_section(warnings: &[calendar::Warning]) -> Section {
    let mut section = Section::new(
        "Calendar checks",
        vec![
            Column::new("check", "Check"),
            Column::new("subject", "What"),
            Column::new("detail", "Found"),
            Column::new("fix", "How to fix"),
        ],
    )
    .with_empty("No warnings: the plan and what went out agree.");
    for w in warnings {
        section.push(vec![
            Cell::text(w.check),
            Cell::text(&w.subject),
            Cell::text(&w.detail),
            Cell::text(&w.fix),
        ]);
    }
    section
}

fn results_section(
    conn: &rusqlite::Connection,
    tz: chrono_tz::Tz,
    begin: Option<NaiveDate>,
    end: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Section> {
    let items = calendar::list(conn, begin, end)?;
    let (Some(first), Some(last)) = (
        items.iter().map(|i| i.day).min(),
        items.iter().map(|i| i.day).max(),
    ) else {
        return Ok(item_section(""));
    };
    let sends = calendar::sent(
        conn,
        tz,
        first - Duration::days(1),
        last + Duration::days(2),
    )?;
    let matching = calendar::matching(items, sends, today);
    // Last-touch credit per effort, for each goal asked for.
    let mut last_touch: std::collections::HashMap<(String, String), f64> = Default::default();
    let goals: std::collections::BTreeSet<String> = matching
        .items
        .iter()
        .filter_map(|(i, _, _)| i.goal.clone())
        .collect();
    let vocabulary = crate::metrics::Vocabulary::load(conn)?;
    for goal in goals.iter().filter(|g| {
        vocabulary
            .find(g)
            .is_some_and(|m| m.family == crate::metrics::Family::Result)
    }) {
        let options = crate::attribution::Options {
            campaign_id: None,
            outcome: goal.clone(),
            window: 7 * 86_400,
            half_life: 7 * 86_400,
            by: crate::attribution::By::Effort,
            touch: crate::attribution::TouchKind::Any,
            period: None,
        };
        let evidence = crate::attribution::load(conn, &options)?;
        for credit in crate::attribution::credit(
            &evidence,
            &[crate::attribution::Model::Last],
            options.half_life,
        ) {
            last_touch.insert((goal.clone(), credit.key), credit.credit);
        }
    }
    let mut section = Section::new(
        "",
        vec![
            Column::new("id", "#"),
            Column::new("date", "Day"),
            Column::new("channel", "Channel"),
            Column::new("title", "Title"),
            Column::new("status", "Status"),
            Column::tools_only("effort", "Sent as"),
            Column::tools_only("label", "Sent as"),
            Column::new("delivered", "Delivered"),
            Column::new("unique_opens", "Opens"),
            Column::new("unique_clicks", "Clicks"),
            Column::new("goal", "Goal"),
            Column::new("direct", "Direct"),
            Column::new("last_touch", "Last touch"),
        ],
    );
    let labels = crate::efforts::all(conn, tz)?;
    let mut metric_sum =
        conn.prepare("SELECT sum(value) FROM fact WHERE effort_id = ?1 AND metric = ?2")?;
    let mut direct_sum =
        conn.prepare("SELECT sum(amount) FROM action WHERE source_code = ?1 AND metric = ?2")?;
    for (item, sent, status) in &matching.items {
        let mut value = |metric: &str| -> Result<Cell> {
            Ok(match sent {
                Some(s) => metric_sum
                    .query_row(rusqlite::params![s.effort_id, metric], |r| {
                        r.get::<_, Option<f64>>(0)
                    })?
                    .map_or(Cell::Missing("-"), Cell::Number),
                None => Cell::Missing("-"),
            })
        };
        let delivered = value("delivered")?;
        let opens = value("unique_opens")?;
        let clicks = value("unique_clicks")?;
        let (direct, last) = match (sent, &item.goal) {
            (Some(s), Some(goal)) => (
                Cell::Number(
                    direct_sum
                        .query_row(rusqlite::params![s.external_id, goal], |r| {
                            r.get::<_, Option<f64>>(0)
                        })?
                        .unwrap_or(0.0),
                ),
                Cell::Number(
                    last_touch
                        .get(&(goal.clone(), s.external_id.clone()))
                        .copied()
                        .unwrap_or(0.0),
                ),
            ),
            _ => (Cell::Missing("-"), Cell::Missing("-")),
        };
        section.push(vec![
            Cell::Int(item.id),
            Cell::text(item.day.to_string()),
            Cell::text(&item.channel),
            Cell::text(&item.title),
            Cell::text(status.as_str()),
            Cell::opt_text(sent.as_ref().map(|s| s.external_id.clone()), "-"),
            Cell::opt_text(
                sent.as_ref()
                    .and_then(|s| labels.get(&s.effort_id))
                    .map(|n| n.label.clone()),
                "-",
            ),
            delivered,
            opens,
            clicks,
            Cell::opt_text(item.goal.as_deref(), "-"),
            direct,
            last,
        ]);
    }
    Ok(section)
}
