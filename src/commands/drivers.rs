//! `turnout drivers`: which digital efforts drove a result, every model side by side.

use anyhow::Result;

use super::Context;
use crate::attribution::{self, By, Model, NO_TOUCH, Options, TouchKind};
use crate::campaigns;
use crate::cli::{DriversArgs, DriversByArg, ModelArg, TouchArg};
use crate::error::UsageError;
use crate::output::{Cell, Column, Format, Report, Section};

pub fn run(context: &Context, args: DriversArgs) -> Result<()> {
    let window = attribution::parse_duration(&args.window)
        .map_err(|e| UsageError(format!("--window: {e:#}")))?;
    let half_life = attribution::parse_duration(&args.half_life)
        .map_err(|e| UsageError(format!("--half-life: {e:#}")))?;
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
        by: match args.by {
            DriversByArg::Effort => By::Effort,
            DriversByArg::Channel => By::Channel,
        },
        touch: match args.touch {
            TouchArg::Any => TouchKind::Any,
            TouchArg::Sent => TouchKind::Sent,
            TouchArg::Opened => TouchKind::Opened,
            TouchArg::Clicked => TouchKind::Clicked,
        },
    };
    let models: Vec<Model> = match args.model {
        ModelArg::All => Model::ALL.to_vec(),
        ModelArg::Direct => vec![Model::Direct],
        ModelArg::Last => vec![Model::Last],
        ModelArg::First => vec![Model::First],
        ModelArg::Linear => vec![Model::Linear],
        ModelArg::TimeDecay => vec![Model::TimeDecay],
        ModelArg::Position => vec![Model::Position],
        ModelArg::Markov => vec![Model::Markov],
    };
    let evidence = attribution::load(conn, &options)?;
    let actions = evidence.converting.len();
    let credits = attribution::credit(&evidence, &models, half_life);

    let key_label = if options.by == By::Effort {
        "Effort"
    } else {
        "Channel"
    };
    let pivot = matches!(args.format.format, Format::Table | Format::Markdown) && models.len() > 1;
    let section = if pivot {
        // One column per model, one row per key; "no digital touch" last.
        let mut keys: Vec<&str> = Vec::new();
        for c in &credits {
            if c.key != NO_TOUCH && !keys.contains(&c.key.as_str()) {
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
        if credits.iter().any(|c| c.key == NO_TOUCH) {
            keys.push(NO_TOUCH);
        }
        let mut columns = vec![Column::new("key", key_label)];
        columns.extend(models.iter().map(|m| Column::new(m.as_str(), m.as_str())));
        let mut section = Section::new("", columns);
        for key in keys {
            let mut cells = vec![Cell::text(key)];
            for model in &models {
                let value = credits
                    .iter()
                    .find(|c| c.key == key && c.model == *model)
                    .map_or(0.0, |c| c.credit);
                cells.push(Cell::Number(value));
            }
            section.push(cells);
        }
        section
    } else {
        let mut section = Section::new(
            "",
            vec![
                Column::new("key", key_label),
                Column::new("model", "Model"),
                Column::new("credit", "Credit (actions)"),
                Column::new("share", "Share"),
            ],
        );
        for c in &credits {
            section.push(vec![
                Cell::text(&c.key),
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
    report.footnotes.extend([
        "direct: actions carrying a code an effort owns (or the channel they say they came through), no model.".to_string(),
        "last / first: all credit to the last / first touch before the action. linear: equal shares. position: 40% first, 40% last, 20% spread over the middle.".to_string(),
        format!("time-decay: a touch's weight halves every {} before the action.", args.half_life),
        "markov: a chain of touch paths, including people who did not act; each key's credit is how much less often people act when it is removed.".to_string(),
        format!("{NO_TOUCH}: actions with no touch in the window (or, for direct, no code), so every model's credits sum to the actions. Models disagree: that range is the honest answer, and only a holdout (turnout lift) shows cause."),
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
