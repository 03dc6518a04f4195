-- WITHOUT ROWID added by hand, as for the other compliance aggregates.
CREATE TABLE `compliance_daily_topic` (
	`local_date` text NOT NULL,
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
	PRIMARY KEY(`local_date`, `top_topic_id`)
) WITHOUT ROWID;
