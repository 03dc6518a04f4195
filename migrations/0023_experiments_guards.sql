-- Pre-registration, guarded in the database too (the rule itself is in src/experiments/service.ts, which answers 409):
-- an experiment's definition cannot change once an inquiry has been drawn into it or once it was stopped; a stop
-- cannot be undone; experiments are never deleted; assignments are append-only.
CREATE TRIGGER experiments_definition_frozen BEFORE UPDATE OF name, description, eligibility, arms, seed, starts_at, ends_at ON experiments
WHEN OLD.stopped_at IS NOT NULL OR EXISTS (SELECT 1 FROM experiment_assignments a WHERE a.experiment_id = OLD.id)
BEGIN
  SELECT RAISE(ABORT, 'experiment definition is frozen once started');
END;
--> statement-breakpoint
CREATE TRIGGER experiments_stop_irreversible BEFORE UPDATE OF stopped_at ON experiments
WHEN OLD.stopped_at IS NOT NULL AND NEW.stopped_at IS NOT OLD.stopped_at
BEGIN
  SELECT RAISE(ABORT, 'a stopped experiment stays stopped');
END;
--> statement-breakpoint
CREATE TRIGGER experiments_no_delete BEFORE DELETE ON experiments
BEGIN
  SELECT RAISE(ABORT, 'experiments are never deleted');
END;
--> statement-breakpoint
CREATE TRIGGER experiment_assignments_no_update BEFORE UPDATE ON experiment_assignments
BEGIN
  SELECT RAISE(ABORT, 'experiment_assignments is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER experiment_assignments_no_delete BEFORE DELETE ON experiment_assignments
BEGIN
  SELECT RAISE(ABORT, 'experiment_assignments is append-only');
END;
