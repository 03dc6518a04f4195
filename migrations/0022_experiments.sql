CREATE TABLE `experiment_assignments` (
	`inquiry_id` text PRIMARY KEY NOT NULL,
	`experiment_id` text NOT NULL,
	`arm_id` text NOT NULL,
	`assigned_at` integer NOT NULL,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`experiment_id`) REFERENCES `experiments`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `experiment_assignments_experiment_idx` ON `experiment_assignments` (`experiment_id`,`arm_id`);--> statement-breakpoint
CREATE TABLE `experiments` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text NOT NULL,
	`eligibility` text NOT NULL,
	`arms` text NOT NULL,
	`seed` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer NOT NULL,
	`stopped_at` integer,
	`created_at` integer NOT NULL,
	`created_by` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `experiments_window_idx` ON `experiments` (`starts_at`,`ends_at`);--> statement-breakpoint
ALTER TABLE `follow_up_waves` ADD `arm` text;