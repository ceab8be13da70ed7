-- The redeem queue is shown pending first, then by time: an index in that order spares a sort of the whole queue.
CREATE INDEX redemptions_queue_order ON redemptions (cleared_at, status != 'pending', created_at, id);
-- Only redeem and refund rows have a redemption; points-cycle rows need no entry in this index.
DROP INDEX ledger_redemption;
CREATE INDEX ledger_redemption ON ledger (redemption_id) WHERE redemption_id IS NOT NULL;
