//! `turnout drivers`: which digital efforts drove a result, every model side by side.

use anyhow::Result;

use super::Context;
use super::flags::FormatArgs;
use crate::attribution::{self, By, CODED, Model, NO_TOUCH, Options, TouchKind, coverage};
use crate::campaigns;
use crate::efforts;
use crate::error::UsageError;
use crate::output::{Cell, Column, Format, Report, Section};
use crate::store::settings;
use clap::Args;
use clap::builder::{PossibleValuesParser, TypedValueParser};

/// The models `--model` names: one, or all of them side by side.
#[derive(Debug, Clone)]
pub struct Models(pub Vec<Model>);

/// `--model`: a model's name (from `Model::ALL`, so the names cannot drift), or `all`.
fn models() -> impl TypedValueParser<Value = Models> {
    PossibleValuesParser::new(std::iter::once("all").chain(Model::ALL.map(Model::as_str))).map(
        |name| {
            Models(
                Model::ALL
                    .into_iter()
                    .filter(|m| name == "all" || m.as_str() == name)
                    .collect(),
            )
        },
    )
}

#[derive(Debug, Args)]
pub struct DriversArgs {
    /// The campaign (default: every campaign's actions and efforts)
    pub campaign: Option<String>,
    /// The result to explain: attended, rsvps, calls, signups, donations...
    #[arg(long, value_name = "METRIC", value_parser = super::flags::metric)]
    pub outcome: String,
    /// The model, or all of them side by side
    #[arg(long, default_value = "all", value_name = "MODEL", value_parser = models())]
    pub model: Models,
    /// How long before an action a touch can count (7d, 36h, 2w)
    #[arg(long, default_value = "7d", value_name = "DURATION", value_parser = super::flags::duration)]
    pub window: String,
    /// Time-decay: how long for a touch's weight to halve
    #[arg(long, default_value = "7d", value_name = "DURATION", value_parser = super::flags::duration)]
    pub half_life: String,
    /// Credit channels (email, sms, ...) or single efforts
    #[arg(long, value_enum, default_value_t = By::Channel)]
    pub by: By,
    /// Which event of a person's contact with an effort times the touch
    #[arg(long, value_enum, default_value_t = TouchKind::Any)]
    pub touch: TouchKind,
    /// Weekly numbers only: regress the outcome on each channel's carried-over activity
    #[arg(long)]
    pub aggregate: bool,
    /// Aggregate: the weekly carry-over (0 to 1; default: estimated)
    #[arg(long, value_name = "DECAY")]
    pub decay: Option<f64>,
    #[command(flatten)]
    pub format: FormatArgs,
}

