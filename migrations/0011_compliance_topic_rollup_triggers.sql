-- The triggers of compliance_aggregate_triggers again, now also for the roll-up by topic (compliance_daily_topic).
DROP TRIGGER IF EXISTS compliance_aggregates_insert;
--> statement-breakpoint
DROP TRIGGER IF EXISTS compliance_aggregates_update;
--> statement-breakpoint
DROP TRIGGER IF EXISTS compliance_aggregates_delete;
--> statement-breakpoint
-- Keep the compliance aggregates (compliance_daily, compliance_daily_county_actor, compliance_daily_topic) current in the same
-- transaction as every change of case_facts, whatever path makes it (intake, import, the case_facts triggers
-- on inquiries and inquiry_events, feedback). Generated: a row's contribution is added to its cell on insert,
-- taken from its old cell and added to its new one on update of a figure's column (the sweeper's
-- escalated flag does not fire it), taken away on delete.
CREATE TRIGGER compliance_aggregates_insert AFTER INSERT ON case_facts
BEGIN
  INSERT INTO compliance_daily (local_date, county_code, first_actor_id, top_topic_id, received, contacted_in_time, contacted_late, open, closed_without_contact, closed_overdue, referrals, right_first, triaged, feedback_yes, feedback_responses, delays, org_keys)
  VALUES (NEW.local_date, COALESCE(NEW.county_code, ''), COALESCE(NEW.first_actor_id, ''), COALESCE(NEW.top_topic_id, ''), (1), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at <= NEW.deadline_at), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at > NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NULL), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at <= NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at > NEW.deadline_at), (NEW.referrals), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_actor_id IS NEW.first_actor_id), (NEW.triaged), (NEW.feedback IS 'yes'), (NEW.feedback IS NOT NULL), COALESCE((NEW.first_contact_at - NEW.received_at) || ',', ''), COALESCE((NEW.org_key) || ',', ''))
  ON CONFLICT (local_date, county_code, first_actor_id, top_topic_id) DO UPDATE SET
    received = received + excluded.received,
    contacted_in_time = contacted_in_time + excluded.contacted_in_time,
    contacted_late = contacted_late + excluded.contacted_late,
    open = open + excluded.open,
    closed_without_contact = closed_without_contact + excluded.closed_without_contact,
    closed_overdue = closed_overdue + excluded.closed_overdue,
    referrals = referrals + excluded.referrals,
    right_first = right_first + excluded.right_first,
    triaged = triaged + excluded.triaged,
    feedback_yes = feedback_yes + excluded.feedback_yes,
    feedback_responses = feedback_responses + excluded.feedback_responses,
    delays = delays || excluded.delays,
    org_keys = org_keys || excluded.org_keys;
  INSERT INTO compliance_daily_county_actor (local_date, county_code, first_actor_id, received, contacted_in_time, contacted_late, open, closed_without_contact, closed_overdue, referrals, right_first, triaged, feedback_yes, feedback_responses, delays, org_keys)
  VALUES (NEW.local_date, COALESCE(NEW.county_code, ''), COALESCE(NEW.first_actor_id, ''), (1), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at <= NEW.deadline_at), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at > NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NULL), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at <= NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at > NEW.deadline_at), (NEW.referrals), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_actor_id IS NEW.first_actor_id), (NEW.triaged), (NEW.feedback IS 'yes'), (NEW.feedback IS NOT NULL), COALESCE((NEW.first_contact_at - NEW.received_at) || ',', ''), COALESCE((NEW.org_key) || ',', ''))
  ON CONFLICT (local_date, county_code, first_actor_id) DO UPDATE SET
    received = received + excluded.received,
    contacted_in_time = contacted_in_time + excluded.contacted_in_time,
    contacted_late = contacted_late + excluded.contacted_late,
    open = open + excluded.open,
    closed_without_contact = closed_without_contact + excluded.closed_without_contact,
    closed_overdue = closed_overdue + excluded.closed_overdue,
    referrals = referrals + excluded.referrals,
    right_first = right_first + excluded.right_first,
    triaged = triaged + excluded.triaged,
    feedback_yes = feedback_yes + excluded.feedback_yes,
    feedback_responses = feedback_responses + excluded.feedback_responses,
    delays = delays || excluded.delays,
    org_keys = org_keys || excluded.org_keys;
  INSERT INTO compliance_daily_topic (local_date, top_topic_id, received, contacted_in_time, contacted_late, open, closed_without_contact, closed_overdue, referrals, right_first, triaged, feedback_yes, feedback_responses, delays, org_keys)
  VALUES (NEW.local_date, COALESCE(NEW.top_topic_id, ''), (1), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at <= NEW.deadline_at), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at > NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NULL), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at <= NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at > NEW.deadline_at), (NEW.referrals), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_actor_id IS NEW.first_actor_id), (NEW.triaged), (NEW.feedback IS 'yes'), (NEW.feedback IS NOT NULL), COALESCE((NEW.first_contact_at - NEW.received_at) || ',', ''), COALESCE((NEW.org_key) || ',', ''))
  ON CONFLICT (local_date, top_topic_id) DO UPDATE SET
    received = received + excluded.received,
    contacted_in_time = contacted_in_time + excluded.contacted_in_time,
    contacted_late = contacted_late + excluded.contacted_late,
    open = open + excluded.open,
    closed_without_contact = closed_without_contact + excluded.closed_without_contact,
    closed_overdue = closed_overdue + excluded.closed_overdue,
    referrals = referrals + excluded.referrals,
    right_first = right_first + excluded.right_first,
    triaged = triaged + excluded.triaged,
    feedback_yes = feedback_yes + excluded.feedback_yes,
    feedback_responses = feedback_responses + excluded.feedback_responses,
    delays = delays || excluded.delays,
    org_keys = org_keys || excluded.org_keys;
