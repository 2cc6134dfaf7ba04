//! HTTP plumbing shared by every resource module: request ids and audit origins, transport
//! guards (CORS, body deadlines, CSP), the caller's [`Actor`](crate::auth::Actor) from its
//! credential, the JSON body extractor, the `X-Access-Reason` header, cursor paging, files sent
//! as they are, and the schemas the derive cannot spell. Nothing here knows a clinic rule.

pub mod access_reason;
pub mod auth_user;
pub mod check_in_cursor;
pub mod evaluation_form;
pub mod guards;
pub mod json;
pub mod link_actions;
pub mod media;
pub mod nullable;
pub mod paging;
pub mod phone_made;
pub mod request_id;
pub mod schemas;
