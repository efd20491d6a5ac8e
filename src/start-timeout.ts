// How long a process, as it starts, waits for a dependency it was given (PostgreSQL at
// DATABASE_URL, Redis, the SMTP server) to answer before it says, in one line, that it does not:
// long enough for a restart in progress, short enough for whoever runs the command to wait.
// health/startup.ts asks them all at once, so a start fails within this time, not a sum of them.

export const DEPENDENCY_ANSWER_TIMEOUT_MS = 5_000;
