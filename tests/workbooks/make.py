"""Makes the workbooks the import tests read, as Excel saves an export opened and saved again:
the Mailchimp campaigns report (imports/samples/mailchimp-campaign-reports.csv) as .xlsx, with its
counts as numbers and its rates as percentages (a fraction shown as 33.98%), after a notes sheet
someone added first; the same report saved by Excel as "Text (Tab delimited)"; and the same as
Excel 97-2003 (.xls, BIFF8) and as OpenDocument (.ods), each with one sheet.
Run from this folder: python3 make.py (needs: pip install openpyxl xlwt odfpy).
openpyxl stamps the time into the .xlsx: keep the committed one unless its contents change."""
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

# The same report as Excel 97-2003 (.xls, BIFF8, written by xlwt) and as LibreOffice's .ods
# (written by odfpy): counts as numbers, rates as fractions shown as percentages.
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableCellProperties
from odf.number import PercentageStyle, Number, Text as NumberText
from odf.table import Table, TableRow, TableCell
from odf.text import P


def typed(r, text):
    """A cell's value as the workbook holds it, and whether it is shown as a percentage."""
    if r > 0 and text.endswith("%"):
        return float(text[:-1]) / 100, True
    if r > 0 and text.isdigit():
        return int(text), False
    return text, False


xls = xlwt.Workbook()
percent = xlwt.easyxf(num_format_str="0.00%")
sheet = xls.add_sheet("Campaigns")
for r, row in enumerate(rows):
    for c, text in enumerate(row):
        value, is_percent = typed(r, text)
        if is_percent:
            sheet.write(r, c, value, percent)
        else:
            sheet.write(r, c, value)
xls.save("mailchimp-campaign-reports.xls")

ods = OpenDocumentSpreadsheet()
shown = PercentageStyle(name="percent")
shown.addElement(Number(decimalplaces="2", minintegerdigits="1"))
shown.addElement(NumberText(text="%"))
ods.automaticstyles.addElement(shown)
cell_style = Style(name="pct", family="table-cell", datastylename="percent")
ods.automaticstyles.addElement(cell_style)
table = Table(name="Campaigns")
for r, row in enumerate(rows):
    line = TableRow()
    for text in row:
        value, is_percent = typed(r, text)
        if is_percent:
            cell = TableCell(valuetype="percentage", value=value, stylename=cell_style)
        elif isinstance(value, int):
            cell = TableCell(valuetype="float", value=value)
        else:
            cell = TableCell(valuetype="string")
        cell.addElement(P(text=text))
        line.addElement(cell)
    table.addElement(line)
ods.spreadsheet.addElement(table)
ods.save("mailchimp-campaign-reports.ods")
