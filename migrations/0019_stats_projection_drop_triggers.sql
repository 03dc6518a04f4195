-- The statistics become a projection maintained in TypeScript (src/stats/projection.ts) from the same write
-- transactions as every change. The SQL triggers that kept case_facts and the compliance_daily* aggregates
-- current go; the append-only guards on inquiry_events (0001) stay: they are integrity guards, not rules.
DROP TRIGGER IF EXISTS case_facts_first_contact;--> statement-breakpoint
DROP TRIGGER IF EXISTS case_facts_closed;--> statement-breakpoint
DROP TRIGGER IF EXISTS case_facts_first_actor;--> statement-breakpoint
DROP TRIGGER IF EXISTS case_facts_county;--> statement-breakpoint
DROP TRIGGER IF EXISTS case_facts_referred;--> statement-breakpoint
DROP TRIGGER IF EXISTS case_facts_triaged;--> statement-breakpoint
DROP TRIGGER IF EXISTS compliance_aggregates_insert;--> statement-breakpoint
DROP TRIGGER IF EXISTS compliance_aggregates_update;--> statement-breakpoint
DROP TRIGGER IF EXISTS compliance_aggregates_delete;--> statement-breakpoint
-- The old facts are kept under another name until the projection has rebuilt everything from the inquiries
-- and their history: they hold the only link between an erased sole trader's inquiries (the old keyed hash),
-- which src/stats/rebuild.ts turns into a company id without any hash, then drops this table.
DROP INDEX IF EXISTS `case_facts_date_idx`;--> statement-breakpoint
DROP INDEX IF EXISTS `case_facts_open_idx`;--> statement-breakpoint
DROP INDEX IF EXISTS `case_facts_open_deadline_idx`;--> statement-breakpoint
ALTER TABLE `case_facts` RENAME TO `case_facts_legacy`;--> statement-breakpoint
DROP TABLE `compliance_daily`;--> statement-breakpoint
DROP TABLE `compliance_daily_county_actor`;--> statement-breakpoint
DROP TABLE `compliance_daily_topic`;--> statement-breakpoint
-- The effects' waves count companies by the statistics' company id from now on (stats_companies, made by the
-- projection's rebuild from the old keys; src/stats/rebuild.ts turns the old keys stored here into those ids).
ALTER TABLE `follow_up_waves` RENAME COLUMN `org_key` TO `company_id`;