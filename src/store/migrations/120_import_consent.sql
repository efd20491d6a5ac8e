-- Consent evidence an import carried, as the file had it: Mailchimp's OPTIN_TIME, OPTIN_IP,
-- CONFIRM_TIME, CONFIRM_IP (and UNSUB_TIME, CLEAN_TIME), listmonk's created_at and attributes, our
-- own export's consent columns. Part of the consent record beside consent_evidence.
ALTER TABLE subscribers ADD COLUMN imported_consent jsonb;

