//! What the firmware does, kept apart from its entry point so that the host can test it.
//! Two examples, one per firmware image: [`event`] (the default) verifies and parses a
//! Trigger.dev event; [`command`] (feature `command`) verifies a signed command and
//! deserializes it into the device's own struct.
#![no_std]

/// The channel's secret, shared by both examples.
pub const SECRET: &str = "embedded-demo-secret";
/// The header each example's signature is sent in.
pub const HEADER: &str = "x-trigger-signature-hmacsha256";
/// The device's clock (Unix seconds) when the samples arrive: the event sample's signed
/// `created` (2026-11-20T14:03:11Z), which Trigger.dev's max age is measured against.
pub const NOW: u64 = 1_795_183_391;

/// Verify and parse a Trigger.dev `alert.run.failed` delivery.
pub mod event {
    use hookguard::{Error, EventKind, Scheme, Verifier};

    use crate::{NOW, SECRET};

    /// The request the firmware checks.
    pub const BODY: &[u8] = include_bytes!("../../core/samples/trigger/alert.run.failed.json");
    /// Its `x-trigger-signature-hmacsha256`, made with [`SECRET`] by an independent HMAC.
    pub const SIGNATURE: &str = "a519baed129b6079f307b9bd9cdc8467cd928ea05356ff6f0d935d20eda11c36";
    /// Scratch for unescaped strings: the sample's escaped error message needs less than this.
    pub const SCRATCH_LEN: usize = 256;

    /// Verifies and parses the sample; returns the failed run's number.
    ///
    /// # Errors
    /// Any [`Error`] from verifying or parsing, or [`Error::InvalidJson`] if the event is not
    /// the failed run it should be.
    pub fn run(headers: &[(&str, &str)]) -> Result<u64, Error> {
        let verifier = Verifier::new(Scheme::TRIGGER, &[SECRET])?;
        let verified = verifier.verify(headers, BODY, NOW)?;
        let mut scratch = [0u8; SCRATCH_LEN];
        let event = verified.parse(&mut scratch)?;
        match (event.kind, event.run_number) {
            (EventKind::AlertRunFailed, Some(number)) => Ok(number),
            _ => Err(Error::InvalidJson),
        }
    }
}

/// Verify a signed command and deserialize it into the device's own type.
pub mod command {
    use hookguard::{Error, Scheme, Verifier};
    use serde::Deserialize;

    use crate::{NOW, SECRET};

    /// The request the firmware checks: a command with fields the device does not read (one
    /// of them escaped).
    pub const BODY: &[u8] = include_bytes!("../command.json");
    /// Its `x-trigger-signature-hmacsha256`, made with [`SECRET`] by an independent HMAC.
    pub const SIGNATURE: &str = "9f82c535eaab41a42d0b27c7db70dc48271ae4b2fb30505a2bad25f1648e3b51";
    /// Scratch for one unescaped string at a time: the skipped `note` needs 16 bytes.
    pub const SCRATCH_LEN: usize = 32;

    /// What a valve does.
    #[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    #[serde(rename_all = "lowercase")]
    pub enum Action {
        /// Open the valve.
        Open,
        /// Close the valve.
        Close,
    }

    /// The device's command: the fields it reads, borrowed from the body.
    #[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Command<'a> {
        /// The command's id, to acknowledge it.
        pub id: &'a str,
        /// What to do.
        pub action: Action,
        /// Which valve.
        pub channel: u8,
        /// For how long.
        pub duration_ms: u32,
    }

    /// Verifies the sample and deserializes it (its strings borrow from the body, for as
    /// long as the headers, verified with it, live).
    ///
    /// # Errors
    /// Any [`Error`] from verifying or deserializing.
    pub fn run<'a>(headers: &'a [(&'a str, &'a str)]) -> Result<Command<'a>, Error> {
        let verifier = Verifier::new(Scheme::TRIGGER, &[SECRET])?;
        let verified = verifier.verify(headers, BODY, NOW)?;
        verified.deserialize(&mut [0u8; SCRATCH_LEN])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRONG: &str = "0519baed129b6079f307b9bd9cdc8467cd928ea05356ff6f0d935d20eda11c36";

    #[test]
    fn the_event_sample_verifies_and_parses() {
        assert_eq!(event::run(&[(HEADER, event::SIGNATURE)]), Ok(1842));
        assert_eq!(event::run(&[(HEADER, WRONG)]), Err(hookguard::Error::InvalidSignature));
    }

    #[test]
    fn the_command_sample_verifies_and_deserializes() {
        let expected = command::Command {
            id: "cmd_01jq8m6xk2",
            action: command::Action::Open,
            channel: 3,
            duration_ms: 1500,
        };
        assert_eq!(command::run(&[(HEADER, command::SIGNATURE)]), Ok(expected));
        assert_eq!(command::run(&[(HEADER, WRONG)]), Err(hookguard::Error::InvalidSignature));
    }
}
