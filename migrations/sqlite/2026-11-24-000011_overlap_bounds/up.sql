-- The no-overlap triggers scanned a clinician's (or patient's) whole history below the new
-- time. No appointment keeps anyone busy longer than 12 hours (8 h visit + 2 h buffers on each
-- side, `domain::appointment::longest_block`), so one that overlaps started less than 13 hours
-- before: that lower bound keeps the index scan short with a million appointments on file. A
-- timestamp strftime cannot read gives NULL, and COALESCE turns that into no bound at all (the
-- old full scan), never into a missed overlap.
DROP TRIGGER appointments_no_overlap_insert;
DROP TRIGGER appointments_no_overlap_update;

CREATE TRIGGER appointments_no_overlap_insert BEFORE INSERT ON appointments
WHEN NEW.status <> 'cancelled'
BEGIN
    SELECT RAISE(ABORT, 'slot_taken: clinician')
    WHERE EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.id <> NEW.id AND a.status <> 'cancelled' AND a.clinician_id = NEW.clinician_id
          AND a.block_start < NEW.block_end AND NEW.block_start < a.block_end
          AND a.block_start > COALESCE(strftime('%Y-%m-%d %H:%M:%f', NEW.block_start, '-13 hours'), '')
    );
    SELECT RAISE(ABORT, 'slot_taken: patient')
    WHERE EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.id <> NEW.id AND a.status <> 'cancelled' AND a.patient_id = NEW.patient_id
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
          AND a.starts_at > COALESCE(strftime('%Y-%m-%d %H:%M:%f', NEW.starts_at, '-13 hours'), '')
    );
END;

CREATE TRIGGER appointments_no_overlap_update BEFORE UPDATE ON appointments
WHEN NEW.status <> 'cancelled'
BEGIN
    SELECT RAISE(ABORT, 'slot_taken: clinician')
    WHERE EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.id <> NEW.id AND a.status <> 'cancelled' AND a.clinician_id = NEW.clinician_id
          AND a.block_start < NEW.block_end AND NEW.block_start < a.block_end
          AND a.block_start > COALESCE(strftime('%Y-%m-%d %H:%M:%f', NEW.block_start, '-13 hours'), '')
    );
    SELECT RAISE(ABORT, 'slot_taken: patient')
    WHERE EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.id <> NEW.id AND a.status <> 'cancelled' AND a.patient_id = NEW.patient_id
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
          AND a.starts_at > COALESCE(strftime('%Y-%m-%d %H:%M:%f', NEW.starts_at, '-13 hours'), '')
    );
END;
