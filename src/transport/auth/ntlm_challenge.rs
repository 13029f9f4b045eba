//! The server's NTLM CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2), checked before
//! sspi reads it, so that a malformed one is named for what is wrong with
//! it ("cut short", "its target information lies outside the message")
//! instead of surfacing as sspi's `IO error: Error { kind: UnexpectedEof … }`.
//! Pure: bytes in, a clause out; accepts every challenge sspi can use.

/// The fixed part of a CHALLENGE_MESSAGE, up to and including
/// TargetInfoFields (the Version field that may follow is optional).
const FIXED: usize = 48;
/// Where NTLM messages begin.
pub const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
/// MsvAvEOL: the pair that ends the target information list.
const AV_EOL: u16 = 0;

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Why `token` is not a well-formed CHALLENGE_MESSAGE, as a clause after
/// "the server's NTLM challenge is malformed: "; `Ok` when it is one.
pub fn check(token: &[u8]) -> Result<(), String> {
    if !token.starts_with(SIGNATURE) {
        return Err("it does not begin with the NTLMSSP signature".into());
    }
    if token.len() < FIXED {
        return Err(format!(
            "it is cut short ({} bytes, where the fixed part alone takes {FIXED})",
            token.len()
        ));
    }
    let kind = u32_at(token, 8);
    if kind != 2 {
        return Err(format!(
            "it is NTLM message type {kind}, not a challenge (2)"
        ));
    }
    let field = |at: usize, what: &str| {
        let (length, offset) = (usize::from(u16_at(token, at)), u32_at(token, at + 4));
        let end = usize::try_from(offset)
            .ok()
            .and_then(|o| o.checked_add(length));
        match end {
            _ if length == 0 => Ok(&token[..0]),
            Some(end) if end <= token.len() => Ok(&token[end - length..end]),
            _ => Err(format!(
                "its {what} ({length} bytes at offset {offset}) lies outside the message \
                 ({} bytes)",
                token.len()
            )),
        }
    };
    field(12, "target name")?;
    let info = field(40, "target information")?;
    if !info.is_empty() {
        check_pairs(info)?;
    }
    Ok(())
}

/// The target information: AV_PAIRs (id, length, value), ending with
/// MsvAvEOL.
fn check_pairs(mut info: &[u8]) -> Result<(), String> {
    while info.len() >= 4 {
        let (id, length) = (u16_at(info, 0), usize::from(u16_at(info, 2)));
        if id == AV_EOL {
            return Ok(());
        }
        if 4 + length > info.len() {
            return Err(format!(
                "an entry of its target information (id {id}, {length} bytes) runs past the \
                 end of the list"
            ));
        }
        info = &info[4 + length..];
    }
    Err("its target information does not end with the end-of-list entry".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A challenge with a target name and a target information list.
    fn challenge(target_info: &[u8]) -> Vec<u8> {
        let name: Vec<u8> = "CORP".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut out = SIGNATURE.to_vec();
        out.extend(2u32.to_le_bytes());
        let name_at = 56u32;
        out.extend((name.len() as u16).to_le_bytes());
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(name_at.to_le_bytes());
        out.extend(0xE289_8215u32.to_le_bytes());
        out.extend([0x11; 8]);
        out.extend([0; 8]);
        let info_at = name_at + name.len() as u32;
        out.extend((target_info.len() as u16).to_le_bytes());
        out.extend((target_info.len() as u16).to_le_bytes());
        out.extend(info_at.to_le_bytes());
        out.extend([10, 0, 0x63, 0x45, 0, 0, 0, 15]);
        out.extend(name);
        out.extend(target_info);
        out
    }

    fn pairs(list: &[(u16, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (id, value) in list {
            out.extend(id.to_le_bytes());
            out.extend((value.len() as u16).to_le_bytes());
            out.extend(*value);
        }
        out
    }

    #[test]
    fn well_formed_challenges_pass() {
        let info = pairs(&[(2, b"C\0O\0R\0P\0"), (7, &[0; 8]), (0, b"")]);
        assert_eq!(check(&challenge(&info)), Ok(()));
        assert_eq!(check(&challenge(b"")), Ok(()));
    }

    #[test]
    fn each_defect_is_named() {
        let good = challenge(&pairs(&[(2, b"C\0O\0"), (0, b"")]));
        let why = |token: &[u8]| check(token).unwrap_err();
        assert!(why(&good[..20]).contains("cut short (20 bytes"));
        let mut signature = good.clone();
        signature[6] = b'X';
        assert!(why(&signature).contains("NTLMSSP signature"));
        assert!(why(b"").contains("NTLMSSP signature"));
        let mut kind = good.clone();
        kind[8] = 3;
        assert!(why(&kind).contains("message type 3"));
        let mut info_far = good.clone();
        info_far[44..48].copy_from_slice(&5000u32.to_le_bytes());
        assert!(why(&info_far).contains("target information"));
        let mut name_far = good.clone();
        name_far[16..20].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(why(&name_far).contains("target name"));
        assert!(why(&challenge(&pairs(&[(2, b"AB")]))).contains("end-of-list"));
        let mut long = pairs(&[(2, b"AB")]);
        long[2] = 200;
        assert!(why(&challenge(&long)).contains("runs past"));
    }
}
