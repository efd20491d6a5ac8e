// Spreadsheet formula injection (OWASP "CSV Injection"): a cell starting with =, +, -, @, a tab or
// a carriage return is run as a formula when the export is opened in Excel, LibreOffice or Sheets.
// The export prefixes such cells with an apostrophe, which spreadsheets show as text; the import
// takes it off again, so an export imports back unchanged.

const FORMULA_START = /^[=+\-@\t\r]/;
const NEUTRALISED = /^'[=+\-@\t\r]/;

/** The cell as a spreadsheet will show it as text. */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The value `neutraliseCell` was given. */
export function restoreCell(value: string): string {
  return NEUTRALISED.test(value) ? value.slice(1) : value;
}
