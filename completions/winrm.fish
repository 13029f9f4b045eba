# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_winrm_global_optspecs
    string join \n remote= parallel= username= password= password-file= auth= unencrypted use-ssl skip-ca-check skip-cn-check cacert= pin= timeout= encoding= locale= data-locale= max-envelope-size= default-creds spn-port spn= kdc= no-channel-binding keytab= cert= key= proxy= o/format= columns= no-header array= color= v/debug h/help V/version
end

function __fish_winrm_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_winrm_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_winrm_using_subcommand
    set -l cmd (__fish_winrm_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c winrm -n "__fish_winrm_needs_command" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_needs_command" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_needs_command" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_needs_command" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_needs_command" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_needs_command" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_needs_command" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_needs_command" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_needs_command" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_needs_command" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_needs_command" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_needs_command" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_needs_command" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_needs_command" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_needs_command" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_needs_command" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_needs_command" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_needs_command" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_needs_command" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_needs_command" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_needs_command" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_needs_command" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_needs_command" -s V -l version -d 'Print version'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "identify" -d 'Ask the server who it is (WS-Man Identify)'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "id" -d 'Ask the server who it is (WS-Man Identify)'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "get" -d 'Read one resource instance'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "g" -d 'Read one resource instance'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "set" -d 'Change properties of a resource (Get, change, Put)'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "s" -d 'Change properties of a resource (Get, change, Put)'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "put" -d 'Change properties of a resource (Get, change, Put)'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "p" -d 'Change properties of a resource (Get, change, Put)'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "create" -d 'Create a resource instance; prints the new instance\'s reference'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "c" -d 'Create a resource instance; prints the new instance\'s reference'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "delete" -d 'Delete a resource instance'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "d" -d 'Delete a resource instance'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "enumerate" -d 'List the instances of a resource (WS-Enumeration), as they arrive'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "e" -d 'List the instances of a resource (WS-Enumeration), as they arrive'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "enum" -d 'List the instances of a resource (WS-Enumeration), as they arrive'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "invoke" -d 'Run a method (custom action) on a resource; prints its output'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "i" -d 'Run a method (custom action) on a resource; prints its output'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "exec" -d 'Run a command on the host in a remote cmd shell (WinRS), streaming its output; exits with the command\'s exit code'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "x" -d 'Run a command on the host in a remote cmd shell (WinRS), streaming its output; exits with the command\'s exit code'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "shell" -d 'Run a command on the host in a remote cmd shell (WinRS), streaming its output; exits with the command\'s exit code'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "help" -d 'Show help on a topic: uris, input, filters, switches, auth, remoting, exit, formats, json, config, or a verb'
complete -c winrm -n "__fish_winrm_needs_command" -f -a "helpmsg" -d 'Explain a WinRM error number (decimal, negative, or 0x hex)'
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand identify" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand identify" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand identify" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand id" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand id" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand id" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand id" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand id" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand id" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand id" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand id" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand id" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand id" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand id" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand id" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand id" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand id" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand id" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand id" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand id" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand id" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand id" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand id" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand id" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand id" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand get" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand get" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand get" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand get" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand get" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand get" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand get" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand get" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand get" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand get" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand get" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand get" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand get" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand get" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand get" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand get" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand get" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand get" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand get" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand get" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand get" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand get" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand g" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand g" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand g" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand g" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand g" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand g" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand g" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand g" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand g" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand g" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand g" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand g" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand g" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand g" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand g" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand g" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand g" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand g" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand g" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand g" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand g" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand g" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand set" -l file -d 'Send the XML in FILE as the body. [-file:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand set" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand set" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand set" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand set" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand set" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand set" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand set" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand set" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand set" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand set" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand set" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand set" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand set" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand set" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand set" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand set" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand set" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand set" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand set" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand set" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand set" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand set" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand s" -l file -d 'Send the XML in FILE as the body. [-file:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand s" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand s" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand s" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand s" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand s" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand s" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand s" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand s" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand s" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand s" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand s" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand s" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand s" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand s" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand s" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand s" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand s" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand s" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand s" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand s" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand s" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand s" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand put" -l file -d 'Send the XML in FILE as the body. [-file:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand put" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand put" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand put" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand put" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand put" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand put" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand put" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand put" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand put" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand put" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand put" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand put" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand put" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand put" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand put" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand put" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand put" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand put" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand put" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand put" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand put" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand put" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand p" -l file -d 'Send the XML in FILE as the body. [-file:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand p" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand p" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand p" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand p" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand p" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand p" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand p" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand p" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand p" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand p" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand p" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand p" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand p" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand p" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand p" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand p" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand p" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand p" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand p" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand p" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand p" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand p" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand create" -l file -d 'Send the XML in FILE as the body. [-file:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand create" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand create" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand create" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand create" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand create" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand create" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand create" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand create" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand create" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand create" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand create" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand create" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand create" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand create" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand create" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand create" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand create" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand create" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand create" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand create" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand create" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand create" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand c" -l file -d 'Send the XML in FILE as the body. [-file:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand c" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand c" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand c" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand c" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand c" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand c" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand c" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand c" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand c" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand c" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand c" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand c" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand c" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand c" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand c" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand c" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand c" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand c" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand c" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand c" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand c" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand c" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand delete" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand delete" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand delete" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand d" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand d" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand d" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand d" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand d" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand d" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand d" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand d" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand d" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand d" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand d" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand d" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand d" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand d" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand d" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand d" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand d" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand d" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand d" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand d" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand d" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand d" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l filter -d 'Filter expression; WQL unless --dialect says otherwise. [-filter:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l return-type -d 'What each item is: object (default), epr, or objectandepr. [-ReturnType:]' -r -f -a "object\t''
epr\t''
objectandepr\t''"
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l max-elements -d 'Items per reply (wsman:MaxElements). Default 100. [-maxelements:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l limit -d 'Stop after N items: the rest are not fetched, the enumeration is released, and the exit status is 0. [-limit:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l associations -d 'With the association dialect: return the association instances rather than the associated ones. [-associations]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l shallow -d 'Only instances of the class itself, not of subclasses. [-Shallow]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l base-properties-only -d 'Subclass instances with base-class properties only. [-BasePropertiesOnly]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l no-optimize -d 'Do not ask for items in the first reply (for servers that mishandle OptimizeEnumeration). [-nooptimize]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand enumerate" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l filter -d 'Filter expression; WQL unless --dialect says otherwise. [-filter:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l return-type -d 'What each item is: object (default), epr, or objectandepr. [-ReturnType:]' -r -f -a "object\t''
epr\t''
objectandepr\t''"
complete -c winrm -n "__fish_winrm_using_subcommand e" -l max-elements -d 'Items per reply (wsman:MaxElements). Default 100. [-maxelements:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l limit -d 'Stop after N items: the rest are not fetched, the enumeration is released, and the exit status is 0. [-limit:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand e" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand e" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand e" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand e" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand e" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand e" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand e" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand e" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand e" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand e" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand e" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand e" -l associations -d 'With the association dialect: return the association instances rather than the associated ones. [-associations]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l shallow -d 'Only instances of the class itself, not of subclasses. [-Shallow]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l base-properties-only -d 'Subclass instances with base-class properties only. [-BasePropertiesOnly]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l no-optimize -d 'Do not ask for items in the first reply (for servers that mishandle OptimizeEnumeration). [-nooptimize]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand e" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l filter -d 'Filter expression; WQL unless --dialect says otherwise. [-filter:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l return-type -d 'What each item is: object (default), epr, or objectandepr. [-ReturnType:]' -r -f -a "object\t''
epr\t''
objectandepr\t''"
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l max-elements -d 'Items per reply (wsman:MaxElements). Default 100. [-maxelements:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l limit -d 'Stop after N items: the rest are not fetched, the enumeration is released, and the exit status is 0. [-limit:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l associations -d 'With the association dialect: return the association instances rather than the associated ones. [-associations]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l shallow -d 'Only instances of the class itself, not of subclasses. [-Shallow]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l base-properties-only -d 'Subclass instances with base-class properties only. [-BasePropertiesOnly]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l no-optimize -d 'Do not ask for items in the first reply (for servers that mishandle OptimizeEnumeration). [-nooptimize]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand enum" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l file -d 'Send the XML in FILE as the body. [-file:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand invoke" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand i" -l file -d 'Send the XML in FILE as the body. [-file:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand i" -l options -d 'Provider options as a hash: {Name="value";Other=$null}. [-options:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l option -d 'One provider option, NAME=VALUE (repeatable). [-option:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l fragment -d 'Read or write only part of the resource (an XPath-like expression such as Status/text()). [-fragment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l dialect -d 'Dialect of the filter or fragment: wql, selector, association, xpath, cql, or a URI. [-dialect:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand i" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand i" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand i" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand i" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand i" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand i" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand i" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand i" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand i" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand i" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand i" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand i" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand i" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand i" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand i" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand i" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand i" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand i" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand i" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand i" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand i" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l powershell -d 'Run this PowerShell script (powershell.exe -EncodedCommand; `-` reads it from stdin) instead of COMMAND. [-powershell:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l powershell-file -d 'Run the PowerShell script in FILE. [-powershellfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l directory -d 'The working directory on the host. [-d: -directory:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l env -d 'An environment variable for the command, NAME=VALUE (repeatable). [-env: -environment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l codepage -d 'The console code page of the output (65001, UTF-8, by default). [-codepage:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l idle-timeout -d 'Close the shell after this many seconds without a request. [-idletimeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l no-profile -d 'Do not load the user\'s profile on the host. [-nop -noprofile]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l skip-cmd-shell -d 'Start the program directly, without cmd.exe around it. [-skipcmdshell]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l no-stdin -d 'Send nothing to the command\'s stdin (it sees end of file). [-nostdin]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l group -d 'With several targets: print each host\'s output whole under a header line, instead of each line as it comes prefixed with `HOST: `. [-group]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand exec" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l powershell -d 'Run this PowerShell script (powershell.exe -EncodedCommand; `-` reads it from stdin) instead of COMMAND. [-powershell:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l powershell-file -d 'Run the PowerShell script in FILE. [-powershellfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand x" -l directory -d 'The working directory on the host. [-d: -directory:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l env -d 'An environment variable for the command, NAME=VALUE (repeatable). [-env: -environment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l codepage -d 'The console code page of the output (65001, UTF-8, by default). [-codepage:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l idle-timeout -d 'Close the shell after this many seconds without a request. [-idletimeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand x" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand x" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand x" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand x" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand x" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand x" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand x" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand x" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand x" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand x" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand x" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand x" -l no-profile -d 'Do not load the user\'s profile on the host. [-nop -noprofile]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l skip-cmd-shell -d 'Start the program directly, without cmd.exe around it. [-skipcmdshell]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l no-stdin -d 'Send nothing to the command\'s stdin (it sees end of file). [-nostdin]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l group -d 'With several targets: print each host\'s output whole under a header line, instead of each line as it comes prefixed with `HOST: `. [-group]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand x" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l powershell -d 'Run this PowerShell script (powershell.exe -EncodedCommand; `-` reads it from stdin) instead of COMMAND. [-powershell:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l powershell-file -d 'Run the PowerShell script in FILE. [-powershellfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l directory -d 'The working directory on the host. [-d: -directory:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l env -d 'An environment variable for the command, NAME=VALUE (repeatable). [-env: -environment:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l codepage -d 'The console code page of the output (65001, UTF-8, by default). [-codepage:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l idle-timeout -d 'Close the shell after this many seconds without a request. [-idletimeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l no-profile -d 'Do not load the user\'s profile on the host. [-nop -noprofile]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l skip-cmd-shell -d 'Start the program directly, without cmd.exe around it. [-skipcmdshell]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l no-stdin -d 'Send nothing to the command\'s stdin (it sees end of file). [-nostdin]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l group -d 'With several targets: print each host\'s output whole under a header line, instead of each line as it comes prefixed with `HOST: `. [-group]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand shell" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand help" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand help" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand help" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand help" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand help" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand help" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand help" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand help" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand help" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand help" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand help" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand help" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand help" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand help" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand help" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand help" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand help" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand help" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand help" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand help" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand help" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand help" -s h -l help -d 'Print help'
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l remote -d 'Target: HOST, HOST:PORT or a URL (http://HOST:5985/wsman). A bare host means http://HOST:5985/wsman (5986 and https with --use-ssl); an explicit http:// or https:// without a port means 80 or 443, as winrm.cmd does. Several targets make a fleet: repeat -r, list them with commas, or read them one per line from @FILE (@- is stdin; blank lines and # comments are skipped); see \'winrm help fleets\'. [winrm.cmd: -r: -remote: -machine:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l parallel -d 'With several targets: how many hosts to work on at a time, each with its own connection (1 to 1024; default 32). [-parallel:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l username -d 'User name: user, DOMAIN\\user or user@REALM. Defaults to $WINRM_USER. [-u: -username:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l password -d 'Password (visible to other local users in the process list; prefer $WINRM_PASSWORD, --password-file, or the prompt). [-p: -password:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l password-file -d 'Read the password from the first line of FILE. [-passwordfile:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l auth -d 'Authentication: negotiate (Kerberos, else NTLM), kerberos, ntlm, credssp, certificate, basic, digest or none. Default: negotiate when a user is given, else none. Over http:// negotiate, kerberos, ntlm and credssp encrypt every message. [-a: -auth: -authentication:]' -r -f -a "none\t''
basic\t''
digest\t''
negotiate\t''
kerberos\t''
ntlm\t''
credssp\t''
certificate\t''"
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l cacert -d 'Also trust the CA certificates in this PEM file. [-cacert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l pin -d 'Accept only the server certificate with this fingerprint (repeatable): sha256:HEX, or sha1:HEX (the Windows thumbprint that winrm/config/listener and iDRAC show). A pinned certificate needs no trusted CA and no matching name; any other is refused before a credential is sent. [-pin:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l timeout -d 'Operation timeout in milliseconds (the server\'s wsman:OperationTimeout; the client waits that long plus a margin). Default 60000. [-timeout:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l encoding -d 'Request encoding: utf-8 (default) or utf-16. [-encoding:]' -r -f -a "utf-8\t''
utf-16\t''"
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l locale -d 'Locale for messages (wsman:Locale). Default en-US. [-locale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l data-locale -d 'Locale for numbers and dates (wsmv:DataLocale). [-datalocale:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l max-envelope-size -d 'Largest reply envelope to ask for, in bytes. Default 512000. [-maxenvelopesize:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l spn -d 'Kerberos service principal name, instead of HTTP/<host>. [-spn:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l kdc -d 'Kerberos KDC (HOST or HOST:PORT), instead of krb5.conf\'s ($KRB5_CONFIG) entry for the user\'s realm. [-kdc:]' -r -f -a "(__fish_print_hostnames)"
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l keytab -d 'Kerberos: the user\'s key from this MIT keytab, instead of a password. [-keytab:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l cert -d '-a:certificate: the client certificate (PEM; may hold the chain). [-cert:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l key -d '-a:certificate: the client certificate\'s private key (PEM). [-key:]' -r -F
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l proxy -d 'Go through this HTTP proxy (HTTP CONNECT): http://HOST:PORT, or http://USER:PASSWORD@HOST:PORT for a proxy that wants a login. Default: $https_proxy or $http_proxy (by the endpoint\'s scheme), then $all_proxy, unless $no_proxy lists the host. [-proxy:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -s o -l format -d 'Output format: text (winrm.cmd\'s layout, default), xml (as received), pretty (indented xml), json, jsonl (alias ndjson: one JSON object per line), table, csv or tsv. A leading # is ignored; see \'winrm help formats\' and \'winrm help json\'. [-format: -f:]' -r -f -a "text\t''
xml\t''
pretty\t''
json\t''
jsonl\t''
table\t''
csv\t''
tsv\t''
ndjson\t''"
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l columns -l property -d 'Columns of a table, csv or tsv, in order: property names separated by commas (repeatable; --property is the same). The default shows the key properties first, then as many others as fit (a table) or all (csv, tsv). [-columns: -property:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l array -d 'Properties to show as arrays in JSON and tables even when the server sent one value (comma-separated, repeatable). [-array:]' -r
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l color -d 'Colour: auto (on a terminal, unless NO_COLOR is set), always, or never. NO_COLOR always wins. [-color:]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l unencrypted -d 'Allow unencrypted HTTP: needed for Basic over http://; turns off message encryption for negotiate, kerberos and ntlm. [-unencrypted]'
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l use-ssl -d 'Use HTTPS (default port 5986). [-usessl]'
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l skip-ca-check -d 'Accept a server certificate that no trusted authority signed (the name is still checked). [-skipCAcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l skip-cn-check -d 'Accept a server certificate issued for another name (the issuer is still checked). [-skipCNcheck]'
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l default-creds -d 'Log on with your Kerberos ticket (kinit) from the credential cache (KRB5CCNAME or the default; with -u, that principal\'s), through the system GSSAPI library; Negotiate or Kerberos. [-defaultCreds]'
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l spn-port -d 'Add the port to the Kerberos SPN (HTTP/host:port). [-SPNPort]'
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l no-channel-binding -d 'Send no TLS channel binding with Kerberos, NTLM or Negotiate over HTTPS, for a server that refuses any binding. The server is still proven by its certificate. [-nochannelbinding]'
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -l no-header -d 'Leave out the header line of csv and tsv. [-noheader]'
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -s v -l debug -d 'Print each HTTP request and reply (headers and envelopes) to stderr, credentials redacted; sealed envelopes are shown decrypted, marked as sealed on the wire. [-debug]'
complete -c winrm -n "__fish_winrm_using_subcommand helpmsg" -s h -l help -d 'Print help'
