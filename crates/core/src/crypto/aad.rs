//! AAD v0x03: `0x03` then, per component, `u32be(len) ‖ utf8`. Components: tenant, cache key,
//! format, compressed flag (`"True"`/`"False"`), and optionally the original type.

use crate::error::{CoreError, Result};

/// What the AAD binds a ciphertext to, besides the tenant.
#[derive(Debug, Clone, Copy)]
pub struct AadContext<'a> {
    /// The logical cache key, without any backend prefix.
    pub cache_key: &'a str,
    pub format: &'a str,
    pub compressed: bool,
    /// Python's optional fifth component.
    pub original_type: Option<&'a str>,
}

fn push_component(out: &mut Vec<u8>, value: &str, name: &str) -> Result<()> {
    let len = u32::try_from(value.len()).map_err(|_| CoreError::InvalidAad {
        detail: format!("{name} is longer than 4 GiB"),
    })?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value.as_bytes());
    Ok(())
}

pub fn build_aad(tenant: &str, ctx: &AadContext<'_>) -> Result<Vec<u8>> {
    if ctx.cache_key.is_empty() {
        return Err(CoreError::InvalidAad {
            detail: "cacheKey is empty".into(),
        });
    }
    if ctx.format.is_empty() {
        return Err(CoreError::InvalidAad {
            detail: "format is empty".into(),
        });
    }
    let flag = if ctx.compressed { "True" } else { "False" };
    let extra = ctx.original_type.map_or(0, |t| 4 + t.len());
    let mut out = Vec::with_capacity(
        1 + 16 + tenant.len() + ctx.cache_key.len() + ctx.format.len() + 5 + extra,
    );
    out.push(0x03);
    push_component(&mut out, tenant, "tenant")?;
    push_component(&mut out, ctx.cache_key, "cacheKey")?;
    push_component(&mut out, ctx.format, "format")?;
    push_component(&mut out, flag, "compressed")?;
    if let Some(t) = ctx.original_type {
        push_component(&mut out, t, "originalType")?;
    }
    Ok(out)
}
