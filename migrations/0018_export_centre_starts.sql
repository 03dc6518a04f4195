CREATE TABLE `export_centre_starts` (
	`county_code` text PRIMARY KEY NOT NULL,
	`start_year` integer,
	`started_on` text,
	`source` text NOT NULL,
	`updated_at` integer NOT NULL
);
