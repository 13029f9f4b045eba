#!/usr/bin/env bash
# Runs the README's "Beyond one machine" examples as written, against a
# simulated fleet (the listener's --endpoints), in a scratch folder:
#
#   tests/fleet_split.sh parallel WINRM LISTENER   the GNU parallel block, with
#       GNU parallel's local login (--sshlogin :) in place of the four nodes
#   tests/fleet_split.sh ansible WINRM LISTENER    the playbook, with two
#       inventory names for this machine (ansible_connection=local)
#
# Each block is read from README.md and changed in two places only: the
# control nodes become this machine, and the credentials become the
# simulated hosts' (user demo, Basic over plain HTTP). 40 hosts, the last 2
# answering every request with a fault and the 2 before them refusing the
# password; the check is that every healthy host's record names its own
# computer name, and that exactly the 4 others are reported as failed.
# Prints "ok ..." and exits 0, or says what differed and exits 1.
# tests/it/fleet_listener.rs runs it (parallel always; ansible when
# ansible-playbook is installed).
set -euo pipefail

mode=$1
winrm=$(realpath "$2")
listener=$(realpath "$3")
readme="$(cd "$(dirname "$0")/.." && pwd)/README.md"

scratch=$(mktemp -d)
cleanup() {
    [ -n "${listener_pid:-}" ] && kill "$listener_pid" 2>/dev/null
    rm -rf "$scratch"
}
trap cleanup EXIT
cd "$scratch"
mkdir bin
ln -s "$winrm" bin/winrm
export PATH="$scratch/bin:$PATH"

# The code block (``` fence LANG) that follows the "### Beyond one machine"
# heading and opens with a line matching PATTERN.
block() {
    awk -v lang="$1" -v pattern="$2" '
        /^### Beyond one machine/ { section = 1; next }
        section && /^## / { exit }
        section && $0 == "```" lang { inside = 1; text = ""; next }
        inside && $0 == "```" { if (text ~ pattern) { printf "%s", text; exit } inside = 0; next }
        inside { text = text $0 "\n" }
    ' "$readme"
}

hosts=40
"$listener" --endpoints "$hosts" --port 0 --services 3 --wrong-password 2 --fault 2 \
    --targets-file hosts.txt > listener.log 2>&1 &
listener_pid=$!
for _ in $(seq 200); do [ -s hosts.txt ] && break; sleep 0.05; done
[ -s hosts.txt ] || { echo "the listener did not start:"; cat listener.log; exit 1; }
printf 'demo-pass\n' > .winrm-password
chmod 600 .winrm-password
credentials='-u:demo -a:basic -unencrypted'

case $mode in
parallel)
    example=$(block sh 'parallel --sshlogin')
    [ -n "$example" ] || { echo "README.md has no GNU parallel block"; exit 1; }
    example=${example//admin1,admin2,admin3,admin4/:}
    example=${example//-u:audit/$credentials}
    printf '%s\n' "$example" > example.sh
    # Not -e: parallel's status counts the parts with a failed host, and
    # the block goes on to list them.
    bash example.sh > failed.txt 2> stderr.txt
    results=fleet.jsonl
    ;;
ansible)
    example=$(block yaml 'hosts: winrm_nodes')
    [ -n "$example" ] || { echo "README.md has no Ansible block"; exit 1; }
    printf '%s\n' "${example//-u:audit/$credentials}" > fleet.yml
    printf '[winrm_nodes]\nnode1\nnode2\n[winrm_nodes:vars]\nansible_connection=local\nansible_python_interpreter=%s\n' \
        "$(command -v python3)" > inventory
    ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_RETRY_FILES_ENABLED=False \
        ansible-playbook -i inventory fleet.yml > ansible.log 2>&1 || {
        echo "ansible-playbook failed:"; cat ansible.log; exit 1; }
    cat node1.jsonl node2.jsonl > fleet.jsonl
    jq -r 'select(.error) | ."@host"' fleet.jsonl > failed.txt
    results=fleet.jsonl
    ;;
*)
    echo "usage: $0 parallel|ansible WINRM LISTENER"; exit 2 ;;
esac

# What each host should have given: healthy ones their own name, the last
# four an error.
awk -v n="$hosts" 'NR <= n - 4 { printf "%s WIN-%04d\n", $0, NR }' hosts.txt | sort > want-names.txt
tail -n 4 hosts.txt | sort > want-failed.txt
jq -r 'select(.CSName) | "\(."@host") \(.CSName)"' "$results" | sort > names.txt
sort failed.txt -o failed.txt
status=0
if ! diff -u want-names.txt names.txt; then
    echo "the healthy hosts' records differ (above)"; status=1
fi
if ! diff -u want-failed.txt failed.txt; then
    echo "the failed hosts differ (above)"; status=1
fi
records=$(wc -l < "$results")
if [ "$records" -ne "$hosts" ]; then
    echo "$records records for $hosts hosts"; status=1
fi
if [ "$status" -ne 0 ]; then
    echo "--- the example as run"; cat example.sh fleet.yml 2>/dev/null || true
    echo "--- its stderr"; cat stderr.txt ansible.log 2>/dev/null || true
    exit 1
fi
echo "ok $mode: $hosts hosts, $(wc -l < names.txt) answered with their own names, 4 failures reported"