pub fn run(context: &Context, args: DriversArgs) -> Result<()> {
    // Both were read by their value parsers: reading them again cannot fail.
    let window = attribution::parse_duration(&args.window)?;
    let half_life = attribution::parse_duration(&args.half_life)?;
    if args.aggregate {
        return aggregate(context, &args);
    }
    let store = context.open()?;
    let conn = store.conn();
    let campaign = match args.campaign.as_deref() {
        Some(slug) => Some(campaigns::get(conn, slug)?),
        None => None,
    };
    let options = Options {
        campaign_id: campaign.as_ref().map(|c| c.id),
        outcome: args.outcome.clone(),
        window,
        half_life,
        by: args.by,
        touch: args.touch,
        period: None,
    };
    let models = args.model.0.clone();
    let evidence = attribution::load(conn, &options)?;
    let actions = evidence.converting.len();
    let credits = attribution::credit(&evidence, &models, half_life);
    let mut coverage = coverage::coverage(conn, options.campaign_id)?;
    if options.by == By::Channel {
        // Channels only direct codes know of (a UTM medium of social) have no data of their own.
        for key in &evidence.keys {
            if key != NO_TOUCH && !coverage.iter().any(|c| &c.channel == key) {
                coverage.push(coverage::Coverage {
                    channel: key.clone(),
                    people: 0,
                    kinds: Vec::new(),
                    sent: 0.0,
                });
            }
        }
    }
    // By channel, a channel no export records people for gets "no data" from the rules, not 0.
    let unseen = |key: &str| {
        options.by == By::Channel
            && coverage
                .iter()
                .find(|c| c.channel == key)
                .is_none_or(|c| c.people == 0)
    };

    let key_label = if options.by == By::Effort {
        "Effort"
    } else {
        "Channel"
    };
    // Efforts are shown by their labels; their ids stay in `key`.
    let labels = if options.by == By::Effort {
        efforts::labels_by_external_id(conn, settings::timezone(conn)?)?
    } else {
        Default::default()
    };
    let label = |key: &str| labels.get(key).cloned().unwrap_or_else(|| key.to_string());
    let pivot = matches!(args.format.format, Format::Table | Format::Markdown) && models.len() > 1;
    let section = if pivot {
        // One column per model, one row per key; campaign-coded and "no digital touch" last.
        let mut keys: Vec<&str> = Vec::new();
        for c in &credits {
            if c.key != NO_TOUCH && c.key != CODED && !keys.contains(&c.key.as_str()) {
                keys.push(&c.key);
            }
        }
        keys.sort_by(|a, b| {
            let total = |k: &str| {
                credits
                    .iter()
                    .filter(|c| c.key == k)
                    .map(|c| c.credit)
                    .sum::<f64>()
            };
            total(b).total_cmp(&total(a)).then(a.cmp(b))
        });
        for last in [CODED, NO_TOUCH] {
            if credits.iter().any(|c| c.key == last) {
                keys.push(last);
            }
        }
        let mut columns = vec![
            Column::tools_only("key", key_label),
            Column::new("label", key_label),
        ];
        columns.extend(models.iter().map(|m| Column::new(m.as_str(), m.as_str())));
        let mut section = Section::new("", columns);
        for key in keys {
            let mut cells = vec![Cell::text(key), Cell::text(label(key))];
            for model in &models {
                let value = credits
                    .iter()
                    .find(|c| c.key == key && c.model == *model)
                    .map_or(0.0, |c| c.credit);
                if *model != Model::Direct
                    && key != NO_TOUCH
                    && key != CODED
                    && value == 0.0
                    && unseen(key)
                {
                    cells.push(Cell::Missing("no data"));
                } else {
                    cells.push(Cell::Number(value));
                }
            }
            section.push(cells);
        }
        section
    } else {
        let mut section = Section::new(
            "",
            vec![
                Column::new("key", key_label),
                Column::new("label", "Label"),
                Column::new("model", "Model"),
                Column::new("credit", "Credit (actions)"),
                Column::new("share", "Share"),
            ],
        );
        for c in &credits {
            section.push(vec![
                Cell::text(&c.key),
                Cell::text(label(&c.key)),
                Cell::text(c.model.as_str()),
                Cell::Number(c.credit),
                Cell::Percent(c.share * 100.0),
            ]);
        }
        section
    }
    .with_empty(format!(
        "No {} recorded{}.",
        args.outcome,
        campaign
            .as_ref()
            .map(|c| format!(" for {}", c.slug))
            .unwrap_or_default()
    ));

    let mut report = Report::single(
        format!(
            "What drove {}{}",
            args.outcome,
            campaign
                .as_ref()
                .map(|c| format!(": {} ({})", c.name, c.slug))
                .unwrap_or_default()
        ),
        section,
    );
    report.sections.push(coverage_section(&coverage));
    report.context.push(format!(
        "{actions} action(s); touches in the {} before each action, timed at their first {} event",
        args.window,
        match options.touch {
            TouchKind::Any => "",
            TouchKind::Sent => "sent",
            TouchKind::Opened => "open",
            TouchKind::Clicked => "click",
        }
    ));
    if actions < coverage::FEW_ACTIONS {
        report.context.push(format!(
            "Only {actions} action(s): too few for the rules' shares to say much."
        ));
    }
    report.footnotes.extend([
        "These are rules for sharing credit among the touches the exports record, not estimates of what an effort caused: none of them knows what would have happened without it. Only an experiment does (turnout holdout draw before the send, turnout lift after).".to_string(),
        "direct: actions carrying a code an effort owns (or the channel they say they came through), no model.".to_string(),
        "last / first: all credit to the last / first touch before the action. linear: equal shares. position: 40% first, 40% last, 20% spread over the middle.".to_string(),
        format!("time-decay: a touch's weight halves every {} before the action.", args.half_life),
        "markov: a chain of touch paths, including people who did not act; each key's credit is how much less often people act when it is removed.".to_string(),
        format!("{NO_TOUCH}: actions with no recorded touch in the window (or, for direct, no code at all), so every model's credits sum to the actions; {CODED}: actions whose code (or channel) is the campaign's, not one effort's. no data: the channel's exports name no one, so the rules cannot see it."),
    ]);
    context.print(&report, args.format.format)
}

