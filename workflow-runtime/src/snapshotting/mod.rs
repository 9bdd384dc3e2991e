//! Taking a run apart into a [`RunSnapshot`](workflow_model::RunSnapshot)
//! ([`capture`]) and putting one together again ([`restore`]), after
//! [`check`](workflow_model::snapshot::check) has accepted it.

pub(crate) mod capture;
pub(crate) mod restore;
