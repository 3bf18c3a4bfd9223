//! The DPIA model as plain Rust values. The document layer ([`crate::doc`]) stores these in
//! Yrs documents; everything else (effective view, text, JSON) works on these values.

pub mod catalogue;
pub mod hearing;
pub mod ids;
pub mod items;
pub mod scale;
pub mod supplement;

pub use catalogue::{Catalogued, Worded};
pub use ids::*;
pub use items::*;
pub use scale::*;
pub use supplement::*;
