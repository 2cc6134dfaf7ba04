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
    );
    SELECT RAISE(ABORT, 'slot_taken: patient')
    WHERE EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.id <> NEW.id AND a.status <> 'cancelled' AND a.patient_id = NEW.patient_id
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
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
    );
    SELECT RAISE(ABORT, 'slot_taken: patient')
    WHERE EXISTS (
        SELECT 1 FROM appointments a
        WHERE a.id <> NEW.id AND a.status <> 'cancelled' AND a.patient_id = NEW.patient_id
          AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at
    );
END;
