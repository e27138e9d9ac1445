"""Writes the demo's randomised experiment, in the formats the tools export.

Run from the repository root, in two steps, with the turnout draw in between:

    python3 imports/samples/assembly-invite/make.py audience
    turnout --db /tmp/draw.db holdout draw imports/samples/assembly-invite/members_export.csv \
        --name assembly-invite --share 0.2 --seed 1012 --strata MEMBER_RATING \
        --send imports/samples/assembly-invite/send.csv \
        --holdout imports/samples/assembly-invite/holdout.csv
    python3 imports/samples/assembly-invite/make.py outcomes

The members are invented (example.org/.com/.net addresses). The send's report row is written
from the numbers below. Who RSVPs is fixed here, not drawn:
48 of the 800 sent and 2 of the 200 held out, within the 14 days after the send, the engaged
(more stars) more often, as real members do; two of the sent cancel, and one held-out member
RSVPs after the window.
"""

import csv
import random
import sys
from datetime import datetime, timedelta, timezone

HERE = "imports/samples/assembly-invite"
FIRST = ["Ana", "Ben", "Carmen", "Dev", "Elena", "Farid", "Grace", "Hector", "Ines", "Jamal",
         "Kim", "Leo", "Maya", "Nadia", "Omar", "Paula", "Quentin", "Rosa", "Sam", "Tariq",
         "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Aisha", "Bruno", "Chen", "Dalia",
         "Emeka", "Fatima", "Gus", "Hana", "Ivan", "Julia", "Kwame", "Lina", "Mateo", "Nora"]
LAST = ["Alvarez", "Brooks", "Castillo", "Dang", "Ellis", "Flores", "Gupta", "Hughes", "Ito",
        "Jimenez", "Khan", "Lopez", "Moreno", "Ngata", "Okafor", "Park", "Quispe", "Reyes",
        "Singh", "Torres", "Ueda", "Vargas", "Wu", "Xu", "Yamada"]
DOMAINS = ["example.org", "example.com", "example.net"]
HEADER = ("Email Address,First Name,Last Name,Address,Phone Number,MEMBER_RATING,OPTIN_TIME,"
          "OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,"
          "LAST_CHANGED,LEID,EUID,NOTES,TAGS").split(",")


def audience():
    rng = random.Random(1012)
    rows = []
    for i in range(1000):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        email = f"{first.lower()}.{last.lower()}{i // 1000 or ''}@{DOMAINS[i % 3]}"
        rating = rng.choices([1, 2, 3, 4, 5], weights=[20, 25, 25, 20, 10])[0]
        optin = datetime(2024, 3, 1) + timedelta(minutes=rng.randrange(0, 60 * 24 * 900))
        rows.append([email, first, last, "", "", str(rating), optin.strftime("%Y-%m-%d %H:%M:%S"),
                     "", optin.strftime("%Y-%m-%d %H:%M:%S"), "", "", "", "-8", "1",
                     "America/Los_Angeles", "US", "CA", optin.strftime("%Y-%m-%d %H:%M:%S"),
                     str(300000000 + i), f"e{i:07x}", "", '"Building committee"'])
    with open(f"{HERE}/members_export.csv", "w", newline="") as out:
        out.write(",".join(HEADER) + "\n")
        for row in rows:
            out.write(",".join(row) + "\n")


def members(name):
    with open(f"{HERE}/{name}", newline="") as f:
        return list(csv.DictReader(f))


def outcomes():
    rng = random.Random(1013)
    sent, held = members("send.csv"), members("holdout.csv")
    weight = lambda m: [0.3, 0.6, 1.0, 1.6, 2.6][int(m["MEMBER_RATING"]) - 1]
    def pick(people, n):
        chosen = []
        pool = list(people)
        while len(chosen) < n:
            m = rng.choices(pool, weights=[weight(p) for p in pool])[0]
            pool.remove(m)
            chosen.append(m)
        return chosen
    send_time = datetime(2026, 10, 15, 1, 0, tzinfo=timezone.utc)  # Oct 14, 6 pm in Oakland
    rows = []
    def rsvp(m, status, after, from_email):
        created = send_time + after
        source = ("mailchimp", "email", "fair-rent-now", "email-1014") if from_email else ("", "", "", "")
        url = "https://www.mobilize.us/eastsidetenants/event/612005/"
        if from_email:
            url += "?utm_source=mailchimp&utm_medium=email&utm_campaign=fair-rent-now&utm_content=email-1014"
        stamp = created.strftime("%Y-%m-%d %H:%M:%S.%f") + "+00"
        rows.append([str(88420000 + 3 * len(rows)), stamp, stamp, str(2210000 + len(rows)), stamp,
                     m["First Name"], m["Last Name"], m["Email Address"], "", "", "", "612005",
                     "7301149", "", "", "4321", "Eastside Tenants Union", "eastsidetenants", "4321",
                     "Eastside Tenants Union", "eastsidetenants", status, "", "", "", source[0],
                     source[1], source[2], "", source[3], url, m["Email Address"], m["First Name"],
                     m["Last Name"], "", "", "", "MEETING"])
    within = lambda: timedelta(minutes=rng.randrange(10, 60 * 24 * 13))
    for i, m in enumerate(pick(sent, 50)):
        rsvp(m, "CANCELLED" if i >= 48 else "REGISTERED", within(), rng.random() < 0.6)
    for m in pick(held, 3)[:2]:
        rsvp(m, "REGISTERED", within(), False)
    late = [m for m in held if m["Email Address"] not in {r[7] for r in rows}][0]
    rsvp(late, "REGISTERED", timedelta(days=16), False)
    rows.sort(key=lambda r: r[1])
    with open("imports/samples/mobilize-participations-sql-mirror.csv", newline="") as f:
        header = next(csv.reader(f))
    with open(f"{HERE}/mobilize-participations-assembly.csv", "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def report():
    """The send's row of Mailchimp's campaigns report: 801 recipients (the send group), 301 of
    them opened."""
    with open("imports/samples/mailchimp-campaign-reports.csv") as f:
        header = f.readline()
    with open(f"{HERE}/mailchimp-campaign-report.csv", "w") as out:
        out.write(header)
        out.write('"2026-10-14 Assembly invite","Nov 12: our first tenants\' assembly. Will you be '
                  'there?","Eastside Tenants Union","Oct 14, 2026 06:00 pm",Wednesday,801,797,3,1,4,'
                  '0,0,301,37.77%,512,88,11.04%,131,2,0,0,0,9a4e1c7b52,0,0,0\n')


if __name__ == "__main__":
    if sys.argv[1] == "audience":
        audience()
    else:
        outcomes()
        report()
