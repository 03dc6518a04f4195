-- Keep case_facts current in the same transaction as the change that moves a figure, whatever code
-- path makes it (caseworkers' first contact, referral, close; coordinators' triage assignment).
CREATE TRIGGER case_facts_first_contact AFTER UPDATE OF first_contact_at ON inquiries
WHEN NEW.first_contact_at IS NOT NULL AND OLD.first_contact_at IS NULL
BEGIN
  UPDATE case_facts SET first_contact_at = NEW.first_contact_at, first_contact_actor_id = NEW.assigned_actor_id
  WHERE inquiry_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER case_facts_closed AFTER UPDATE OF closed_at ON inquiries
WHEN NEW.closed_at IS NOT OLD.closed_at
BEGIN
  UPDATE case_facts SET closed_at = NEW.closed_at WHERE inquiry_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER case_facts_first_actor AFTER UPDATE OF first_assigned_actor_id ON inquiries
WHEN NEW.first_assigned_actor_id IS NOT OLD.first_assigned_actor_id
BEGIN
  UPDATE case_facts SET first_actor_id = NEW.first_assigned_actor_id WHERE inquiry_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER case_facts_county AFTER UPDATE OF county_code ON inquiries
WHEN NEW.county_code IS NOT OLD.county_code
BEGIN
  UPDATE case_facts SET county_code = NEW.county_code WHERE inquiry_id = NEW.id;
END;
--> statement-breakpoint
CREATE TRIGGER case_facts_referred AFTER INSERT ON inquiry_events
WHEN NEW.type = 'referred'
BEGIN
  UPDATE case_facts SET referrals = referrals + 1 WHERE inquiry_id = NEW.inquiry_id;
END;
--> statement-breakpoint
CREATE TRIGGER case_facts_triaged AFTER INSERT ON inquiry_events
WHEN NEW.type = 'sent-to-triage'
BEGIN
  UPDATE case_facts SET triaged = 1 WHERE inquiry_id = NEW.inquiry_id;
END;