END;
--> statement-breakpoint
CREATE TRIGGER compliance_aggregates_update AFTER UPDATE ON case_facts
WHEN OLD.received_at IS NOT NEW.received_at OR OLD.local_date IS NOT NEW.local_date OR OLD.county_code IS NOT NEW.county_code OR OLD.first_actor_id IS NOT NEW.first_actor_id OR OLD.first_contact_actor_id IS NOT NEW.first_contact_actor_id OR OLD.top_topic_id IS NOT NEW.top_topic_id OR OLD.org_key IS NOT NEW.org_key OR OLD.deadline_at IS NOT NEW.deadline_at OR OLD.first_contact_at IS NOT NEW.first_contact_at OR OLD.closed_at IS NOT NEW.closed_at OR OLD.referrals IS NOT NEW.referrals OR OLD.triaged IS NOT NEW.triaged OR OLD.feedback IS NOT NEW.feedback
BEGIN
  UPDATE compliance_daily SET
    received = received - (1),
    contacted_in_time = contacted_in_time - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at <= OLD.deadline_at),
    contacted_late = contacted_late - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at > OLD.deadline_at),
    open = open - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NULL),
    closed_without_contact = closed_without_contact - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at <= OLD.deadline_at),
    closed_overdue = closed_overdue - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at > OLD.deadline_at),
    referrals = referrals - (OLD.referrals),
    right_first = right_first - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_actor_id IS OLD.first_actor_id),
    triaged = triaged - (OLD.triaged),
    feedback_yes = feedback_yes - (OLD.feedback IS 'yes'),
    feedback_responses = feedback_responses - (OLD.feedback IS NOT NULL),
    delays = CASE WHEN (OLD.first_contact_at - OLD.received_at) IS NULL OR instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') = 0 THEN delays ELSE substr(delays, 1, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') - 1) || substr(delays, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') + length((OLD.first_contact_at - OLD.received_at) || ',')) END,
    org_keys = CASE WHEN (OLD.org_key) IS NULL OR instr(',' || org_keys, ',' || (OLD.org_key) || ',') = 0 THEN org_keys ELSE substr(org_keys, 1, instr(',' || org_keys, ',' || (OLD.org_key) || ',') - 1) || substr(org_keys, instr(',' || org_keys, ',' || (OLD.org_key) || ',') + length((OLD.org_key) || ',')) END
  WHERE local_date = OLD.local_date AND county_code = COALESCE(OLD.county_code, '') AND first_actor_id = COALESCE(OLD.first_actor_id, '') AND top_topic_id = COALESCE(OLD.top_topic_id, '');
  UPDATE compliance_daily_county_actor SET
    received = received - (1),
    contacted_in_time = contacted_in_time - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at <= OLD.deadline_at),
    contacted_late = contacted_late - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at > OLD.deadline_at),
    open = open - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NULL),
    closed_without_contact = closed_without_contact - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at <= OLD.deadline_at),
    closed_overdue = closed_overdue - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at > OLD.deadline_at),
    referrals = referrals - (OLD.referrals),
    right_first = right_first - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_actor_id IS OLD.first_actor_id),
    triaged = triaged - (OLD.triaged),
    feedback_yes = feedback_yes - (OLD.feedback IS 'yes'),
    feedback_responses = feedback_responses - (OLD.feedback IS NOT NULL),
    delays = CASE WHEN (OLD.first_contact_at - OLD.received_at) IS NULL OR instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') = 0 THEN delays ELSE substr(delays, 1, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') - 1) || substr(delays, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') + length((OLD.first_contact_at - OLD.received_at) || ',')) END,
    org_keys = CASE WHEN (OLD.org_key) IS NULL OR instr(',' || org_keys, ',' || (OLD.org_key) || ',') = 0 THEN org_keys ELSE substr(org_keys, 1, instr(',' || org_keys, ',' || (OLD.org_key) || ',') - 1) || substr(org_keys, instr(',' || org_keys, ',' || (OLD.org_key) || ',') + length((OLD.org_key) || ',')) END
  WHERE local_date = OLD.local_date AND county_code = COALESCE(OLD.county_code, '') AND first_actor_id = COALESCE(OLD.first_actor_id, '');
  UPDATE compliance_daily_topic SET
    received = received - (1),
    contacted_in_time = contacted_in_time - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at <= OLD.deadline_at),
    contacted_late = contacted_late - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at > OLD.deadline_at),
    open = open - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NULL),
    closed_without_contact = closed_without_contact - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at <= OLD.deadline_at),
    closed_overdue = closed_overdue - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at > OLD.deadline_at),
    referrals = referrals - (OLD.referrals),
    right_first = right_first - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_actor_id IS OLD.first_actor_id),
    triaged = triaged - (OLD.triaged),
    feedback_yes = feedback_yes - (OLD.feedback IS 'yes'),
    feedback_responses = feedback_responses - (OLD.feedback IS NOT NULL),
    delays = CASE WHEN (OLD.first_contact_at - OLD.received_at) IS NULL OR instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') = 0 THEN delays ELSE substr(delays, 1, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') - 1) || substr(delays, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') + length((OLD.first_contact_at - OLD.received_at) || ',')) END,
    org_keys = CASE WHEN (OLD.org_key) IS NULL OR instr(',' || org_keys, ',' || (OLD.org_key) || ',') = 0 THEN org_keys ELSE substr(org_keys, 1, instr(',' || org_keys, ',' || (OLD.org_key) || ',') - 1) || substr(org_keys, instr(',' || org_keys, ',' || (OLD.org_key) || ',') + length((OLD.org_key) || ',')) END
  WHERE local_date = OLD.local_date AND top_topic_id = COALESCE(OLD.top_topic_id, '');
  INSERT INTO compliance_daily (local_date, county_code, first_actor_id, top_topic_id, received, contacted_in_time, contacted_late, open, closed_without_contact, closed_overdue, referrals, right_first, triaged, feedback_yes, feedback_responses, delays, org_keys)
  VALUES (NEW.local_date, COALESCE(NEW.county_code, ''), COALESCE(NEW.first_actor_id, ''), COALESCE(NEW.top_topic_id, ''), (1), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at <= NEW.deadline_at), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at > NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NULL), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at <= NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at > NEW.deadline_at), (NEW.referrals), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_actor_id IS NEW.first_actor_id), (NEW.triaged), (NEW.feedback IS 'yes'), (NEW.feedback IS NOT NULL), COALESCE((NEW.first_contact_at - NEW.received_at) || ',', ''), COALESCE((NEW.org_key) || ',', ''))
  ON CONFLICT (local_date, county_code, first_actor_id, top_topic_id) DO UPDATE SET
    received = received + excluded.received,
    contacted_in_time = contacted_in_time + excluded.contacted_in_time,
    contacted_late = contacted_late + excluded.contacted_late,
    open = open + excluded.open,
    closed_without_contact = closed_without_contact + excluded.closed_without_contact,
    closed_overdue = closed_overdue + excluded.closed_overdue,
    referrals = referrals + excluded.referrals,
    right_first = right_first + excluded.right_first,
    triaged = triaged + excluded.triaged,
    feedback_yes = feedback_yes + excluded.feedback_yes,
    feedback_responses = feedback_responses + excluded.feedback_responses,
    delays = delays || excluded.delays,
    org_keys = org_keys || excluded.org_keys;
  INSERT INTO compliance_daily_county_actor (local_date, county_code, first_actor_id, received, contacted_in_time, contacted_late, open, closed_without_contact, closed_overdue, referrals, right_first, triaged, feedback_yes, feedback_responses, delays, org_keys)
  VALUES (NEW.local_date, COALESCE(NEW.county_code, ''), COALESCE(NEW.first_actor_id, ''), (1), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at <= NEW.deadline_at), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at > NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NULL), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at <= NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at > NEW.deadline_at), (NEW.referrals), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_actor_id IS NEW.first_actor_id), (NEW.triaged), (NEW.feedback IS 'yes'), (NEW.feedback IS NOT NULL), COALESCE((NEW.first_contact_at - NEW.received_at) || ',', ''), COALESCE((NEW.org_key) || ',', ''))
  ON CONFLICT (local_date, county_code, first_actor_id) DO UPDATE SET
    received = received + excluded.received,
    contacted_in_time = contacted_in_time + excluded.contacted_in_time,
    contacted_late = contacted_late + excluded.contacted_late,
    open = open + excluded.open,
    closed_without_contact = closed_without_contact + excluded.closed_without_contact,
    closed_overdue = closed_overdue + excluded.closed_overdue,
    referrals = referrals + excluded.referrals,
    right_first = right_first + excluded.right_first,
    triaged = triaged + excluded.triaged,
    feedback_yes = feedback_yes + excluded.feedback_yes,
    feedback_responses = feedback_responses + excluded.feedback_responses,
    delays = delays || excluded.delays,
    org_keys = org_keys || excluded.org_keys;
  INSERT INTO compliance_daily_topic (local_date, top_topic_id, received, contacted_in_time, contacted_late, open, closed_without_contact, closed_overdue, referrals, right_first, triaged, feedback_yes, feedback_responses, delays, org_keys)
  VALUES (NEW.local_date, COALESCE(NEW.top_topic_id, ''), (1), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at <= NEW.deadline_at), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_at > NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NULL), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at <= NEW.deadline_at), (NEW.first_contact_at IS NULL AND NEW.closed_at IS NOT NULL AND NEW.closed_at > NEW.deadline_at), (NEW.referrals), (NEW.first_contact_at IS NOT NULL AND NEW.first_contact_actor_id IS NEW.first_actor_id), (NEW.triaged), (NEW.feedback IS 'yes'), (NEW.feedback IS NOT NULL), COALESCE((NEW.first_contact_at - NEW.received_at) || ',', ''), COALESCE((NEW.org_key) || ',', ''))
  ON CONFLICT (local_date, top_topic_id) DO UPDATE SET
    received = received + excluded.received,
    contacted_in_time = contacted_in_time + excluded.contacted_in_time,
    contacted_late = contacted_late + excluded.contacted_late,
    open = open + excluded.open,
    closed_without_contact = closed_without_contact + excluded.closed_without_contact,
    closed_overdue = closed_overdue + excluded.closed_overdue,
    referrals = referrals + excluded.referrals,
    right_first = right_first + excluded.right_first,
    triaged = triaged + excluded.triaged,
    feedback_yes = feedback_yes + excluded.feedback_yes,
    feedback_responses = feedback_responses + excluded.feedback_responses,
    delays = delays || excluded.delays,
    org_keys = org_keys || excluded.org_keys;
