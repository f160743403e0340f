-- Throttling counts every attempt: a sign-in is recorded (as a failure
-- until it succeeds) before its password is checked, so simultaneous
-- attempts see each other. A success removes its own rows by this id.
ALTER TABLE sign_in_failures ADD COLUMN attempt_id TEXT;
CREATE INDEX sign_in_failures_attempt ON sign_in_failures (attempt_id);

-- API tokens have a scope: 'read' (safe methods only) or 'write'. Tokens
-- made before scopes existed could do everything, so they stay 'write'.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'write';

-- Positions have a plural like roles ("Senior Pilots must be milestone 3+");
-- NULL means the title plus "s".
ALTER TABLE positions ADD COLUMN plural TEXT;
