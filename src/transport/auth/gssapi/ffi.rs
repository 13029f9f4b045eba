//! The few C types and functions of the GSS-API (RFC 2744) this client
//! calls, declared by hand and bound at run time from the system library:
//! MIT's `libgssapi_krb5.so.2`, Heimdal's `libgssapi.so.3`, or macOS's
//! GSS.framework. No header, no bindgen, no link-time dependency: a build
//! on a machine without Kerberos libraries is the same pure-Rust binary,
//! and [`library`] says what is missing when it is asked for.
//!
//! `WINRM_GSSAPI_LIBRARY=PATH` loads that file instead of searching (a
//! library in an unusual place, or `/nonexistent` to behave as a machine
//! without one, which is how the tests simulate it). Like the search, it
//! never depends on the current directory: an absolute path, or on Linux
//! a bare soname.

use std::ffi::c_void;
use std::mem::{offset_of, size_of};
use std::sync::OnceLock;

use super::platform::{LIBRARY_VARIABLE, Platform};

// Apple's gssapi.h packs its structures to 2 bytes only on Intel (and the
// PowerPC of old: `#pragma pack(push,2)` under __APPLE__ && (__ppc__ ||
// __ppc64__ || __i386__ || __x86_64__)); on Apple silicon GSS.framework
// uses the natural C layout, as MIT's and Heimdal's headers do everywhere.
// The layouts are checked at compile time below.

/// `gss_buffer_desc`: bytes owned by whoever filled it.
#[repr(C)]
#[cfg_attr(
    all(target_os = "macos", any(target_arch = "x86_64", target_arch = "x86")),
    repr(packed(2))
)]
#[derive(Clone, Copy)]
pub struct Buffer {
    pub length: usize,
    pub value: *mut c_void,
}

impl Buffer {
    /// No bytes.
    pub const EMPTY: Buffer = Buffer {
        length: 0,
        value: std::ptr::null_mut(),
    };

    /// A view of `bytes` (the library only reads it, or writes in place).
    pub fn of(bytes: &mut [u8]) -> Buffer {
        Buffer {
            length: bytes.len(),
            value: bytes.as_mut_ptr().cast(),
        }
    }

    /// A copy of the bytes a library-filled buffer holds.
    ///
    /// # Safety
    /// `value` must point to `length` readable bytes (or be null).
    pub unsafe fn to_vec(self) -> Vec<u8> {
        let (length, value) = (self.length, self.value);
        if value.is_null() || length == 0 {
            return Vec::new();
        }
        // SAFETY: the caller's promise.
        unsafe { std::slice::from_raw_parts(value.cast::<u8>(), length) }.to_vec()
    }
}

/// `gss_OID_desc`: an object identifier's DER contents.
#[repr(C)]
#[cfg_attr(
    all(target_os = "macos", any(target_arch = "x86_64", target_arch = "x86")),
    repr(packed(2))
)]
pub struct Oid {
    pub length: u32,
    pub elements: *const c_void,
}

// SAFETY: the OIDs below point at immutable statics.
unsafe impl Sync for Oid {}

impl Oid {
    const fn of(der: &'static [u8]) -> Oid {
        Oid {
            length: der.len() as u32,
            elements: der.as_ptr().cast(),
        }
    }
}

/// `gss_OID_set_desc`.
#[repr(C)]
#[cfg_attr(
    all(target_os = "macos", any(target_arch = "x86_64", target_arch = "x86")),
    repr(packed(2))
)]
pub struct OidSet {
    pub count: usize,
    pub elements: *const Oid,
}

/// `gss_channel_bindings_struct` (addresses unspecified, as every TLS
/// binding is).
#[repr(C)]
#[cfg_attr(
    all(target_os = "macos", any(target_arch = "x86_64", target_arch = "x86")),
    repr(packed(2))
)]
pub struct ChannelBindings {
    pub initiator_addrtype: u32,
    pub initiator_address: Buffer,
    pub acceptor_addrtype: u32,
    pub acceptor_address: Buffer,
    pub application_data: Buffer,
}

/// `gss_iov_buffer_desc`.
#[repr(C)]
#[cfg_attr(
    all(target_os = "macos", any(target_arch = "x86_64", target_arch = "x86")),
    repr(packed(2))
)]
#[derive(Clone, Copy)]
pub struct IovBuffer {
    pub kind: u32,
    pub buffer: Buffer,
}

/// The Kerberos V5 mechanism, 1.2.840.113554.1.2.2.
pub static KRB5: Oid = Oid::of(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]);
/// SPNEGO, 1.3.6.1.5.5.2.
pub static SPNEGO: Oid = Oid::of(&[0x2b, 0x06, 0x01, 0x05, 0x05, 0x02]);
/// GSS_C_NT_HOSTBASED_SERVICE (`service@host`), 1.2.840.113554.1.2.1.4.
pub static NT_HOSTBASED_SERVICE: Oid =
    Oid::of(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x01, 0x04]);
