//! Grows the appointments table by bulk SQL (a recursive CTE on SQLite, generate_series on
//! PostgreSQL) with the schema's triggers and exclusion constraints in force.
//!
//! Growth row g (0, 1, 2, … across calls) belongs to clinician g mod 8 and patient g mod 250, in
//! hour-slot s = g / 8: the day 1 + s / 10 days before today (UTC), at 23:00 − (s mod 10) UTC,
//! i.e. ten visits a day, 08:00–17:00 in Chicago. The 8 rows of one slot have 8 different
//! patients and no slot repeats, so nothing overlaps; the rows are history (completed, with a
//! no-show and a cancellation in every 20). A database grows by its past: the future is bounded
//! by the booking horizon, and the 14 days the benchmark asks about keep their seeded density.
//!
//! Rows go in newest first, so the SQLite no-overlap triggers, which scan a clinician's earlier
//! blocks, find nothing before the new row and stay cheap.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::clinic::{Clinic, CLINICIANS, PATIENTS};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

pub struct Growth {
    url: String,
    inserted: u64,
}

const COLUMNS: &str = "id, patient_id, clinician_id, appointment_type_id, starts_at, ends_at, block_start, \
                       block_end, status, reason, late_cancellation, cancel_reason, sequence, booked_by, created_at, \
                       updated_at";
const STATUS: &str = "CASE t.g % 20 WHEN 0 THEN 'no_show' WHEN 1 THEN 'cancelled' ELSE 'completed' END";

fn helper_tables(clinic: &Clinic) -> Vec<String> {
    let values =
        |ids: &[String]| ids.iter().enumerate().map(|(n, id)| format!("({n}, '{id}')")).collect::<Vec<_>>().join(", ");
    vec![
        "CREATE TEMPORARY TABLE bench_clinicians (n BIGINT PRIMARY KEY, id TEXT NOT NULL)".into(),
        "CREATE TEMPORARY TABLE bench_patients (n BIGINT PRIMARY KEY, id TEXT NOT NULL)".into(),
        format!("INSERT INTO bench_clinicians VALUES {}", values(&clinic.clinicians[..CLINICIANS])),
        format!("INSERT INTO bench_patients VALUES {}", values(&clinic.patients[..PATIENTS])),
    ]
}

fn sqlite_insert(from: u64, to: u64, today: &str) -> String {
    format!(
        "INSERT INTO appointments ({COLUMNS}) \
         WITH RECURSIVE n(g) AS (SELECT {from} UNION ALL SELECT g + 1 FROM n WHERE g + 1 < {to}), \
         t AS (SELECT g, datetime('{today}', '-' || (1 + g / 80) || ' days', '+' || (23 - (g / 8) % 10) || ' hours') AS s FROM n) \
         SELECT lower(hex(randomblob(16))), p.id, c.id, 'type-dry-needling', t.s, datetime(t.s, '+30 minutes'), \
                t.s, datetime(t.s, '+40 minutes'), {STATUS}, NULL, 0, NULL, 0, NULL, t.s, t.s \
         FROM t JOIN bench_clinicians c ON c.n = t.g % {CLINICIANS} JOIN bench_patients p ON p.n = t.g % {PATIENTS} \
         ORDER BY t.g"
    )
}

fn postgres_insert(from: u64, to: u64, today: &str) -> String {
    format!(
        "INSERT INTO appointments ({COLUMNS}) \
         SELECT gen_random_uuid()::text, p.id, c.id, 'type-dry-needling', t.s, t.s + interval '30 minutes', \
                t.s, t.s + interval '40 minutes', {STATUS}, NULL, FALSE, NULL, 0, NULL, t.s, t.s \
         FROM (SELECT g, timestamp '{today}' - make_interval(days => (1 + g / 80)::int) \
                         + make_interval(hours => (23 - (g / 8) % 10)::int) AS s \
               FROM generate_series({from}::bigint, {to}::bigint - 1) AS g) t \
         JOIN bench_clinicians c ON c.n = t.g % {CLINICIANS} JOIN bench_patients p ON p.n = t.g % {PATIENTS} \
         ORDER BY t.g"
    )
}

impl Growth {
    pub fn new(database_url: &str) -> Self {
        Self { url: database_url.to_string(), inserted: 0 }
    }

    fn postgres(&self) -> bool {
        self.url.starts_with("postgres://") || self.url.starts_with("postgresql://")
    }

    /// Adds history until the table holds `total` appointments; returns how many rows went in.
    pub fn grow_to(&mut self, clinic: &Clinic, total: u64) -> u64 {
        let today = chrono::Utc::now().date_naive().format("%Y-%m-%d 00:00:00").to_string();
        let count = "SELECT count(*) AS n FROM appointments";
        let added = if self.postgres() {
            let mut conn = PgConnection::establish(&self.url).expect("connect to PostgreSQL");
            let current = diesel::sql_query(count).get_result::<Count>(&mut conn).unwrap().n as u64;
            let add = total.saturating_sub(current);
            for statement in helper_tables(clinic) {
                diesel::sql_query(statement).execute(&mut conn).unwrap();
            }
            let sql = postgres_insert(self.inserted, self.inserted + add, &today);
            diesel::sql_query(sql).execute(&mut conn).expect("bulk insert (PostgreSQL)");
            // What autovacuum would do after a load like this.
            diesel::sql_query("ANALYZE appointments").execute(&mut conn).unwrap();
            add
        } else {
            let mut conn = SqliteConnection::establish(&self.url).expect("open the SQLite file");
            diesel::sql_query("PRAGMA busy_timeout = 60000").execute(&mut conn).unwrap();
            let current = diesel::sql_query(count).get_result::<Count>(&mut conn).unwrap().n as u64;
            let add = total.saturating_sub(current);
            for statement in helper_tables(clinic) {
                diesel::sql_query(statement).execute(&mut conn).unwrap();
            }
            let sql = sqlite_insert(self.inserted, self.inserted + add, &today);
            diesel::sql_query(sql).execute(&mut conn).expect("bulk insert (SQLite)");
            diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).unwrap();
            add
        };
        self.inserted += added;
        added
    }
}
