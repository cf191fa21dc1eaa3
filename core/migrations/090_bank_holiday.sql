-- England's bank holidays (schemas/reference/bank_holidays_england.csv,
-- from gov.uk/bank-holidays), loaded by `init`.  The SQL function
-- working_days(from, to) (engine/functions.c) counts working days with
-- them and answers NULL outside the years the table covers, so the file is
-- extended a year at a time.  A holiday is a real date on a weekday: the
-- substitute day is listed when a holiday falls at a weekend.
CREATE TABLE bank_holiday (
    date  TEXT PRIMARY KEY
          CHECK (date(date) IS date AND strftime('%w', date) NOT IN ('0', '6')),
    title TEXT NOT NULL CHECK (title <> '')
);