/// GSS_KRB5_NT_PRINCIPAL_NAME (`user@REALM`, `HTTP/host:port`),
/// 1.2.840.113554.1.2.2.1.
pub static NT_KRB5_PRINCIPAL: Oid =
    Oid::of(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x01]);

/// Opaque handles.
pub type Name = *mut c_void;
pub type Cred = *mut c_void;
pub type Ctx = *mut c_void;

// Flags and constants of RFC 2744 and RFC 4121's IOV extension.
pub const MUTUAL_FLAG: u32 = 2;
pub const REPLAY_FLAG: u32 = 4;
pub const SEQUENCE_FLAG: u32 = 8;
pub const CONF_FLAG: u32 = 16;
pub const INTEG_FLAG: u32 = 32;
pub const INITIATE: i32 = 1;
pub const INDEFINITE: u32 = 0xffff_ffff;
pub const GSS_CODE: i32 = 1;
pub const MECH_CODE: i32 = 2;
pub const CONTINUE_NEEDED: u32 = 1;
pub const IOV_DATA: u32 = 1;
pub const IOV_HEADER: u32 = 2;
pub const IOV_PADDING: u32 = 9;

/// Whether a major status is an error (calling or routine error bits).
pub fn is_error(major: u32) -> bool {
    major & 0xffff_0000 != 0
}

/// The routine error number of a major status (RFC 2744 §3.9.1).
pub fn routine_error(major: u32) -> u32 {
    (major >> 16) & 0xff
}

type ImportName = unsafe extern "C" fn(*mut u32, *const Buffer, *const Oid, *mut Name) -> u32;
type ReleaseName = unsafe extern "C" fn(*mut u32, *mut Name) -> u32;
type DisplayName = unsafe extern "C" fn(*mut u32, Name, *mut Buffer, *mut *const Oid) -> u32;
type AcquireCred = unsafe extern "C" fn(
    *mut u32,
    Name,
    u32,
    *const OidSet,
    i32,
    *mut Cred,
    *mut *mut OidSet,
    *mut u32,
) -> u32;
type InquireCred =
    unsafe extern "C" fn(*mut u32, Cred, *mut Name, *mut u32, *mut i32, *mut *mut OidSet) -> u32;
type ReleaseCred = unsafe extern "C" fn(*mut u32, *mut Cred) -> u32;
type SetNegMechs = unsafe extern "C" fn(*mut u32, Cred, *const OidSet) -> u32;
type InitSecContext = unsafe extern "C" fn(
    *mut u32,
    Cred,
    *mut Ctx,
    Name,
    *const Oid,
    u32,
    u32,
    *const ChannelBindings,
    *const Buffer,
    *mut *const Oid,
    *mut Buffer,
    *mut u32,
    *mut u32,
) -> u32;
type DeleteSecContext = unsafe extern "C" fn(*mut u32, *mut Ctx, *mut Buffer) -> u32;
type ReleaseBuffer = unsafe extern "C" fn(*mut u32, *mut Buffer) -> u32;
type DisplayStatus =
    unsafe extern "C" fn(*mut u32, u32, i32, *const Oid, *mut u32, *mut Buffer) -> u32;
pub type WrapIov =
    unsafe extern "C" fn(*mut u32, Ctx, i32, u32, *mut i32, *mut IovBuffer, i32) -> u32;
type UnwrapIov =
    unsafe extern "C" fn(*mut u32, Ctx, *mut i32, *mut u32, *mut IovBuffer, i32) -> u32;

/// The loaded library's entry points.
pub struct Gss {
    /// Which file was loaded (for `--debug`).
    pub path: String,
    pub import_name: ImportName,
    pub release_name: ReleaseName,
    pub display_name: DisplayName,
    pub acquire_cred: AcquireCred,
    pub inquire_cred: InquireCred,
    pub release_cred: ReleaseCred,
    pub init_sec_context: InitSecContext,
    pub delete_sec_context: DeleteSecContext,
    pub release_buffer: ReleaseBuffer,
    pub display_status: DisplayStatus,
    pub wrap_iov: WrapIov,
    pub wrap_iov_length: WrapIov,
    pub unwrap_iov: UnwrapIov,
    /// Restricts what a SPNEGO credential offers (MIT; Heimdal 7 has
    /// none, and offers only the mechanisms it holds credentials for).
    pub set_neg_mechs: Option<SetNegMechs>,
    /// Kept loaded for the process's life: the entry points above point
    /// into it.
    _library: libloading::Library,
}

