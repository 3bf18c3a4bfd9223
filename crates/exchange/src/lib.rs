//! Konsekvens interchange: what DPOs already have, in and out.
//!
//! - **Risk sheets in** (`.xlsx`, `.ods`, `.csv`): [`sheet::read`] → [`mapping::propose`] (or
//!   a saved/given [`mapping::Mapping`]) → [`import::preview`] → [`import::apply`], one
//!   workspace edit. A new version of a sheet updates the risks it made.
//! - **CNIL PIA in**: [`cnil`] reads the `.json` the CNIL PIA tool exports into a new joint
//!   DPIA or a municipality's supplement.
//! - **Word out**: [`docx`] writes the effective DPIA (or the base) as a `.docx` with the
//!   PDF's content and order, real heading styles and tables.

pub mod cnil;
mod coded;
pub mod docx;
pub mod html;
pub mod identity;
pub mod import;
pub mod limits;
pub mod mapping;
mod ooxml;
pub mod parse;
pub mod report;
pub mod sheet;

pub use import::{apply, choose_mapping, preview, ChosenMapping, ImportError, ImportOptions, ImportReport, MappingOrigin};
pub use mapping::{propose, propose_at, Mapping, MappingStore, Proposal};
pub use sheet::{read as read_workbook, Sheet, SheetError, Workbook};
