-- The inquiry history is append-only: every state change is a new event, never an edit.
CREATE TRIGGER inquiry_events_no_update BEFORE UPDATE ON inquiry_events
BEGIN
  SELECT RAISE(ABORT, 'inquiry_events is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER inquiry_events_no_delete BEFORE DELETE ON inquiry_events
BEGIN
  SELECT RAISE(ABORT, 'inquiry_events is append-only');
END;
