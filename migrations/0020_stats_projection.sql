CREATE TABLE `case_facts` (
	`inquiry_id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL,
	`local_date` text NOT NULL,
	`county_code` text,
	`first_actor_id` text,
	`top_topic_id` text,
	`channel` text NOT NULL,
	`entry_point` text,
	`size_band` text NOT NULL,
	`triage_reason` text,
	`is_test` integer DEFAULT 0 NOT NULL,
	`company_id` integer,
	`deadline_at` integer NOT NULL,
	`at_risk_at` integer NOT NULL,
	`first_response_at` integer,
	`first_contact_at` integer,
	`first_contact_actor_id` text,
	`first_contact_backdated` integer DEFAULT 0 NOT NULL,
	`closed_at` integer,
	`outcome` text,
	`referrals` integer DEFAULT 0 NOT NULL,
	`referrals_misrouted` integer DEFAULT 0 NOT NULL,
	`referral_list` text,
	`triaged` integer DEFAULT 0 NOT NULL,
	`joint_work` integer DEFAULT 0 NOT NULL,
	`contact_channels` integer DEFAULT 0 NOT NULL,
	`feedback_right_actor` text,
	`feedback_help` text,
	`escalated` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `case_facts_date_idx` ON `case_facts` (`local_date`,`county_code`);--> statement-breakpoint
CREATE INDEX `case_facts_open_idx` ON `case_facts` (`at_risk_at`,`deadline_at`,`escalated`) WHERE first_contact_at IS NULL AND closed_at IS NULL;--> statement-breakpoint
CREATE INDEX `case_facts_open_deadline_idx` ON `case_facts` (`deadline_at`,`local_date`) WHERE first_contact_at IS NULL AND closed_at IS NULL;--> statement-breakpoint
CREATE INDEX `case_facts_company_idx` ON `case_facts` (`company_id`);--> statement-breakpoint
-- WITHOUT ROWID added by hand (drizzle cannot declare it), here and on stats_stale: clustered on their key, so a
-- grain's period is one sequential range read.
CREATE TABLE `stats_cells` (
	`grain` text NOT NULL,
	`local_date` text NOT NULL,
	`county` text DEFAULT '' NOT NULL,
	`actor` text DEFAULT '' NOT NULL,
	`topic` text DEFAULT '' NOT NULL,
	`channel` text DEFAULT '' NOT NULL,
	`entry_point` text DEFAULT '' NOT NULL,
	`size_band` text DEFAULT '' NOT NULL,
	`triage_reason` text DEFAULT '' NOT NULL,
	`test` integer DEFAULT 0 NOT NULL,
	`received` integer DEFAULT 0 NOT NULL,
	`contacted_in_time` integer DEFAULT 0 NOT NULL,
	`contacted_late` integer DEFAULT 0 NOT NULL,
	`open` integer DEFAULT 0 NOT NULL,
	`closed_without_contact` integer DEFAULT 0 NOT NULL,
	`closed_overdue` integer DEFAULT 0 NOT NULL,
	`first_response_in_time` integer DEFAULT 0 NOT NULL,
	`backdated_contacts` integer DEFAULT 0 NOT NULL,
	`referrals` integer DEFAULT 0 NOT NULL,
	`referrals_misrouted` integer DEFAULT 0 NOT NULL,
	`right_first` integer DEFAULT 0 NOT NULL,
	`triaged` integer DEFAULT 0 NOT NULL,
	`joint_work` integer DEFAULT 0 NOT NULL,
	`closed` integer DEFAULT 0 NOT NULL,
	`outcome_helped` integer DEFAULT 0 NOT NULL,
	`outcome_referred_outside` integer DEFAULT 0 NOT NULL,
	`outcome_no_reply` integer DEFAULT 0 NOT NULL,
	`outcome_duplicate` integer DEFAULT 0 NOT NULL,
	`outcome_withdrawn` integer DEFAULT 0 NOT NULL,
	`outcome_spam` integer DEFAULT 0 NOT NULL,
	`feedback_offered` integer DEFAULT 0 NOT NULL,
	`feedback_responses` integer DEFAULT 0 NOT NULL,
	`feedback_from_offered` integer DEFAULT 0 NOT NULL,
	`right_actor_yes` integer DEFAULT 0 NOT NULL,
	`right_actor_no` integer DEFAULT 0 NOT NULL,
	`right_actor_unsure` integer DEFAULT 0 NOT NULL,
	`help_yes` integer DEFAULT 0 NOT NULL,
	`help_partly` integer DEFAULT 0 NOT NULL,
	`help_no` integer DEFAULT 0 NOT NULL,
	`delays` blob,
	`companies` blob,
	PRIMARY KEY(`grain`, `local_date`, `county`, `actor`, `topic`, `channel`, `entry_point`, `size_band`, `triage_reason`, `test`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `stats_companies` (
	`id` integer PRIMARY KEY NOT NULL,
	`org_key` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `stats_companies_org_key_idx` ON `stats_companies` (`org_key`);--> statement-breakpoint
CREATE TABLE `stats_mystery_tests` (
	`inquiry_id` text PRIMARY KEY NOT NULL,
	`expected_actor_id` text NOT NULL,
	`registered_at` integer NOT NULL,
	`registered_by` text NOT NULL,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE TABLE `stats_stale` (
	`grain` text NOT NULL,
	`period` text NOT NULL,
	PRIMARY KEY(`grain`, `period`)
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `inquiries` ADD `channel` text DEFAULT 'form' NOT NULL;--> statement-breakpoint
ALTER TABLE `inquiries` ADD `entry_point` text;--> statement-breakpoint
ALTER TABLE `inquiries` ADD `first_response_at` integer;--> statement-breakpoint
ALTER TABLE `case_feedback` ADD `right_actor_in_time` text;