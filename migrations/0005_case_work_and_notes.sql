CREATE TABLE `case_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`inquiry_id` text NOT NULL,
	`kind` text NOT NULL,
	`text` text,
	`author_key_id` text NOT NULL,
	`author_role` text NOT NULL,
	`created_at` integer NOT NULL,
	`erased_at` integer,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`author_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `case_notes_inquiry_idx` ON `case_notes` (`inquiry_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `case_work` (
	`inquiry_id` text PRIMARY KEY NOT NULL,
	`claimed_by_key_id` text,
	`claimed_at` integer,
	`outcome` text,
	FOREIGN KEY (`inquiry_id`) REFERENCES `inquiries`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`claimed_by_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE restrict
);
