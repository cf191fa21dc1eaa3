-- 101: which returns are due from whom and when, and whom to chase
-- (issue 13: `status` by return type with due dates, days late and a
-- contact per authority).  Loaded from schemas/returns.json by init and
-- bench (engine/returns.c), replacing the previous contents; the portal's
-- due_date (050) for a return and quarter overrides due_days.
CREATE TABLE return_expectation (
    return_type TEXT PRIMARY KEY,
    expected    TEXT NOT NULL CHECK (expected IN ('required', 'optional')),
    quarters    TEXT NOT NULL,   -- financial-year quarters it is due in: ',1,2,3,4,'
    due_days    INTEGER CHECK (due_days >= 0), -- after the quarter's last day
    authorities TEXT             -- ',CAM,ISL,' short codes; NULL = every authority
);

CREATE TABLE authority_contact (
    la_code TEXT PRIMARY KEY REFERENCES authority (gss_code),
    name    TEXT NOT NULL,
    email   TEXT,
    phone   TEXT
);
