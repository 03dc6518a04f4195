-- Existing inquiries: the channel they came by (imported ones by import, every other one by a form), and the
-- first contact by any actor, which until now was the only first contact recorded. The facts and the cells
-- are rebuilt from the inquiries and their history by the projection at start-up (src/stats/rebuild.ts).
UPDATE `inquiries` SET `channel` = 'import' WHERE `id` IN (SELECT `inquiry_id` FROM `imported_cases`);--> statement-breakpoint
UPDATE `inquiries` SET `first_response_at` = `first_contact_at` WHERE `first_contact_at` IS NOT NULL;
--> statement-breakpoint
-- The effects' waves copied the channel the `received` event named, which told the API (`api`) from the reference
-- form (`form`); both are the door `form` now, as the inquiries' own channel says.
UPDATE `follow_up_waves` SET `channel` = 'form' WHERE `channel` = 'api';
