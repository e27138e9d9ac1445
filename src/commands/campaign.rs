//! `turnout campaign`: set up, change, list and show campaigns.

use anyhow::Result;

use super::Context;
use super::flags::FormatArgs;
use crate::campaigns::{self, Campaign, CampaignFields};
use crate::output::{Cell, Column, Report, Section};
use crate::report::progress::PACE_DEFINITIONS;
use crate::report::sections::goals::progress_section;
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct CampaignFieldArgs {
    /// Display name, e.g. "Fair Rent Now"
    #[arg(long)]
    pub name: Option<String>,
    /// The team or branch that runs it
    #[arg(long)]
    pub team: Option<String>,
    /// First day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = super::flags::day)]
    pub start: Option<chrono::NaiveDate>,
    /// Last day (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = super::flags::day)]
    pub end: Option<chrono::NaiveDate>,
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
        /// The campaign's short name, e.g. fair-rent-now
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
        /// The campaign's short name, e.g. fair-rent-now
        slug: String,
        #[command(flatten)]
        format: FormatArgs,
    },
}

pub fn run(context: &Context, command: CampaignCommand) -> Result<()> {
    let store = context.open()?;
    let conn = store.conn();
    match command {
        CampaignCommand::Add { slug, fields } => {
            let campaign = campaigns::add(conn, &slug, campaign_fields(fields, Vec::new())?)?;
            println!("Added the campaign {} ({}).", campaign.slug, campaign.name);
            if campaign.start.is_none() {
                context.note(&format!(
                    "Tip: give it dates so goals and reports know its span: turnout campaign edit {} --start YYYY-MM-DD --end YYYY-MM-DD",
                    campaign.slug
                ));
            }
        }
        CampaignCommand::Edit {
            slug,
            fields,
            remove_codes,
        } => {
            let campaign = campaigns::edit(conn, &slug, campaign_fields(fields, remove_codes)?)?;
            println!("Updated {}: {}", campaign.slug, describe(&campaign));
        }
        CampaignCommand::List(format) => {
            let mut section = Section::new("", campaign_columns()).with_empty(
                "No campaigns yet. Add one with: turnout campaign add SLUG --name \"...\"",
            );
            for campaign in campaigns::list(conn)? {
                section.push(campaign_cells(&campaign));
            }
            context.print(&Report::single("Campaigns", section), format.format)?;
        }
        CampaignCommand::Show { slug, format } => {
            let campaign = campaigns::get(conn, &slug)?;
            let today = context.today(&store)?;
            let activity = campaigns::activity(conn, campaign.id)?;

            let mut report = Report::new(format!("{} ({})", campaign.name, campaign.slug));
            report.context.push(context.report_context(&store, today)?);
            let mut details = Section::new("Campaign", campaign_columns());
            details.push(campaign_cells(&campaign));
            report.sections.push(details);
            report
                .sections
                .push(progress_section(conn, &[campaign.id], today)?);
            let mut data = Section::new(
                "Data",
                vec![
                    Column::new("numbers", "Numbers stored"),
                    Column::new("efforts", "Efforts"),
                    Column::new("first", "First day"),
                    Column::new("last", "Last day"),
                ],
            );
            data.push(vec![
                Cell::Int(activity.values),
                Cell::Int(activity.efforts),
                Cell::opt_text(activity.first_date, "-"),
                Cell::opt_text(activity.last_date, "-"),
            ]);
            report.sections.push(data);
            if activity.goals > 0 {
                report.footnotes.push(PACE_DEFINITIONS.to_string());
            }
            context.print(&report, format.format)?;
        }
    }
    Ok(())
}

fn campaign_fields(args: CampaignFieldArgs, remove_codes: Vec<String>) -> Result<CampaignFields> {
    Ok(CampaignFields {
        name: args.name,
        team: args.team,
        start: args.start,
        end: args.end,
        add_codes: args.codes,
        remove_codes,
    })
}

fn campaign_columns() -> Vec<Column> {
    vec![
        Column::new("slug", "Slug"),
        Column::new("name", "Name"),
        Column::new("team", "Team"),
        Column::new("start", "Start"),
        Column::new("end", "End"),
        Column::new("codes", "Codes"),
    ]
}

fn campaign_cells(campaign: &Campaign) -> Vec<Cell> {
    vec![
        Cell::text(&campaign.slug),
        Cell::text(&campaign.name),
        Cell::opt_text(campaign.team.as_deref(), "-"),
        Cell::opt_text(campaign.start.map(|d| d.to_string()), "-"),
        Cell::opt_text(campaign.end.map(|d| d.to_string()), "-"),
        Cell::text(campaign.codes.join(" ")),
    ]
}

fn describe(campaign: &Campaign) -> String {
    let dates = match (campaign.start, campaign.end) {
        (Some(s), Some(e)) => format!("{s} to {e}"),
        (Some(s), None) => format!("from {s}"),
        (None, Some(e)) => format!("until {e}"),
        (None, None) => "no dates".to_string(),
    };
    let codes = if campaign.codes.is_empty() {
        "no codes".to_string()
    } else {
        format!("codes {}", campaign.codes.join(", "))
    };
    format!(
        "{}, team {}, {dates}, {codes}",
        campaign.name,
        campaign.team.as_deref().unwrap_or("-")
    )
}