END;
--> statement-breakpoint
CREATE TRIGGER compliance_aggregates_delete AFTER DELETE ON case_facts
BEGIN
  UPDATE compliance_daily SET
    received = received - (1),
    contacted_in_time = contacted_in_time - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at <= OLD.deadline_at),
    contacted_late = contacted_late - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at > OLD.deadline_at),
    open = open - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NULL),
    closed_without_contact = closed_without_contact - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at <= OLD.deadline_at),
    closed_overdue = closed_overdue - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at > OLD.deadline_at),
    referrals = referrals - (OLD.referrals),
    right_first = right_first - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_actor_id IS OLD.first_actor_id),
    triaged = triaged - (OLD.triaged),
    feedback_yes = feedback_yes - (OLD.feedback IS 'yes'),
    feedback_responses = feedback_responses - (OLD.feedback IS NOT NULL),
    delays = CASE WHEN (OLD.first_contact_at - OLD.received_at) IS NULL OR instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') = 0 THEN delays ELSE substr(delays, 1, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') - 1) || substr(delays, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') + length((OLD.first_contact_at - OLD.received_at) || ',')) END,
    org_keys = CASE WHEN (OLD.org_key) IS NULL OR instr(',' || org_keys, ',' || (OLD.org_key) || ',') = 0 THEN org_keys ELSE substr(org_keys, 1, instr(',' || org_keys, ',' || (OLD.org_key) || ',') - 1) || substr(org_keys, instr(',' || org_keys, ',' || (OLD.org_key) || ',') + length((OLD.org_key) || ',')) END
  WHERE local_date = OLD.local_date AND county_code = COALESCE(OLD.county_code, '') AND first_actor_id = COALESCE(OLD.first_actor_id, '') AND top_topic_id = COALESCE(OLD.top_topic_id, '');
  UPDATE compliance_daily_county_actor SET
    received = received - (1),
    contacted_in_time = contacted_in_time - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at <= OLD.deadline_at),
    contacted_late = contacted_late - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at > OLD.deadline_at),
    open = open - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NULL),
    closed_without_contact = closed_without_contact - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at <= OLD.deadline_at),
    closed_overdue = closed_overdue - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at > OLD.deadline_at),
    referrals = referrals - (OLD.referrals),
    right_first = right_first - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_actor_id IS OLD.first_actor_id),
    triaged = triaged - (OLD.triaged),
    feedback_yes = feedback_yes - (OLD.feedback IS 'yes'),
    feedback_responses = feedback_responses - (OLD.feedback IS NOT NULL),
    delays = CASE WHEN (OLD.first_contact_at - OLD.received_at) IS NULL OR instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') = 0 THEN delays ELSE substr(delays, 1, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') - 1) || substr(delays, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') + length((OLD.first_contact_at - OLD.received_at) || ',')) END,
    org_keys = CASE WHEN (OLD.org_key) IS NULL OR instr(',' || org_keys, ',' || (OLD.org_key) || ',') = 0 THEN org_keys ELSE substr(org_keys, 1, instr(',' || org_keys, ',' || (OLD.org_key) || ',') - 1) || substr(org_keys, instr(',' || org_keys, ',' || (OLD.org_key) || ',') + length((OLD.org_key) || ',')) END
  WHERE local_date = OLD.local_date AND county_code = COALESCE(OLD.county_code, '') AND first_actor_id = COALESCE(OLD.first_actor_id, '');
  UPDATE compliance_daily_topic SET
    received = received - (1),
    contacted_in_time = contacted_in_time - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at <= OLD.deadline_at),
    contacted_late = contacted_late - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_at > OLD.deadline_at),
    open = open - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NULL),
    closed_without_contact = closed_without_contact - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at <= OLD.deadline_at),
    closed_overdue = closed_overdue - (OLD.first_contact_at IS NULL AND OLD.closed_at IS NOT NULL AND OLD.closed_at > OLD.deadline_at),
    referrals = referrals - (OLD.referrals),
    right_first = right_first - (OLD.first_contact_at IS NOT NULL AND OLD.first_contact_actor_id IS OLD.first_actor_id),
    triaged = triaged - (OLD.triaged),
    feedback_yes = feedback_yes - (OLD.feedback IS 'yes'),
    feedback_responses = feedback_responses - (OLD.feedback IS NOT NULL),
    delays = CASE WHEN (OLD.first_contact_at - OLD.received_at) IS NULL OR instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') = 0 THEN delays ELSE substr(delays, 1, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') - 1) || substr(delays, instr(',' || delays, ',' || (OLD.first_contact_at - OLD.received_at) || ',') + length((OLD.first_contact_at - OLD.received_at) || ',')) END,
    org_keys = CASE WHEN (OLD.org_key) IS NULL OR instr(',' || org_keys, ',' || (OLD.org_key) || ',') = 0 THEN org_keys ELSE substr(org_keys, 1, instr(',' || org_keys, ',' || (OLD.org_key) || ',') - 1) || substr(org_keys, instr(',' || org_keys, ',' || (OLD.org_key) || ',') + length((OLD.org_key) || ',')) END
  WHERE local_date = OLD.local_date AND top_topic_id = COALESCE(OLD.top_topic_id, '');