impl std::fmt::Debug for Gss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gss").field("path", &self.path).finish()
    }
}

/// The system GSS-API library, loaded on first use; `Err` says what was
/// tried.
pub fn library() -> Result<&'static Gss, &'static str> {
    static LOADED: OnceLock<Result<Gss, String>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let wanted = std::env::var(LIBRARY_VARIABLE)
                .ok()
                .filter(|p| !p.is_empty());
            let platform = Platform::CURRENT;
            let candidates: Vec<&str> = match &wanted {
                Some(path) => {
                    platform.check_named(path)?;
                    vec![path.as_str()]
                }
                None => platform.candidates().to_vec(),
            };
            let mut tried = Vec::new();
            for path in &candidates {
                match load(path) {
                    Ok(gss) => return Ok(gss),
                    Err(why) => tried.push(why),
                }
            }
            Err(tried.join("; "))
        })
        .as_ref()
        .map_err(String::as_str)
}

/// The first of `names` that `library` exports.
///
/// # Safety
/// `T` must be the function pointer type of the C prototype these names
/// share.
unsafe fn symbol<T: Copy>(
    library: &libloading::Library,
    path: &str,
    names: &[String],
) -> Result<T, String> {
    for name in names {
        // SAFETY: the caller's promise about `T`.
        if let Ok(symbol) = unsafe { library.get::<T>(name.as_bytes()) } {
            return Ok(*symbol);
        }
    }
    Err(format!("{path} has no {}", names.join(" or ")))
}

fn load(path: &str) -> Result<Gss, String> {
    // SAFETY: loading runs the library's initialisers; the system's
    // Kerberos libraries are made to be loaded into any process.
    let library = unsafe { libloading::Library::new(path) }.map_err(|e| short_error(path, &e))?;
    macro_rules! entry {
        ($name:literal) => {
            // SAFETY: the field's type is the RFC 2744 (or RFC 4121 IOV)
            // prototype of this symbol.
            unsafe { symbol(&library, path, &Platform::CURRENT.symbol_names($name))? }
        };
    }
    Ok(Gss {
        path: path.to_string(),
        import_name: entry!("gss_import_name"),
        release_name: entry!("gss_release_name"),
        display_name: entry!("gss_display_name"),
        acquire_cred: entry!("gss_acquire_cred"),
        inquire_cred: entry!("gss_inquire_cred"),
        release_cred: entry!("gss_release_cred"),
        init_sec_context: entry!("gss_init_sec_context"),
        delete_sec_context: entry!("gss_delete_sec_context"),
        release_buffer: entry!("gss_release_buffer"),
        display_status: entry!("gss_display_status"),
        wrap_iov: entry!("gss_wrap_iov"),
        wrap_iov_length: entry!("gss_wrap_iov_length"),
        unwrap_iov: entry!("gss_unwrap_iov"),
        // SAFETY: as for entry!; optional.
        set_neg_mechs: unsafe { library.get::<SetNegMechs>(b"gss_set_neg_mechs\0") }
            .ok()
            .map(|symbol| *symbol),
        _library: library,
    })
}

/// dlopen's message without its repetition of the path.
fn short_error(path: &str, error: &libloading::Error) -> String {
    let text = error.to_string();
    let text = text.rsplit(": ").next().unwrap_or(&text).trim().to_string();
    format!("{path}: {text}")
}

impl Gss {
    /// The library's words for a status: the GSS-API's major message, then
    /// the mechanism's (Kerberos) minor one, joined on one line.
    pub fn describe(&self, major: u32, minor: u32) -> String {
        // The mechanism's words are the specific ones ("Ticket expired");
        // the GSS-API's generic ones only when the mechanism has none.
        let mut parts = Vec::new();
        if minor != 0 {
            parts.extend(self.messages(minor, MECH_CODE));
        }
        parts.retain(|p| !p.is_empty());
        if parts.is_empty() && is_error(major) {
            parts.extend(self.messages(major, GSS_CODE));
        }
        parts.retain(|p| !p.is_empty());
        parts.join(": ")
    }

    fn messages(&self, status: u32, kind: i32) -> Vec<String> {
        let mut out = Vec::new();
        let mut context = 0u32;
        // A bound on the loop: a library that never clears the context
        // must not hang us.
        for _ in 0..8 {
            let mut minor = 0;
            let mut text = Buffer::EMPTY;
            // SAFETY: RFC 2744 prototype; the buffer is released below.
            let major = unsafe {
                (self.display_status)(&mut minor, status, kind, &KRB5, &mut context, &mut text)
            };
            if is_error(major) {
                break;
            }
            // SAFETY: filled by the library.
            let bytes = unsafe { text.to_vec() };
            self.release(&mut text);
            out.push(
                String::from_utf8_lossy(&bytes)
                    .trim_end_matches('\0')
                    .trim()
                    .to_string(),
            );
            if context == 0 {
                break;
            }
        }
        out
    }

