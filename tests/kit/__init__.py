"""The test kit: what the tests share, so no test module imports from another.

cast: a plan and the people of a test (coordinators, liaisons, deputies of named agencies),
seated through a session factory or the bot harness; office, reports, report_cards,
reminders, digest_week and notes: the casts and helpers several test modules use;
databases: throwaway SQLite files and PostgreSQL databases copied from a migrated template;
snapshots: the bundled import replayed instead of redone; beijing: Beijing wall-clock time;
sweeps: running a sweep and reading what it sent.
"""
