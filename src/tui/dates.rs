//! Due dates.
