DROP INDEX `inquiries_received_idx`;--> statement-breakpoint
DROP INDEX `inquiries_assigned_idx`;--> statement-breakpoint
CREATE INDEX `inquiries_actor_updated_idx` ON `inquiries` (`assigned_actor_id`,`updated_at`,`id`);