//! Reading the user's long-term Kerberos key from an MIT keytab
//! (`--keytab FILE`), so `-a:kerberos` can authenticate without a password.
//!
//! The file format (MIT's `keytab.txt`): the version `05 02` (big-endian
//! fields) or `05 01` (native order; read as little-endian here), then
//! records, each a signed 32-bit length (negative: a hole to skip) and the
//! entry: component count, realm and components as counted strings, name
//! type (version 2 only), timestamp, 8-bit key version, key type and the
//! key as a counted string, and optionally a 32-bit key version that
//! supersedes the 8-bit one. We pick the newest key of an AES type for
//! the principal. The key never leaves this module except into sspi.

use std::path::Path;

/// One usable key.
pub struct KeytabKey {
    /// The principal, `user@REALM`.
    pub principal: String,
    /// The Kerberos encryption type number (17, 18).
    pub enctype: u16,
    /// The key bytes.
    pub key: Vec<u8>,
}

impl std::fmt::Debug for KeytabKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeytabKey")
            .field("principal", &self.principal)
            .field("enctype", &self.enctype)
            .finish_non_exhaustive()
    }
}

/// Encryption types sspi can use with a raw key: AES256 and AES128
/// (CTS-HMAC-SHA1-96).
const USABLE: [u16; 2] = [18, 17];

struct Reader<'a> {
    data: &'a [u8],
    little: bool,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.data.len() < n {
            return None;
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Some(head)
    }
    fn u16(&mut self) -> Option<u16> {
        let b: [u8; 2] = self.take(2)?.try_into().ok()?;
        Some(if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }
    fn u32(&mut self) -> Option<u32> {
        let b: [u8; 4] = self.take(4)?.try_into().ok()?;
        Some(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }
    fn string(&mut self) -> Option<String> {
        let n = self.u16()? as usize;
        Some(String::from_utf8_lossy(self.take(n)?).into_owned())
    }
}

/// One keytab entry: principal, key version, encryption type, key.
type Entry = (String, u32, u16, Vec<u8>);

/// Parses every entry.
fn entries(data: &[u8]) -> Result<Vec<Entry>, String> {
    let (version, body) = match data {
        [5, v @ (1 | 2), rest @ ..] => (*v, rest),
        _ => return Err("it is not an MIT keytab (it does not start with 05 01 or 05 02)".into()),
    };
    let mut outer = Reader {
        data: body,
        little: version == 1,
    };
    let mut out = Vec::new();
    while !outer.data.is_empty() {
        let size = outer.u32().ok_or("a record length is cut short")? as i32;
        let record = outer
            .take(size.unsigned_abs() as usize)
            .ok_or("a record is cut short")?;
        if size <= 0 {
            continue; // a hole left by a deleted entry
        }
        let mut r = Reader {
            data: record,
            little: outer.little,
        };
        let entry = (|| {
            let mut count = r.u16()?;
            if version == 1 {
                count = count.checked_sub(1)?; // version 1 counts the realm
            }
            let realm = r.string()?;
            let components = (0..count).map(|_| r.string()).collect::<Option<Vec<_>>>()?;
            if version == 2 {
                r.u32()?; // name type
            }
            r.u32()?; // timestamp
            let kvno8 = r.take(1)?[0];
            let enctype = r.u16()?;
            let n = r.u16()? as usize;
            let key = r.take(n)?.to_vec();
            let kvno = match r.u32() {
                Some(v) if v != 0 => v,
                _ => u32::from(kvno8),
            };
            Some((
                format!("{}@{realm}", components.join("/")),
                kvno,
                enctype,
                key,
            ))
        })()
        .ok_or("an entry is malformed")?;
        out.push(entry);
    }
    Ok(out)
}

/// The newest AES key for `principal` (`user@REALM`, compared without
/// regard to case) in the keytab at `path`.
pub fn load(path: &Path, principal: &str) -> Result<KeytabKey, String> {
    let data = std::fs::read(path)
        .map_err(|e| format!("cannot read the keytab {}: {e}", path.display()))?;
    let all = entries(&data).map_err(|e| format!("the keytab {}: {e}", path.display()))?;
    let best = all
        .into_iter()
        .filter(|(p, _, e, _)| p.eq_ignore_ascii_case(principal) && USABLE.contains(e))
        .max_by_key(|(_, kvno, e, _)| {
            (
                *kvno,
                USABLE.len() - USABLE.iter().position(|u| u == e).unwrap_or(0),
            )
        });
    match best {
        Some((principal, _, enctype, key)) => Ok(KeytabKey {
            principal,
            enctype,
            key,
        }),
        None => Err(format!(
            "the keytab {} holds no AES key for {principal}",
            path.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-2 entry, built field by field from the format description.
    fn entry(components: &[&str], realm: &str, kvno: u8, enctype: u16, key: &[u8]) -> Vec<u8> {
        let mut e = Vec::new();
        e.extend((components.len() as u16).to_be_bytes());
        e.extend((realm.len() as u16).to_be_bytes());
        e.extend(realm.as_bytes());
        for c in components {
            e.extend((c.len() as u16).to_be_bytes());
            e.extend(c.as_bytes());
        }
        e.extend(1u32.to_be_bytes());
        e.extend(0u32.to_be_bytes());
        e.push(kvno);
        e.extend(enctype.to_be_bytes());
        e.extend((key.len() as u16).to_be_bytes());
        e.extend(key);
        let mut record = (e.len() as i32).to_be_bytes().to_vec();
        record.extend(e);
        record
    }

    #[test]
    fn picks_the_newest_aes_key_of_the_principal() {
        let mut file = vec![5, 2];
        file.extend(entry(&["alice"], "R", 1, 18, &[1; 32]));
        file.extend((-8i32).to_be_bytes());
        file.extend([0; 8]);
        file.extend(entry(&["alice"], "R", 2, 17, &[2; 16]));
        file.extend(entry(&["alice"], "R", 2, 23, &[3; 16]));
        file.extend(entry(&["HTTP", "h"], "R", 9, 18, &[4; 32]));
        let all = entries(&file).unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all[3].0, "HTTP/h@R");
        let dir = std::env::temp_dir().join(format!("winrm-keytab-{}", std::process::id()));
        std::fs::write(&dir, &file).unwrap();
        let key = load(&dir, "ALICE@R").unwrap();
        let _ = std::fs::remove_file(&dir);
        assert_eq!((key.enctype, key.key.len()), (17, 16));
        assert!(entries(b"\x05\x02\x00\x00\x00\x10ab").is_err());
        assert!(entries(b"garbage").is_err());
    }
}
