//! Where each platform keeps its GSS-API library and what it calls the
//! functions the loader needs: the facts that differ between Linux (MIT,
//! Heimdal) and macOS (GSS.framework, on Intel or Apple silicon), as pure
//! functions the tests check for every platform on any machine. Loading
//! and calling are [`super::ffi`]'s.

/// The environment variable naming the library to load instead of the
/// search.
pub(super) const LIBRARY_VARIABLE: &str = "WINRM_GSSAPI_LIBRARY";

/// The systems whose GSS-API libraries differ in what the loader must
/// know: where they are, what they export, how they lay structures out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Platform {
    /// macOS on Intel: GSS.framework and MIT's builds both pack to 2 bytes.
    AppleIntel,
    /// macOS on Apple silicon: GSS.framework uses the natural layout, but
    /// MIT's gssapi.h packs to 2 bytes on every Mac, so an MIT build
    /// (Homebrew's krb5) does not match the structures declared here.
    AppleSilicon,
    /// Linux and the other Unixes: MIT or Heimdal, natural layout.
    Other,
}

impl Platform {
    /// The one this binary runs on.
    pub(super) const CURRENT: Platform = if cfg!(not(target_os = "macos")) {
        Platform::Other
    } else if cfg!(any(target_arch = "x86_64", target_arch = "x86")) {
        Platform::AppleIntel
    } else {
        Platform::AppleSilicon
    };

    fn is_apple(self) -> bool {
        self != Platform::Other
    }

    /// Where the system library is looked for, in order. Absolute paths,
    /// or on Linux bare sonames, which ld.so looks up only in the trusted
    /// directories (its cache, the system's lib directories, and
    /// LD_LIBRARY_PATH, which is the user's own choice), never the current
    /// directory. On macOS a bare name may be looked up relative to the
    /// current directory, where anyone can leave a dylib: none is used.
    pub(super) fn candidates(self) -> &'static [&'static str] {
        const GSS_FRAMEWORK: &str = "/System/Library/Frameworks/GSS.framework/GSS";
        match self {
            Platform::Other => &["libgssapi_krb5.so.2", "libgssapi.so.3"],
            // MIT's layout matches only on Intel (see above).
            Platform::AppleIntel => &[
                GSS_FRAMEWORK,
                "/usr/lib/libgssapi_krb5.2.2.dylib",
                "/usr/local/opt/krb5/lib/libgssapi_krb5.2.2.dylib",
                "/opt/homebrew/opt/krb5/lib/libgssapi_krb5.2.2.dylib",
            ],
            Platform::AppleSilicon => &[GSS_FRAMEWORK],
        }
    }

    /// Whether `path`, given in WINRM_GSSAPI_LIBRARY, names one file
    /// whatever the current directory: an absolute path, or (not on
    /// macOS, for the reason above) a bare soname. `Err` says why not.
    pub(super) fn check_named(self, path: &str) -> Result<(), String> {
        let absolute = std::path::Path::new(path).is_absolute();
        let bare = !path.contains('/');
        if absolute || (bare && !self.is_apple()) {
            return Ok(());
        }
        Err(format!(
            "{LIBRARY_VARIABLE}={path} is not an absolute path; a relative one loads \
             whatever file of that name the current directory holds"
        ))
    }

    /// The names `symbol` may be exported under, in the order tried.
    /// GSS.framework keeps the IOV functions (RFC 4121's extension, which
    /// MS-WSMV sealing needs) out of its public symbols and exports them
    /// with Apple's private prefix; the public name is tried first in case
    /// a release exports it.
    pub(super) fn symbol_names(self, symbol: &str) -> Vec<String> {
        const APPLE_PRIVATE: [&str; 3] = ["gss_wrap_iov", "gss_wrap_iov_length", "gss_unwrap_iov"];
        let mut names = vec![symbol.to_string()];
        if self.is_apple() && APPLE_PRIVATE.contains(&symbol) {
            names.push(format!("__ApplePrivate_{symbol}"));
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apple_exports_the_iov_functions_under_its_private_prefix() {
        for apple in [Platform::AppleIntel, Platform::AppleSilicon] {
            for name in ["gss_wrap_iov", "gss_wrap_iov_length", "gss_unwrap_iov"] {
                assert_eq!(
                    apple.symbol_names(name),
                    [name.to_string(), format!("__ApplePrivate_{name}")]
                );
            }
            for name in ["gss_init_sec_context", "gss_acquire_cred", "gss_wrap"] {
                assert_eq!(apple.symbol_names(name), [name]);
            }
        }
        for name in ["gss_wrap_iov", "gss_init_sec_context"] {
            assert_eq!(Platform::Other.symbol_names(name), [name]);
        }
    }

    #[test]
    fn no_candidate_depends_on_the_current_directory() {
        let all = [
            Platform::AppleIntel,
            Platform::AppleSilicon,
            Platform::Other,
        ];
        for platform in all {
            for path in platform.candidates() {
                // Never relative with a directory part.
                let absolute = path.starts_with('/');
                assert!(absolute || !path.contains('/'), "{platform:?}: {path}");
                // Bare names only where the loader searches trusted places.
                assert!(absolute || !platform.is_apple(), "{platform:?}: {path}");
                assert_eq!(platform.check_named(path), Ok(()), "{platform:?}: {path}");
            }
        }
        assert_eq!(
            Platform::Other.candidates(),
            ["libgssapi_krb5.so.2", "libgssapi.so.3"]
        );
        // GSS.framework first on every Mac; MIT's builds only where their
        // layout matches the one declared.
        for apple in [Platform::AppleIntel, Platform::AppleSilicon] {
            assert_eq!(
                apple.candidates()[0],
                "/System/Library/Frameworks/GSS.framework/GSS"
            );
        }
        assert!(Platform::AppleIntel.candidates().len() > 1);
        assert_eq!(Platform::AppleSilicon.candidates().len(), 1);
    }

    #[test]
    fn the_named_library_must_not_depend_on_the_current_directory() {
        for platform in [
            Platform::AppleIntel,
            Platform::AppleSilicon,
            Platform::Other,
        ] {
            assert_eq!(
                platform.check_named("/opt/krb5/lib/libgssapi_krb5.so.2"),
                Ok(())
            );
            for relative in ["./libgssapi_krb5.so.2", "lib/libgssapi.so.3", "../GSS"] {
                let error = platform.check_named(relative).unwrap_err();
                assert!(error.contains("not an absolute path"), "{error}");
                assert!(error.contains(relative), "{error}");
            }
        }
        assert_eq!(Platform::Other.check_named("libgssapi.so.3"), Ok(()));
        assert!(
            Platform::AppleIntel
                .check_named("libgssapi_krb5.2.2.dylib")
                .is_err()
        );
        assert!(Platform::AppleSilicon.check_named("GSS").is_err());
    }
}
