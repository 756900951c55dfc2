//! The flash footprint of a firmware image: the bytes of its ELF32 sections that are loaded.

use std::path::Path;

use crate::{Result, cargo, root, run};

/// The firmware images (`embedded/`): the cargo features that select each, and what it does.
pub const FIRMWARE: [(&str, &str); 4] = [
    ("", "verify + parse a Trigger.dev event, HMAC-SHA256 only"),
    ("command", "verify + deserialize a signed command struct, HMAC-SHA256 only"),
    ("sha1", "verify + parse, with HMAC-SHA1 built in"),
    ("sha1,ed25519", "verify + parse, with HMAC-SHA1 and Ed25519 built in"),
];

/// Builds each no-heap firmware image for a Cortex-M4F and returns its flash size, in the
/// order of [`FIRMWARE`].
pub fn firmware_flash() -> Result<Vec<u64>> {
    let mut sizes = Vec::new();
    for (features, _) in FIRMWARE {
        run(cargo()
            .args(["build", "--locked", "-p", "hookguard-embedded", "--profile", "firmware"])
            .args(["--target", "thumbv7em-none-eabihf", "--features", features]))?;
        // Each build writes the same file: measure it before the next one replaces it.
        sizes.push(flash_size(&root().join("target/thumbv7em-none-eabihf/firmware/hookguard-embedded"))?);
    }
    Ok(sizes)
}

const SHF_ALLOC: u32 = 0x2;
const SHT_NOBITS: u32 = 8;

/// Sums the sizes of allocated sections that occupy file space (.vector_table, .text,
/// .rodata, .data): what is written to flash.
fn flash_size(path: &Path) -> Result<u64> {
    let elf = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if elf.get(..5) != Some(b"\x7fELF\x01") {
        return Err(format!("{}: not a 32-bit ELF file", path.display()));
    }
    let u16_at = |at: usize| elf.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |at: usize| elf.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let bad = || format!("{}: truncated ELF header", path.display());
    let section_table = u32_at(0x20).ok_or_else(bad)? as usize;
    let entry_size = usize::from(u16_at(0x2e).ok_or_else(bad)?);
    let count = usize::from(u16_at(0x30).ok_or_else(bad)?);
    let mut total = 0u64;
    for i in 0..count {
        let at = section_table + i * entry_size;
        let kind = u32_at(at + 4).ok_or_else(bad)?;
        let flags = u32_at(at + 8).ok_or_else(bad)?;
        let size = u32_at(at + 20).ok_or_else(bad)?;
        if flags & SHF_ALLOC != 0 && kind != SHT_NOBITS {
            total += u64::from(size);
        }
    }
    Ok(total)
}
