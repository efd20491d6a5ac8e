-- Mail to the contribution address that a program sent (bounces, vacation notices): kept, never
-- answered, and marked so the editors can tell it from contributions.
ALTER TABLE contributions ADD COLUMN held_reason text;
