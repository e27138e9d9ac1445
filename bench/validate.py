#!/usr/bin/env python3
"""The estimators against a planted truth (not a timed test): `turnout simulate` writes a
synthetic organisation as real-format exports with known effects, turnout reads them as a user
would, and this script counts how often its answers hold: intervals that cover the planted effect,
"no evidence" where there is none, refusals where the comparison would mislead, and detection rates
against the power turnout says to expect. It writes its tables into VALIDATION.md.

Usage: python3 bench/validate.py [--seeds 100] [--only lift|weekly]
Needs: a release build (cargo build --release) and python3. About ten minutes on two cores.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "turnout")
PEOPLE = 4000
SHARE = 0.2
# The simulation's weekly RSVP chance without outreach, averaged over engagement: 1% times the
# mean of its engagement factors (0.15, 0.4, 0.9, 1.8, 3.5 for 20/25/25/20/10% of members).
BASE_RATE = 0.01 * (0.2 * 0.15 + 0.25 * 0.4 + 0.25 * 0.9 + 0.2 * 1.8 + 0.1 * 3.5)


def turnout(db, *args, check=True):
    out = subprocess.run([BIN, "--db", db, "--quiet", *args], capture_output=True, text=True)
    if check and out.returncode != 0:
        raise RuntimeError(f"turnout {' '.join(args)}: {out.stderr}")
    return out


def world(seed, effect, experiment=True):
    """A simulated organisation in a fresh folder: its exports imported, the experiment drawn."""
    work = tempfile.mkdtemp(prefix="turnout-validate-")
    sim = os.path.join(work, "sim")
    db = os.path.join(work, "t.db")
    args = ["simulate", "--out", sim, "--people", str(PEOPLE), "--weeks", "1",
            "--seed", str(seed), "--effect", f"email={effect}"]
    if experiment:
        args += ["--experiment", str(SHARE)]
    turnout(db, *args)
    turnout(db, "campaign", "add", "sim", "--name", "Simulated", "--code", "sim")
    return work, sim, db


def imported(db, sim):
    files = sorted(os.path.join(sim, f) for f in os.listdir(sim) if f.endswith(".csv"))
    turnout(db, "import", "--campaign", "sim", *files)


def drawn(db, sim, seed):
    lists = os.path.join(sim, "lists")
    turnout(db, "holdout", "draw", os.path.join(lists, "audience.csv"), "--name", "sim",
            "--share", str(SHARE), "--seed", str(seed), "--strata", "MEMBER_RATING",
            "--campaign", "sim", "--send", os.path.join(lists, "send.csv"),
            "--holdout", os.path.join(lists, "hold.csv"))


def lift_row(db, *args):
    rows = json.loads(turnout(db, "lift", "sim", *args, "--outcome", "rsvps", "--window", "7d",
                              "--format", "json").stdout)
    return next(r for r in rows if r.get("section") == "Lift")


def openers_claim(sim):
    """What the old comparison said: the first send's openers against the holdout, RSVPs within
    the week (a difference of proportions whose 95% interval excludes zero)."""
    import csv
    import math
    lists = os.path.join(sim, "lists")
    with open(os.path.join(lists, "hold.csv")) as f:
        held = {r["Email Address"].lower() for r in csv.DictReader(f)}
    opened = set()
    for name in os.listdir(sim):
        if name.startswith("100000_"):
            with open(os.path.join(sim, name)) as f:
                opened = {r["Email"].lower() for r in csv.DictReader(f)}
    with open(os.path.join(sim, "mobilize-participations.csv")) as f:
        acted = {r["user__email_address"].lower() for r in csv.DictReader(f)}
    p1 = len(opened & acted) / len(opened)
    p0 = len(held & acted) / len(held)
    se = math.sqrt(p1 * (1 - p1) / len(opened) + p0 * (1 - p0) / len(held))
    return p1 - p0 - 1.96 * se > 0, (p1 - p0) * 100


def experiment_seed(job):
    """One seed of the experiment: the lift, the refused opens-only path, the old comparison."""
    seed, effect = job
    work, sim, db = world(seed, effect)
    drawn(db, sim, seed)
    imported(db, sim)
    row = lift_row(db, "--experiment", "sim", "--effort", "100000")
    result = {
        "effect": effect,
        "covered": row["low"] <= effect * 100 <= row["high"],
        "claimed": not row["verdict"].startswith("no evidence"),
        "raised": row["verdict"].startswith("raised"),
        "mde": row["mde_points"],
        "difference": row["difference"],
    }
    if effect == 0:
        # The holdout file without the draw on record, and only opens known per person: refused.
        plain = os.path.join(work, "plain.db")
        turnout(plain, "campaign", "add", "sim", "--name", "Simulated", "--code", "sim")
        imported(plain, sim)
        out = turnout(plain, "lift", "sim", "--effort", "100000", "--holdout",
                      os.path.join(sim, "lists", "hold.csv"), "--outcome", "rsvps",
                      "--window", "7d", check=False)
        result["opens_only_refused"] = out.returncode == 1 and "raised" not in out.stdout
        result["openers_claim"], result["openers_difference"] = openers_claim(sim)
    subprocess.run(["rm", "-rf", work])
    return result


def power(effect):
    out = turnout(os.devnull, "holdout", "power", "--people", str(PEOPLE), "--share", str(SHARE),
                  "--base-rate", f"{BASE_RATE * 100:.4f}", "--effect", f"{effect * 100:.4f}",
                  "--format", "json")
    row = json.loads(out.stdout)[0]
    return row["mde_points"], row["power"]


def lift_tables(seeds, pool):
    mde, _ = power(0.01)
    planted = [0.0, 0.02, round(mde / 200, 5), round(mde / 100, 5), round(mde * 1.5 / 100, 5)]
    jobs = [(seed, effect) for effect in planted for seed in range(1, seeds + 1)]
    results = list(pool.map(experiment_seed, jobs))
    by = {e: [r for r in results if r["effect"] == e] for e in planted}
    none, two = by[0.0], by[0.02]
    lines = [
        f"Each row: {seeds} seeds of `turnout simulate --experiment {SHARE} --people {PEOPLE} "
        "--weeks 1 --effect email=E` (people differ in engagement: the engaged open more and act "
        "more), drawn with `turnout holdout draw --strata MEMBER_RATING`, imported, and measured "
        "with `turnout lift sim --experiment sim --effort 100000 --outcome rsvps --window 7d`.",
        "",
        "| check | planted | result | bar |",
        "|---|---|---|---|",
        f"| 95% interval covers the planted effect | 2 points | {pct(two, 'covered')} | >= 93% |",
        f"| 95% interval covers the planted effect | none | {pct(none, 'covered')} | >= 93% |",
        f"| \"no evidence\" when nothing is planted | none | {pct(none, 'claimed', invert=True)} | >= 93% |",
        f"| the opens-only path (`--holdout` without `--sent` or a draw) is refused | none | "
        f"{pct(none, 'opens_only_refused')} | 100%, never an effect |",
        f"| the old comparison (openers against the holdout) claims an effect | none | "
        f"{pct(none, 'openers_claim')}, by {avg(none, 'openers_difference'):+.2f} points on "
        f"average (the lift: {avg(none, 'difference'):+.2f}) | what the refusal prevents |",
        "",
        f"The smallest detectable effect against what was detected. `turnout holdout power "
        f"--people {PEOPLE} --share {SHARE} --base-rate {BASE_RATE * 100:.2f}` gives "
        f"{mde:.2f} points; with nothing planted, the lift's own (at the rate both groups acted "
        f"at) averaged {avg(none, 'mde'):.2f} points.",
        "",
        "| planted effect (points) | power `holdout power` predicts | detected (\"raised\") | covered |",
        "|---|---|---|---|",
    ]
    for effect in planted:
        predicted = power(effect)[1] if effect > 0 else 5.0
        label = "5% (false alarms, both ways)" if effect == 0 else f"{predicted:.0f}%"
        detected = pct(by[effect], "claimed" if effect == 0 else "raised")
        lines.append(f"| {effect * 100:.2f} | {label} | {detected} | {pct(by[effect], 'covered')} |")
    return "\n".join(lines)


def weekly_seed(job):
    """One seed of weekly numbers only, through `drivers --aggregate`."""
    seed, weeks, shape, effects = job
    work = tempfile.mkdtemp(prefix="turnout-validate-")
    db = os.path.join(work, "t.db")
    args = ["simulate", "--out", work, "--weekly", "--people", str(WEEKLY_PEOPLE),
            "--weeks", str(weeks), "--seed", str(seed)]
    args += [f"--{flag}" for flag in shape]
    for channel, size in effects.items():
        args += ["--effect", f"{channel}={size}"]
    turnout(db, *args)
    turnout(db, "campaign", "add", "sim", "--name", "Simulated")
    turnout(db, "import", os.path.join(work, "weekly-numbers.csv"))
    rows = json.loads(turnout(db, "drivers", "sim", "--aggregate", "--outcome", "rsvps",
                              "--format", "json").stdout)
    subprocess.run(["rm", "-rf", work])
    by_key = {r["key"]: r for r in rows}
    result = {"credited": any(r["verdict"].startswith(("moved with rsvps", "together, moved with rsvps"))
                              for r in rows),
              "together": by_key.get("email", {}).get("verdict", "").startswith("moved together")}
    for channel, size in effects.items():
        row = by_key.get(channel, {})
        truth = size * 1000
        result[channel] = row.get("low") is not None and row["low"] <= truth <= row["high"]
        result[channel + "_seen"] = row.get("verdict", "").startswith("moved with rsvps")
    return result


WEEKLY_PEOPLE = 5000
WEEKLY_EFFECTS = {"email": 0.002, "sms": 0.004}


def weekly_tables(seeds, pool):
    scenarios = [
        ("26 weeks", 26, [], WEEKLY_EFFECTS),
        ("52 weeks", 52, [], WEEKLY_EFFECTS),
        ("52 weeks, a common trend, no effect", 52, ["trend"], {}),
        ("52 weeks, a common trend, the effects", 52, ["trend"], WEEKLY_EFFECTS),
        ("52 weeks, texts sent with the emails", 52, ["together"], WEEKLY_EFFECTS),
    ]
    lines = [
        f"Each row: {seeds} seeds of `turnout simulate --weekly --people {WEEKLY_PEOPLE} --weeks W` "
        "(RSVPs around a baseline of 1% of the list a week; the effects act on activity carried "
        "over at 0.3 a week; `--trend`: a vote approaching raises the baseline and every "
        "channel's activity from 1x to 3x; `--together`: texts go out with the emails), imported "
        "and read with `turnout drivers sim --aggregate --outcome rsvps`. Planted: email 2 and "
        "sms 4 RSVPs per 1,000 sent, or nothing.",
        "",
        "| weeks | email interval covers 2 | sms interval covers 4 | no channel credited | channels said to move together | bar | email, sms seen |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, weeks, shape, effects in scenarios:
        jobs = [(seed, weeks, shape, effects) for seed in range(1, seeds + 1)]
        results = list(pool.map(weekly_seed, jobs))
        email = pct(results, "email") if "email" in effects and "together" not in shape else "-"
        sms = pct(results, "sms") if "sms" in effects and "together" not in shape else "-"
        quiet = pct(results, "credited", invert=True) if not effects else "-"
        together = pct(results, "together") if "together" in shape else "-"
        bar = (">= 90% each" if effects and "together" not in shape
               else ">= 90% no credit" if not effects else ">= 90% warned")
        seen = (f"{pct(results, 'email_seen')}, {pct(results, 'sms_seen')}"
                if effects and "together" not in shape else "-")
        lines.append(f"| {label} | {email} | {sms} | {quiet} | {together} | {bar} | {seen} |")
    return "\n".join(lines)


def pct(rows, key, invert=False):
    n = sum(1 for r in rows if bool(r[key]) != invert)
    return f"{n} of {len(rows)} ({100 * n / len(rows):.0f}%)"


def avg(rows, key):
    return sum(r[key] for r in rows) / len(rows)


def write_section(name, body):
    path = os.path.join(ROOT, "VALIDATION.md")
    text = open(path).read() if os.path.exists(path) else "# Validation\n"
    begin, end = f"<!-- {name}: begin -->", f"<!-- {name}: end -->"
    block = f"{begin}\n{body}\n{end}"
    if begin in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    open(path, "w").write(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--only", choices=["lift", "weekly"], default=None)
    args = parser.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build it first: cargo build --release")
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        if args.only in (None, "lift"):
            table = lift_tables(args.seeds, pool)
            write_section("lift", table)
            print(table)
        if args.only in (None, "weekly"):
            table = weekly_tables(args.seeds, pool)
            write_section("weekly", table)
            print(table)


if __name__ == "__main__":
    main()
