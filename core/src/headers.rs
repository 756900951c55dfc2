//! Reading request headers without owning them.

/// A read-only view of request headers.
///
/// Implemented for slices and arrays of `(name, value)` pairs, with names compared
/// ASCII-case-insensitively; the first pair with a matching name wins. Values are trimmed
/// of surrounding spaces and tabs, as HTTP does.
pub trait Headers {
    /// The value of the header `name` (given in lower case), if present.
    fn get(&self, name: &str) -> Option<&[u8]>;
}

fn find<'h, V: AsRef<[u8]> + 'h>(
    pairs: impl IntoIterator<Item = &'h (&'h str, V)>,
    name: &str,
) -> Option<&'h [u8]> {
    pairs.into_iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_ref().trim_ascii())
}

impl Headers for [(&str, &str)] {
    fn get(&self, name: &str) -> Option<&[u8]> {
        find(self, name)
    }
}

impl Headers for [(&str, &[u8])] {
    fn get(&self, name: &str) -> Option<&[u8]> {
        find(self, name)
    }
}

impl<const N: usize> Headers for [(&str, &str); N] {
    fn get(&self, name: &str) -> Option<&[u8]> {
        find(self, name)
    }
}

impl<const N: usize> Headers for [(&str, &[u8]); N] {
    fn get(&self, name: &str) -> Option<&[u8]> {
        find(self, name)
    }
}

impl<H: Headers + ?Sized> Headers for &H {
    fn get(&self, name: &str) -> Option<&[u8]> {
        (**self).get(name)
    }
}
