-- WITHOUT ROWID added by hand (drizzle cannot declare it): the aggregates are clustered on their key, so a
-- date range is one sequential read.
CREATE TABLE `compliance_daily` (
	`local_date` text NOT NULL,
	`county_code` text DEFAULT '' NOT NULL,
	`first_actor_id` text DEFAULT '' NOT NULL,
	`received` integer DEFAULT 0 NOT NULL,
	`contacted_in_time` integer DEFAULT 0 NOT NULL,
	`contacted_late` integer DEFAULT 0 NOT NULL,
	`open` integer DEFAULT 0 NOT NULL,
	`closed_without_contact` integer DEFAULT 0 NOT NULL,
	`closed_overdue` integer DEFAULT 0 NOT NULL,
	`referrals` integer DEFAULT 0 NOT NULL,
	`right_first` integer DEFAULT 0 NOT NULL,
	`triaged` integer DEFAULT 0 NOT NULL,
	`feedback_yes` integer DEFAULT 0 NOT NULL,
	`feedback_responses` integer DEFAULT 0 NOT NULL,
	`delays` text DEFAULT '' NOT NULL,
	`org_keys` text DEFAULT '' NOT NULL,
	`top_topic_id` text DEFAULT '' NOT NULL,
	PRIMARY KEY(`local_date`, `county_code`, `first_actor_id`, `top_topic_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `compliance_daily_county_actor` (
	`local_date` text NOT NULL,
	`county_code` text DEFAULT '' NOT NULL,
	`first_actor_id` text DEFAULT '' NOT NULL,
	`received` integer DEFAULT 0 NOT NULL,
	`contacted_in_time` integer DEFAULT 0 NOT NULL,
	`contacted_late` integer DEFAULT 0 NOT NULL,
	`open` integer DEFAULT 0 NOT NULL,
	`closed_without_contact` integer DEFAULT 0 NOT NULL,
	`closed_overdue` integer DEFAULT 0 NOT NULL,
	`referrals` integer DEFAULT 0 NOT NULL,
	`right_first` integer DEFAULT 0 NOT NULL,
	`triaged` integer DEFAULT 0 NOT NULL,
	`feedback_yes` integer DEFAULT 0 NOT NULL,
	`feedback_responses` integer DEFAULT 0 NOT NULL,
	`delays` text DEFAULT '' NOT NULL,
	`org_keys` text DEFAULT '' NOT NULL,
	PRIMARY KEY(`local_date`, `county_code`, `first_actor_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `case_facts_open_deadline_idx` ON `case_facts` (`deadline_at`,`local_date`) WHERE first_contact_at IS NULL AND closed_at IS NULL;