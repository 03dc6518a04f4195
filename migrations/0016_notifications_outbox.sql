CREATE TABLE `notification_addresses` (
	`county_code` text NOT NULL,
	`office` text NOT NULL,
	`emails` text NOT NULL,
	`public_contact` text,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	PRIMARY KEY(`county_code`, `office`),
	FOREIGN KEY (`county_code`) REFERENCES `counties`(`code`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `outbox_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`kind` text NOT NULL,
	`inquiry_id` text,
	`subscription_id` text,
	`recipient` text,
	`personal` integer DEFAULT 0 NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`lease_owner` text,
	`last_attempt_at` integer,
	`last_status` integer,
	`last_error` text,
	`delivered_at` integer,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`subscription_id`) REFERENCES `webhook_subscriptions`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `outbox_pending_idx` ON `outbox_messages` (`next_attempt_at`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `outbox_inquiry_idx` ON `outbox_messages` (`inquiry_id`);--> statement-breakpoint
CREATE INDEX `outbox_subscription_idx` ON `outbox_messages` (`subscription_id`,`id`) WHERE subscription_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `outbox_dead_idx` ON `outbox_messages` (`id`) WHERE status = 'dead';--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_follow_up_once` ON `outbox_messages` (`inquiry_id`) WHERE kind = 'company-follow-up';--> statement-breakpoint
CREATE TABLE `webhook_subscription_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscription_id` text NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`by` text NOT NULL,
	`data` text NOT NULL,
	FOREIGN KEY (`subscription_id`) REFERENCES `webhook_subscriptions`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `webhook_subscription_events_idx` ON `webhook_subscription_events` (`subscription_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`actor_id` text,
	`counties` text,
	`description` text,
	`secret` text NOT NULL,
	`previous_secret` text,
	`previous_secret_expires_at` integer,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	`disabled_at` integer,
	`disabled_reason` text,
	`failing_since` integer,
	`deleted_at` integer,
	FOREIGN KEY (`actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE restrict
);
