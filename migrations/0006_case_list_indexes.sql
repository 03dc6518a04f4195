-- Indexes for the cases API's keyset paging: a caseworker's cases by deadline (the default order),
-- and a coordinator's county cases by deadline and by last change (updatedSince polling).
-- A caseworker's updatedSince polling uses inquiries_assigned_idx (assigned_actor_id, updated_at).
CREATE INDEX IF NOT EXISTS `cases_actor_deadline_idx` ON `inquiries` (`assigned_actor_id`, `deadline_at`, `id`);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `cases_county_deadline_idx` ON `inquiries` (`county_code`, `deadline_at`, `id`);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS `cases_county_updated_idx` ON `inquiries` (`county_code`, `updated_at`, `id`);
