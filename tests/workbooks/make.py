"""Makes the workbooks the import tests read, as Excel saves an export opened and saved again:
the Mailchimp campaigns report (imports/samples/mailchimp-campaign-reports.csv) as .xlsx, with its
counts as numbers and its rates as percentages (a fraction shown as 33.98%), after a notes sheet
someone added first; and the same report saved by Excel as "Text (Tab delimited)".
Run from this folder: python3 make.py (needs openpyxl: pip install openpyxl)."""
import csv
import openpyxl

with open("../../imports/samples/mailchimp-campaign-reports.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))

book = openpyxl.Workbook()
notes = book.active
notes.title = "Notes"
notes.append(["Downloaded from Mailchimp, Reports > Download all campaign reports, 2026-10-20"])
sheet = book.create_sheet("Campaigns")
for r, row in enumerate(rows):
    cells = []
    for text in row:
        if r > 0 and text.endswith("%"):
            cells.append(float(text[:-1]) / 100)
        elif r > 0 and text.isdigit():
            cells.append(int(text))
        else:
            cells.append(text)
    sheet.append(cells)
    if r > 0:
        for c, text in enumerate(row, start=1):
            if text.endswith("%"):
                sheet.cell(row=r + 1, column=c).number_format = "0.00%"
book.save("mailchimp-campaign-reports.xlsx")

with open("mailchimp-campaign-reports-tab.txt", "w", newline="", encoding="utf-8") as f:
    csv.writer(f, delimiter="\t", lineterminator="\r\n").writerows(rows)
