//! Firmware for a Cortex-M4F with no heap: verifies one signed request and reads it, as
//! [`hookguard_embedded::event`] (by default) or [`hookguard_embedded::command`] (feature
//! `command`) does. On the host it runs the same check and prints the sizes of its state.
#![cfg_attr(target_os = "none", no_std, no_main)]

#[cfg(not(feature = "command"))]
use hookguard_embedded::event as example;

#[cfg(feature = "command")]
use hookguard_embedded::command as example;

#[cfg(target_os = "none")]
mod firmware {
    use panic_halt as _;

    use super::example;

    #[cortex_m_rt::entry]
    fn main() -> ! {
        // The signature goes through black_box so the check cannot be computed at build time.
        let headers = [(hookguard_embedded::HEADER, core::hint::black_box(example::SIGNATURE))];
        let result = example::run(&headers);
        core::hint::black_box(&result);
        loop {
            core::hint::spin_loop();
        }
    }
}

#[cfg(not(target_os = "none"))]
fn main() {
    let result = example::run(&[(hookguard_embedded::HEADER, example::SIGNATURE)]);
    println!("verify and read the signed sample: {result:?}");
    println!(
        "state: Verifier {} bytes (room for {} keyed secrets), scratch {} bytes",
        core::mem::size_of::<hookguard::Verifier>(),
        hookguard::MAX_SECRETS,
        example::SCRATCH_LEN,
    );
}
