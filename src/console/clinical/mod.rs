//! The clinician's screens: the worklist with acknowledge-with-note, and prescribing a home
//! program. Every read and change goes through `crate::clinical`, as the JSON routes' do.

mod program;
mod worklist;

pub use program::{prescribe, program_page};
pub use worklist::{acknowledge, worklist_page};
