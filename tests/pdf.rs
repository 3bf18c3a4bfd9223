//! End-to-end: `konsekvens export pdf`, `sign` and `verify` as a DPO runs them, checked by verifiers we did not write.
