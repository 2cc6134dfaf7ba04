//! Password hashing with argon2id at the OWASP parameters (19 MiB, t=2, p=1).
//!
//! Hashing costs tens of milliseconds of CPU and 19 MiB of memory, so it runs on a few threads
//! of its own, as many as the cores, fed by a queue: a login flood waits its turn instead of
//! starving the async workers. Each thread keeps one argon2 working memory and reuses it: handing
//! 19 MiB back to the allocator after every hash let glibc keep many such buffers, and a sign-in
//! flood grew the server to hundreds of MiB.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};

use argon2::password_hash::{self, Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::ApiError;

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

fn owasp_params() -> Params {
    Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).expect("valid argon2 parameters")
}

fn argon2() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, owasp_params())
}

#[derive(Debug)]
pub enum Verified {
    /// The password matches; `rehash` holds a new hash when the stored one used old parameters.
    Match {
        rehash: Option<String>,
    },
    NoMatch,
}

type Job = Box<dyn FnOnce() + Send>;

#[derive(Clone)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
    verifications: Arc<AtomicU64>,
}

impl PasswordHasher {
    /// Starts `threads` hashing threads; they end when the last clone of the hasher is dropped.
    pub fn new(threads: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || loop {
                    let next = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    match next {
                        // A panicking job drops its answer channel, which its caller sees.
                        Ok(job) => drop(std::panic::catch_unwind(AssertUnwindSafe(job))),
                        Err(_) => return,
                    }
                })
                .expect("start a password-hashing thread");
        }
        Self { jobs, verifications: Arc::default() }
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
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        self.jobs.send(job).map_err(|_| ApiError::internal(std::io::Error::other("the hashing threads stopped")))?;
        answer.await.map_err(|_| ApiError::internal(std::io::Error::other("a password hash failed")))?
    }
}

thread_local! {
    /// This thread's argon2 working memory, allocated at its first hash and reused after.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// argon2 of `password` with `salt` and `params`, `len` bytes long, in this thread's memory.
fn derive(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: Salt<'_>,
    len: usize,
) -> password_hash::Result<Output> {
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes)?;
    let blocks = params.block_count();
    MEMORY.with_borrow_mut(|memory| {
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        Output::init_with(len, |out| {
            Ok(argon2.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])?)
        })
    })
}

fn hash_now(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let params = owasp_params();
    let phc = || -> password_hash::Result<String> {
        let hash = derive(&argon2(), &params, password.as_bytes(), salt.as_salt(), Params::DEFAULT_OUTPUT_LEN)?;
        let phc = PasswordHash {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(salt.as_salt()),
            hash: Some(hash),
        };
        Ok(phc.to_string())
    };
    phc().map_err(|e| ApiError::internal(std::io::Error::other(e.to_string())))
}

/// Whether `password` gives `stored`'s hash under `stored`'s own algorithm and parameters; the
/// comparison takes the same time wherever the hashes differ.
fn matches(password: &str, stored: &PasswordHash<'_>) -> password_hash::Result<bool> {
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
        return Ok(false);
    };
    let algorithm = Algorithm::try_from(stored.algorithm)?;
    let version = stored.version.map(Version::try_from).transpose()?.unwrap_or_default();
    let params = Params::try_from(stored)?;
    let argon2 = Argon2::new(algorithm, version, params.clone());
    Ok(derive(&argon2, &params, password.as_bytes(), salt, expected.len())? == expected)
}

fn verify_now(password: &str, stored: &str) -> Result<Verified, ApiError> {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Ok(Verified::NoMatch);
    };
    if !matches(password, &parsed).unwrap_or(false) {
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
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

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

    #[tokio::test]
    async fn work_runs_on_the_hashers_own_threads_a_few_at_a_time() {
        let hasher = PasswordHasher::new(2);
        let running = Arc::new(AtomicU64::new(0));
        let most = Arc::new(AtomicU64::new(0));
        let jobs = (0..8).map(|_| {
            let (running, most) = (running.clone(), most.clone());
            hasher.off_thread(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(std::thread::current().name().unwrap_or_default().to_string())
            })
        });
        let names = futures_util::future::join_all(jobs).await;
        assert!(names.iter().all(|n| n.as_ref().is_ok_and(|n| n.starts_with("argon2-"))), "{names:?}");
        assert_eq!(most.load(Ordering::SeqCst), 2, "two at a time, no more");
        let hash = hasher.hash("side plank 3x20s".into()).await.unwrap();
        let verified = hasher.verify("side plank 3x20s".into(), Some(hash)).await.unwrap();
        assert!(matches!(verified, Verified::Match { rehash: None }));
        // A job that panics answers with an error and leaves the threads serving.
        assert!(hasher.off_thread::<()>(|| panic!("boom")).await.is_err());
        assert!(hasher.off_thread(|| Ok(1)).await.is_ok());
    }

    #[test]
    fn hashes_agree_with_the_argon2_crates_own_hasher_and_verifier() {
        let ours = hash_now("cat camel 2x10").unwrap();
        assert!(argon2().verify_password(b"cat camel 2x10", &PasswordHash::new(&ours).unwrap()).is_ok());
        assert!(argon2().verify_password(b"cat camel 2x11", &PasswordHash::new(&ours).unwrap()).is_err());
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let theirs = argon2().hash_password(b"dead bug 3x8", &salt).unwrap().to_string();
        assert!(matches!(verify_now("dead bug 3x8", &theirs).unwrap(), Verified::Match { rehash: None }));
        assert!(matches!(verify_now("dead bug 3x9", &theirs).unwrap(), Verified::NoMatch));
        // argon2i and argon2d hashes (old imports) are verified under their own algorithm.
        for algorithm in [Algorithm::Argon2i, Algorithm::Argon2d] {
            let other = Argon2::new(algorithm, Version::V0x13, Params::new(8 * 1024, 1, 1, None).unwrap());
            let stored = other.hash_password(b"bird dog 2x10", &salt).unwrap().to_string();
            assert!(matches!(verify_now("bird dog 2x10", &stored).unwrap(), Verified::Match { rehash: Some(_) }));
            assert!(matches!(verify_now("bird dog 2x11", &stored).unwrap(), Verified::NoMatch));
        }
    }

    #[test]
    fn garbage_stored_hash_never_matches() {
        assert!(matches!(verify_now("anything", "not-a-hash").unwrap(), Verified::NoMatch));
    }
}
