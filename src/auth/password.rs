//! Password hashing with argon2id at the OWASP parameters (19 MiB, t=2, p=1).
//!
//! Hashing costs tens of milliseconds of CPU and 19 MiB of memory, so it runs on the blocking
//! pool behind a semaphore sized to the cores: a login flood queues instead of exhausting memory
//! or starving the async workers.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::ApiError;

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Debug)]
pub enum Verified {
    /// The password matches; `rehash` holds a new hash when the stored one used old parameters.
    Match {
        rehash: Option<String>,
    },
    NoMatch,
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    verifications: Arc<AtomicU64>,
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(concurrency.max(1))), verifications: Arc::default() }
    }

    /// How many argon2 verifications ran, decoys included (sign-in must cost the same work
    /// whether or not the account exists).
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.off_thread(move || hash_now(&password)).await
    }

    /// Checks `password` against `stored`; with no stored hash (unknown email, or an account
    /// without a password yet) it checks against a decoy so the answer takes the same time.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<Verified, ApiError> {
        let counter = self.verifications.clone();
        self.off_thread(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            let real = stored.is_some();
            let stored = stored.unwrap_or_else(|| decoy_hash().to_string());
            let outcome = verify_now(&password, &stored);
            if real {
                outcome
            } else {
                Ok(Verified::NoMatch)
            }
        })
        .await
    }

    async fn off_thread<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self.permits.acquire().await.map_err(ApiError::internal)?;
        actix_web::web::block(work).await.map_err(ApiError::internal)?
    }
}

fn hash_now(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ApiError::internal(std::io::Error::other(e.to_string())))
}

fn verify_now(password: &str, stored: &str) -> Result<Verified, ApiError> {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Ok(Verified::NoMatch);
    };
    if argon2().verify_password(password.as_bytes(), &parsed).is_err() {
        return Ok(Verified::NoMatch);
    }
    let up_to_date = parsed.algorithm == argon2::ARGON2ID_IDENT
        && Params::try_from(&parsed)
            .is_ok_and(|p| (p.m_cost(), p.t_cost(), p.p_cost()) == (MEMORY_KIB, ITERATIONS, PARALLELISM));
    let rehash = if up_to_date { None } else { Some(hash_now(password)?) };
    Ok(Verified::Match { rehash })
}

/// Makes the decoy hash now, at start-up, so the first unknown email is not slower than the rest.
pub fn prepare_decoy() {
    let _ = decoy_hash();
}

/// A hash of a random password, made once, for answering unknown emails in the same time.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_now(&super::secret_token::generate()).expect("hashing a decoy password"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_owasp_parameters_and_verifies() {
        let hash = hash_now("glute bridge 3x12").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(matches!(verify_now("glute bridge 3x12", &hash).unwrap(), Verified::Match { rehash: None }));
        assert!(matches!(verify_now("glute bridge 3x13", &hash).unwrap(), Verified::NoMatch));
    }

    #[test]
    fn old_parameters_are_rehashed_on_a_match() {
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8 * 1024, 1, 1, None).unwrap());
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let old = weak.hash_password(b"bird dog 2x10", &salt).unwrap().to_string();
        match verify_now("bird dog 2x10", &old).unwrap() {
            Verified::Match { rehash: Some(new) } => assert!(new.contains("m=19456,t=2,p=1")),
            other => panic!("expected a rehash, got {other:?}"),
        }
    }

    #[test]
    fn garbage_stored_hash_never_matches() {
        assert!(matches!(verify_now("anything", "not-a-hash").unwrap(), Verified::NoMatch));
    }
}
