DROP INDEX `outbox_pending_idx`;--> statement-breakpoint
CREATE INDEX `outbox_due_idx` ON `outbox_messages` (`channel`,`subscription_id`,`next_attempt_at`) WHERE status = 'pending';