#!/usr/bin/env bash
# Shows winrm doing its job without a Windows host: builds the tool and the
# simulated Windows WinRM listener, starts the listener on a free loopback
# port, runs a few commands against it, and stops it again.
set -euo pipefail
cd "$(dirname "$0")/.."

# The debug profile: it builds in about half the time of an optimised
# build, the tests (`cargo test`) reuse what it built, and a demo needs no
# speed. Cargo's own progress shows what it is building.
echo "== building winrm and the simulated listener: about a minute the first time on a" \
     "2-core machine (crates downloaded included), seconds after that" >&2
cargo build --bin winrm --example listener
out=${CARGO_TARGET_DIR:-target}/debug
bin=$out/winrm
ready=$(mktemp)
trap 'kill "$listener" 2>/dev/null || true; rm -f "$ready"' EXIT

"$out/examples/listener" --port 0 --https-port 0 --ready-file "$ready" >/dev/null &
listener=$!
for _ in $(seq 100); do [ -s "$ready" ] && break; sleep 0.05; done
port=$(cat "$ready")
[ -n "$port" ] || { echo "the listener did not start" >&2; exit 1; }

export WINRM_PASSWORD=demo-pass
# Each command is shown as a shell would read it back: words with spaces,
# quotes, braces or wildcards in single quotes, so a line copied from here
# runs as it ran.
quote() {
    local word out=()
    for word in "$@"; do
        if [[ $word =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then
            out+=("$word")
        elif [[ $word != *[\"\$\`\\!]* ]]; then
            out+=("\"$word\"")
        else
            out+=("'${word//\'/\'\\\'\'}'")
        fi
    done
    printf '%s' "${out[*]}"
}
run() { printf '\n$ %s\n' "$(quote "$@")"; "$@"; }

run $bin id -r:127.0.0.1:$port -a:none
run $bin get winrm/config/client -r:127.0.0.1:$port -u:demo -a:basic -unencrypted
run $bin set winrm/config/client '@{TrustedHosts="*.corp.example"}' -r:127.0.0.1:$port -u:demo -a:basic -unencrypted
run $bin get 'wmicimv2/Win32_Service?Name=Spooler' -r:127.0.0.1:$port -u:demo -a:basic -unencrypted -format:pretty
run $bin e 'wmicimv2/*' -filter:"select Name,State from Win32_Service where State='Stopped' and StartMode='Disabled'" \
    -r:127.0.0.1:$port -u:demo -a:basic -unencrypted
run $bin invoke StartService 'wmicimv2/Win32_Service?Name=BITS' -r:127.0.0.1:$port -u:demo -a:basic -unencrypted
run $bin e wmicimv2/Win32_Service -filter:"select * from Win32_Service where StartMode='Disabled'" \
    -r:127.0.0.1:$port -u:demo -a:basic -unencrypted -format:table --columns Name,DisplayName,State

run $bin exec -r:127.0.0.1:$port -u:demo -a:basic -unencrypted ipconfig /all
run $bin get winrm/config/service/auth -r:127.0.0.1:$port -u:demo -a:basic -unencrypted -format:json

printf '\n$ %s   # a fault: exit 1\n' "$(quote "$bin" get 'wmicimv2/Win32_Service?Name=NoSuchService' \
    "-r:127.0.0.1:$port" -u:demo -a:basic -unencrypted)"
$bin get 'wmicimv2/Win32_Service?Name=NoSuchService' -r:127.0.0.1:$port -u:demo -a:basic -unencrypted || echo "(exit $?)"
