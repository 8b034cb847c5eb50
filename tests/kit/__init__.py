"""The test kit: builders shared by the tests (the cast of people, Beijing time, the outbox)."""
