CREATE TABLE `export_centre_starts` (
	`county_code` text PRIMARY KEY NOT NULL,
	`start_year` integer,
	`started_on` text,
	`source` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `follow_up_consents` (
	`inquiry_id` text PRIMARY KEY NOT NULL,
	`given_at` integer NOT NULL,
	`withdrawn_at` integer,
	`last_wave_ends_at` integer,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `follow_up_waves` (
	`id` text PRIMARY KEY NOT NULL,
	`inquiry_id` text,
	`months` integer NOT NULL,
	`due_at` integer NOT NULL,
	`invited_at` integer,
	`emailed` integer DEFAULT 0 NOT NULL,
	`reminded_at` integer,
	`answered_at` integer,
	`cancelled_at` integer,
	`cohort_month` text NOT NULL,
	`county_code` text,
	`actor_id` text,
	`topic_id` text,
	`size_band` text NOT NULL,
	`outcome` text,
	`channel` text,
	`org_key` integer,
	`exporting` text,
	`new_markets` text,
	`export_share` text,
	`contribution` text,
	`comment` text,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `follow_up_waves_inquiry_idx` ON `follow_up_waves` (`inquiry_id`,`months`);--> statement-breakpoint
CREATE INDEX `follow_up_waves_due_idx` ON `follow_up_waves` (`due_at`) WHERE invited_at IS NULL AND cancelled_at IS NULL;--> statement-breakpoint
CREATE INDEX `follow_up_waves_remind_idx` ON `follow_up_waves` (`invited_at`) WHERE invited_at IS NOT NULL AND reminded_at IS NULL AND answered_at IS NULL AND cancelled_at IS NULL;--> statement-breakpoint
CREATE INDEX `follow_up_waves_cohort_idx` ON `follow_up_waves` (`cohort_month`,`months`);