CREATE TABLE `actor_presence` (
	`actor_id` text NOT NULL,
	`county_code` text NOT NULL,
	`office` text NOT NULL,
	PRIMARY KEY(`actor_id`, `county_code`),
	FOREIGN KEY (`actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`county_code`) REFERENCES `counties`(`code`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `actor_presence_county_idx` ON `actor_presence` (`county_code`);--> statement-breakpoint
CREATE TABLE `actors` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`description` text NOT NULL,
	`website` text,
	`active` integer DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE `counties` (
	`code` text PRIMARY KEY NOT NULL,
	`scb_code` text NOT NULL,
	`name` text NOT NULL,
	`short_name` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `counties_scb_code_unique` ON `counties` (`scb_code`);--> statement-breakpoint
CREATE TABLE `localities` (
	`name` text NOT NULL,
	`municipality_code` text NOT NULL,
	PRIMARY KEY(`name`, `municipality_code`),
	FOREIGN KEY (`municipality_code`) REFERENCES `municipalities`(`code`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `municipalities` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`county_code` text NOT NULL,
	FOREIGN KEY (`county_code`) REFERENCES `counties`(`code`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `municipalities_county_idx` ON `municipalities` (`county_code`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `topic_actors` (
	`topic_id` text NOT NULL,
	`actor_id` text NOT NULL,
	`rank` integer NOT NULL,
	PRIMARY KEY(`topic_id`, `actor_id`),
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `topics` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`name_sv` text NOT NULL,
	`description` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`request_hash` text NOT NULL,
	`inquiry_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `inquiries` (
	`id` text PRIMARY KEY NOT NULL,
	`reference` text NOT NULL,
	`received_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`status` text NOT NULL,
	`county_code` text,
	`municipality_code` text,
	`county_source` text,
	`company_name` text NOT NULL,
	`org_number` text,
	`org_number_is_personal` integer DEFAULT false NOT NULL,
	`employees` integer,
	`contact_name` text NOT NULL,
	`contact_email` text NOT NULL,
	`contact_phone` text,
	`subject` text,
	`message` text NOT NULL,
	`language` text NOT NULL,
	`deadline_policy` text NOT NULL,
	`deadline_at` integer NOT NULL,
	`assigned_actor_id` text,
	`first_assigned_actor_id` text,
	`classification` text NOT NULL,
	`confidence` real NOT NULL,
	`alternatives` text NOT NULL,
	`triage_reason` text,
	`status_token_hash` text NOT NULL,
	`first_contact_at` integer,
	`closed_at` integer,
	FOREIGN KEY (`county_code`) REFERENCES `counties`(`code`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`municipality_code`) REFERENCES `municipalities`(`code`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`assigned_actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`first_assigned_actor_id`) REFERENCES `actors`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inquiries_reference_unique` ON `inquiries` (`reference`);--> statement-breakpoint
CREATE UNIQUE INDEX `inquiries_status_token_hash_unique` ON `inquiries` (`status_token_hash`);--> statement-breakpoint
CREATE INDEX `inquiries_received_idx` ON `inquiries` (`received_at`);--> statement-breakpoint
CREATE INDEX `inquiries_assigned_idx` ON `inquiries` (`assigned_actor_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `inquiries_county_status_idx` ON `inquiries` (`county_code`,`status`);--> statement-breakpoint
CREATE INDEX `inquiries_org_number_idx` ON `inquiries` (`org_number`);--> statement-breakpoint
CREATE TABLE `inquiry_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`inquiry_id` text NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`by` text NOT NULL,
	`by_role` text,
	`data` text NOT NULL,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `inquiry_events_inquiry_idx` ON `inquiry_events` (`inquiry_id`,`id`);--> statement-breakpoint
CREATE TABLE `reference_counters` (
	`year` integer PRIMARY KEY NOT NULL,
	`last` integer NOT NULL
);
