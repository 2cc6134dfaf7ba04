//! Who is calling: passwords (argon2id, off the async workers), access tokens (JWT), refresh and
//! one-time tokens (random, stored hashed), and the extractor that turns a request into a user.

pub mod extractor;
pub mod jwt;
pub mod password;
pub mod secret_token;
pub mod session;
pub mod unsubscribe_token;

pub use extractor::AuthUser;
