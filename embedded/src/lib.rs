//! What the firmware does, kept apart from its entry point so that the host can test it.
#![no_std]

use hookguard::{Error, EventKind, Scheme, Verifier};

/// The request the firmware checks: a Trigger.dev `alert.run.failed` delivery.
pub const BODY: &[u8] = include_bytes!("../../core/samples/trigger/alert.run.failed.json");
/// Its `x-trigger-signature-hmacsha256`, made with [`SECRET`] by an independent HMAC.
pub const SIGNATURE: &str = "a519baed129b6079f307b9bd9cdc8467cd928ea05356ff6f0d935d20eda11c36";
/// The channel's secret.
pub const SECRET: &str = "embedded-demo-secret";
/// Scratch for unescaped strings: the sample's escaped error message needs less than this.
pub const SCRATCH_LEN: usize = 256;

/// Verifies and parses the sample; returns the failed run's number.
///
/// # Errors
/// Any [`Error`] from verifying or parsing, or [`Error::InvalidJson`] if the event is not the
/// failed run it should be.
pub fn run(signature: &str) -> Result<u64, Error> {
    let verifier = Verifier::new(Scheme::Trigger, &[SECRET])?;
    let headers = [("x-trigger-signature-hmacsha256", signature)];
    let verified = verifier.verify(&headers, BODY, 0)?;
    let mut scratch = [0u8; SCRATCH_LEN];
    let event = verified.parse(&mut scratch)?;
    match (event.kind, event.run_number) {
        (EventKind::AlertRunFailed, Some(number)) => Ok(number),
        _ => Err(Error::InvalidJson),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_firmware_sample_verifies_and_parses() {
        assert_eq!(run(SIGNATURE), Ok(1842));
    }

    #[test]
    fn a_wrong_signature_is_refused() {
        let wrong = "0519baed129b6079f307b9bd9cdc8467cd928ea05356ff6f0d935d20eda11c36";
        assert_eq!(run(wrong), Err(Error::InvalidSignature));
    }
}
