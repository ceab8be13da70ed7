-- The points award updates every viewer in chat: indexes on the columns it changes (balance, what chat earned) cost
-- a third of its time at 100,000 viewers. The leaderboard reads those columns with a scan instead, and keeps its
-- lists for a few seconds (src/modules/economy/leaderboard.ts).
DROP INDEX IF EXISTS viewers_balance;
DROP INDEX IF EXISTS viewers_stream_earned;
DROP INDEX IF EXISTS viewers_month_earned;
