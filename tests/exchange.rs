//! End-to-end: spreadsheet and CNIL PIA import, Word export.
