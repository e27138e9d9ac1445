//! The calendar's tables, as `calendar` and `demo` show them: planned items, one week as days x
//! channels, the audiences x channels matrix, the plan's warnings, and what each item became.

use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use rusqlite::Connection;

use crate::calendar::{self, ItemResult, Status};
use crate::channels::CHANNELS;
use crate::output::{Cell, Column, Format, Section};
use crate::report::periods::{Interval, bucket_of, buckets};

pub const WEEK_LEGEND: &str = "planned: still to come. sent: planned and sent. missed: its day passed with nothing sent. \
sent-unplanned: sent with no calendar item.";

pub const MATRIX_LEGEND: &str = "Each cell is items planned / sends that went out. Exported audience names are mapped with: \
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

pub fn item_section(name: &str) -> Section {
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

pub fn item_cells(item: &calendar::PlanItem, _status: Option<Status>) -> Vec<Cell> {
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
    conn: &Connection,
    tz: Tz,
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
pub fn week_section(
    conn: &Connection,
    tz: Tz,
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

pub fn matrix_section(
    conn: &Connection,
    tz: Tz,
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

pub fn warnings_section(warnings: &[calendar::Warning]) -> Section {
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

/// How `results_section` matches and credits, for its footnote.
pub const RESULTS_LEGEND: &str = "Each item is matched to the effort sent on the same channel and campaign, nearest in time within a day \
(title similarity breaks ties). Results: actions carrying the effort's own code (direct) and actions whose \
last touch in the 7 days before was this effort (last touch).";

/// Each item with what it became (see `calendar::results`).
pub fn results_section(
    results: &[ItemResult],
    labels: &std::collections::HashMap<i64, crate::efforts::Named>,
) -> Section {
    if results.is_empty() {
        return item_section("");
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
    let number = |value: Option<f64>| value.map_or(Cell::Missing("-"), Cell::Number);
    for result in results {
        let (item, sent) = (&result.item, &result.sent);
        let (direct, last) = match result.credit {
            Some((direct, last)) => (Cell::Number(direct), Cell::Number(last)),
            None => (Cell::Missing("-"), Cell::Missing("-")),
        };
        section.push(vec![
            Cell::Int(item.id),
            Cell::text(item.day.to_string()),
            Cell::text(&item.channel),
            Cell::text(&item.title),
            Cell::text(result.status.as_str()),
            Cell::opt_text(sent.as_ref().map(|s| s.external_id.clone()), "-"),
            Cell::opt_text(
                sent.as_ref()
                    .and_then(|s| labels.get(&s.effort_id))
                    .map(|n| n.label.clone()),
                "-",
            ),
            number(result.delivered),
            number(result.unique_opens),
            number(result.unique_clicks),
            Cell::opt_text(item.goal.as_deref(), "-"),
            direct,
            last,
        ]);
    }
    section
}
