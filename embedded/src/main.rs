//! Firmware for a Cortex-M4F with no heap: verifies and parses one Trigger.dev event.
//! On the host it runs the same check and prints the sizes of its state.
#![cfg_attr(target_os = "none", no_std, no_main)]

#[cfg(target_os = "none")]
mod firmware {
    use panic_halt as _;

    #[cortex_m_rt::entry]
    fn main() -> ! {
        // The signature goes through black_box so the check cannot be computed at build time.
        let signature = core::hint::black_box(hookguard_embedded::SIGNATURE);
        let result = hookguard_embedded::run(signature);
        core::hint::black_box(&result);
        loop {
            core::hint::spin_loop();
        }
    }
}

#[cfg(not(target_os = "none"))]
fn main() {
    let result = hookguard_embedded::run(hookguard_embedded::SIGNATURE);
    println!("verify + parse of a Trigger.dev alert.run.failed event: {result:?}");
    println!(
        "state: Verifier {} bytes (room for {} keyed secrets), scratch {} bytes",
        core::mem::size_of::<hookguard::Verifier>(),
        hookguard::MAX_SECRETS,
        hookguard_embedded::SCRATCH_LEN,
    );
}
