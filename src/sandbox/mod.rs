//! The local GHL emulator.
