//! End-to-end: `konsekvens hub` and `konsekvens sync` processes over loopback.
