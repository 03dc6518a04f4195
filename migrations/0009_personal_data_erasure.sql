ALTER TABLE `inquiries` ADD `erased_at` integer;--> statement-breakpoint
CREATE INDEX `inquiries_retention_idx` ON `inquiries` (`closed_at`) WHERE closed_at IS NOT NULL AND erased_at IS NULL;