DROP TABLE check_ins;
DROP TABLE psfs_activities;
DROP TABLE evaluations;
ALTER TABLE clinic_settings DROP COLUMN missed_check_in_days;
ALTER TABLE clinic_settings DROP COLUMN plateau_weeks;
ALTER TABLE clinic_settings DROP COLUMN low_adherence_percent;
ALTER TABLE clinic_settings DROP COLUMN odi_min_answered;
ALTER TABLE users DROP COLUMN primary_clinician_id;
