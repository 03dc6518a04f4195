CREATE TABLE `case_facts` (
	`inquiry_id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL,
	`local_date` text NOT NULL,
	`local_month` text NOT NULL,
	`iso_week` text NOT NULL,
	`county_code` text,
	`first_actor_id` text,
	`first_contact_actor_id` text,
	`top_topic_id` text,
	`org_key` integer,
	`deadline_at` integer NOT NULL,
	`at_risk_at` integer NOT NULL,
	`first_contact_at` integer,
	`closed_at` integer,
	`referrals` integer DEFAULT 0 NOT NULL,
	`triaged` integer DEFAULT 0 NOT NULL,
	`feedback` text,
	`escalated` integer DEFAULT 0 NOT NULL,
	`imported` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `case_facts_date_idx` ON `case_facts` (`local_date`,`county_code`);--> statement-breakpoint
CREATE INDEX `case_facts_open_idx` ON `case_facts` (`at_risk_at`,`deadline_at`,`escalated`) WHERE first_contact_at IS NULL AND closed_at IS NULL;--> statement-breakpoint
CREATE TABLE `case_feedback` (
	`inquiry_id` text PRIMARY KEY NOT NULL,
	`answer` text NOT NULL,
	`comment` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `deadline_escalations` (
	`inquiry_id` text NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`inquiry_id`, `kind`),
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `imported_cases` (
	`external_id` text PRIMARY KEY NOT NULL,
	`inquiry_id` text NOT NULL,
	`imported_at` integer NOT NULL,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `imported_cases_inquiry_id_unique` ON `imported_cases` (`inquiry_id`);