    /// Releases a buffer the library filled.
    pub fn release(&self, buffer: &mut Buffer) {
        if buffer.value.is_null() {
            return;
        }
        let mut minor = 0;
        // SAFETY: the buffer came from the library.
        unsafe { (self.release_buffer)(&mut minor, buffer) };
    }
}

// The layouts each platform's header gives these structures, checked when
// compiling: a build for a platform where they differ fails here instead of
// handing the library misplaced fields. Offsets after a 4-byte field are 4
// where Apple packs to 2 bytes, the pointer's size elsewhere.

/// Apple on Intel, 64-bit: packed to 2 bytes.
#[cfg(all(target_os = "macos", target_arch = "x86_64"))]
const _: () = {
    assert!(size_of::<Buffer>() == 16 && offset_of!(Buffer, value) == 8);
    assert!(size_of::<Oid>() == 12 && offset_of!(Oid, elements) == 4);
    assert!(size_of::<OidSet>() == 16 && offset_of!(OidSet, elements) == 8);
    assert!(size_of::<IovBuffer>() == 20 && offset_of!(IovBuffer, buffer) == 4);
    assert!(size_of::<ChannelBindings>() == 56);
    assert!(offset_of!(ChannelBindings, initiator_address) == 4);
    assert!(offset_of!(ChannelBindings, acceptor_addrtype) == 20);
    assert!(offset_of!(ChannelBindings, acceptor_address) == 24);
    assert!(offset_of!(ChannelBindings, application_data) == 40);
};

/// Every other 64-bit platform (Linux, Apple silicon): natural alignment.
#[cfg(all(
    target_pointer_width = "64",
    not(all(target_os = "macos", target_arch = "x86_64"))
))]
const _: () = {
    assert!(size_of::<Buffer>() == 16 && offset_of!(Buffer, value) == 8);
    assert!(size_of::<Oid>() == 16 && offset_of!(Oid, elements) == 8);
    assert!(size_of::<OidSet>() == 16 && offset_of!(OidSet, elements) == 8);
    assert!(size_of::<IovBuffer>() == 24 && offset_of!(IovBuffer, buffer) == 8);
    assert!(size_of::<ChannelBindings>() == 64);
    assert!(offset_of!(ChannelBindings, initiator_address) == 8);
    assert!(offset_of!(ChannelBindings, acceptor_addrtype) == 24);
    assert!(offset_of!(ChannelBindings, acceptor_address) == 32);
    assert!(offset_of!(ChannelBindings, application_data) == 48);
};

/// 32-bit platforms: every field is 4 bytes, packed or not.
#[cfg(target_pointer_width = "32")]
const _: () = {
    assert!(size_of::<Buffer>() == 8 && offset_of!(Buffer, value) == 4);
    assert!(size_of::<Oid>() == 8 && offset_of!(Oid, elements) == 4);
    assert!(size_of::<OidSet>() == 8 && offset_of!(OidSet, elements) == 4);
    assert!(size_of::<IovBuffer>() == 12 && offset_of!(IovBuffer, buffer) == 4);
    assert!(size_of::<ChannelBindings>() == 32);
    assert!(offset_of!(ChannelBindings, acceptor_addrtype) == 12);
    assert!(offset_of!(ChannelBindings, application_data) == 24);
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The fall back from one name to the next, against the real library
    /// where it is installed (as in CI): a name it lacks is skipped, and
    /// when none is there the error names every one tried.
    #[test]
    #[cfg(target_os = "linux")]
    fn a_symbol_is_found_under_its_second_name() {
        // SAFETY: MIT's library, made to be loaded into any process.
        let Ok(library) = (unsafe { libloading::Library::new("libgssapi_krb5.so.2") }) else {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "CI installs libgssapi-krb5-2"
            );
            return;
        };
        let names = ["__winrm_no_such_symbol".to_string(), "gss_wrap_iov".into()];
        // SAFETY: WrapIov is gss_wrap_iov's prototype (never called here).
        let found: Result<WrapIov, String> = unsafe { symbol(&library, "mit", &names) };
        assert!(found.is_ok());
        let missing = ["__winrm_a".to_string(), "__winrm_b".into()];
        // SAFETY: as above; nothing is found.
        let error = unsafe { symbol::<WrapIov>(&library, "mit", &missing) }.err();
        assert_eq!(error.as_deref(), Some("mit has no __winrm_a or __winrm_b"));
    }
}
