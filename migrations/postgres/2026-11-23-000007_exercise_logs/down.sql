DROP TABLE exercise_logs;