/// `--aggregate`: weekly numbers only; each channel's carried-over activity against the outcome.
fn aggregate(context: &Context, args: &DriversArgs) -> Result<()> {
    use crate::attribution::aggregate::{self, Estimate};
    let store = context.open()?;
    let conn = store.conn();
    let Some(slug) = args.campaign.as_deref() else {
        return Err(UsageError(
            "--aggregate needs a campaign: turnout drivers CAMPAIGN --aggregate --outcome NAME"
                .to_string(),
        )
        .into());
    };
    let campaign = campaigns::get(conn, slug)?;
    let outcome = crate::metrics::Vocabulary::load(conn)?
        .resolve(&args.outcome)?
        .name
        .clone();
    if let Some(decay) = args.decay
        && !(0.0..1.0).contains(&decay)
    {
        return Err(UsageError(format!(
            "--decay must be at least 0 and below 1; found {decay}"
        ))
        .into());
    }
    let series = aggregate::load(conn, campaign.id, &outcome)?;
    let mut section = Section::new(
        "",
        vec![
            Column::new("key", "Channel"),
            Column::new("model", "Model"),
            Column::new("per_thousand", "Per 1,000"),
            Column::new("low", "95% low"),
            Column::new("high", "95% high"),
            Column::new("verdict", "In words"),
        ],
    );
    let mut report_context = Vec::new();
    match aggregate::estimate(&series, args.decay, 20_261_125) {
        Estimate::NotEnough { weeks, needed } => {
            section = section.with_empty(format!(
                "Not enough evidence: {weeks} week(s) of numbers for {} channel(s); this needs at least {needed}.",
                series.channels.len()
            ));
        }
        Estimate::Effects {
            decay,
            knots,
            effects,
        } => {
            report_context.push(format!(
                "{} weeks; carry-over {decay} a week over {} weeks{}; a baseline trend with {knots} knot(s), chosen by the data",
                series.weeks.len(),
                aggregate::LAGS,
                if args.decay.is_some() {
                    ""
                } else {
                    " (estimated, and chosen again in every bootstrap sample)"
                }
            ));
            for effect in &effects {
                section.push(vec![
                    Cell::text(&effect.channel),
                    Cell::text("aggregate"),
                    Cell::opt_number(effect.per_thousand, "-"),
                    Cell::opt_number(effect.low, "-"),
                    Cell::opt_number(effect.high, "-"),
                    Cell::text(aggregate::verdict(effect, &outcome)),
                ]);
            }
        }
    }
    let mut report = Report::single(
        format!(
            "What drove {outcome}: {} ({}), weekly numbers",
            campaign.name, campaign.slug
        ),
        section,
    );
    report.context.extend(report_context);
    report.footnotes.push(
        "Each channel's weekly activity (emails and texts sent, impressions, sessions) is carried over into the next weeks. \
         The outcome's own course over the weeks (a trend with knots) is taken out first, so whatever rose with the campaign \
         (a vote approaching) is not credited to the channel that rose with it; channels that moved together are estimated \
         together. Intervals resample blocks of weeks, choosing the trend and the carry-over again each time, and hold for all \
         the estimates at once. It shows association over time, not cause: only an experiment (turnout lift) does."
            .to_string(),
    );
    context.print(&report, args.format.format)
}

/// What the rules can see, per channel.
fn coverage_section(coverage: &[coverage::Coverage]) -> Section {
    let mut section = Section::new(
        "What the rules can see",
        vec![
            Column::new("channel", "Channel"),
            Column::new("people", "People with a known touch"),
            Column::tools_only("kinds", "Touches"),
            Column::new("sent", "Sent (the tools' count)"),
            Column::new("coverage", "In words"),
        ],
    );
    for c in coverage {
        section.push(vec![
            Cell::text(&c.channel),
            Cell::Int(c.people as i64),
            Cell::text(c.kinds.join(", ")),
            Cell::Number(c.sent),
            Cell::text(c.words()),
        ]);
    }
    section
}
