//! The clinician's screens: the worklist with acknowledge-with-note, a patient's clinical record,
//! the evaluation form, and prescribing a home program. Every read and change goes through `crate::clinical`, as the JSON routes' do.

mod evaluation;
mod evaluation_values;
mod program;
mod record;
mod worklist;

pub use evaluation::{evaluation_page, save_evaluation};
pub use program::{prescribe, program_page};
pub use record::record_page;
pub use worklist::{acknowledge, worklist_page};