END;
--> statement-breakpoint
-- Backfill compliance_daily_topic from the facts already stored.
INSERT INTO compliance_daily_topic (local_date, top_topic_id, received, contacted_in_time, contacted_late, open, closed_without_contact, closed_overdue, referrals, right_first, triaged, feedback_yes, feedback_responses, delays, org_keys)
SELECT f.local_date,
  COALESCE(f.top_topic_id, ''),
  SUM(1),
  SUM(f.first_contact_at IS NOT NULL AND f.first_contact_at <= f.deadline_at),
  SUM(f.first_contact_at IS NOT NULL AND f.first_contact_at > f.deadline_at),
  SUM(f.first_contact_at IS NULL AND f.closed_at IS NULL),
  SUM(f.first_contact_at IS NULL AND f.closed_at IS NOT NULL AND f.closed_at <= f.deadline_at),
  SUM(f.first_contact_at IS NULL AND f.closed_at IS NOT NULL AND f.closed_at > f.deadline_at),
  SUM(f.referrals),
  SUM(f.first_contact_at IS NOT NULL AND f.first_contact_actor_id IS f.first_actor_id),
  SUM(f.triaged),
  SUM(f.feedback IS 'yes'),
  SUM(f.feedback IS NOT NULL),
  COALESCE(group_concat((f.first_contact_at - f.received_at) || ',', ''), ''),
  COALESCE(group_concat(f.org_key || ',', ''), '')
FROM case_facts f
GROUP BY f.local_date, COALESCE(f.top_topic_id, '');
