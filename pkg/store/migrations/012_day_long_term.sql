-- The methodology's second free-text answer: what the day's work gives in
-- the long term (the template's long_term metric), beside notes.
ALTER TABLE days ADD COLUMN long_term TEXT NOT NULL DEFAULT '';
