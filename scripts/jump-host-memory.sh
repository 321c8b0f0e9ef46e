#!/usr/bin/env bash
# Memory of `cieaudit serve` under hostile terminal sizes and many sessions,
# driven with stock OpenSSH (ssh -tt under a pseudo-terminal whose size the
# script sets). Prints the server's RSS (VmRSS) and peak RSS (VmHWM) at each
# step, and the live heap after the last garbage collection (from
# GODEBUG=gctrace=1); docs/jump-host.md and BENCHMARKS.md quote its output.
#
#   scripts/jump-host-memory.sh [ROUNDS] [PER_ROUND]    (default 6 rounds of 50)
#
# Needs go, ssh, ssh-keygen and python3. Everything lives in a temporary
# folder removed at the end; the server listens on a free loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-6}
per=${2:-50}
tmp=$(mktemp -d)
trap 'kill "$srv" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/cieaudit" ./cmd/cieaudit
db=$tmp/cieaudit.db
"$tmp/cieaudit" --db "$db" demo >/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$tmp/vera" -C vera
"$tmp/cieaudit" --db "$db" user add vera --role viewer --key-file "$tmp/vera.pub" >/dev/null
GODEBUG=gctrace=1 "$tmp/cieaudit" --db "$db" serve --listen 127.0.0.1:0 --host-key "$tmp/host_key" \
  --max-sessions $((per + 10)) --max-sessions-per-user $((per + 10)) --conn-burst 100000 --conn-rate 100000 \
  >"$tmp/serve.out" 2>"$tmp/serve.err" &
srv=$!
for _ in $(seq 100); do grep -q 'in ascolto su' "$tmp/serve.out" && break; sleep 0.1; done
port=$(sed -n 's/.*in ascolto su 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/serve.out")
# The anchor: stock OpenSSH's sshd on another port, same client key, when
# it is installed and we are root (sshd needs it for privilege separation).
anchor=
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/sshd ]; then
  ssh-keygen -q -t ed25519 -N '' -f "$tmp/sshd_host" -C anchor
  cp "$tmp/vera.pub" "$tmp/authorized_keys"
  mkdir -p /run/sshd
  aport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$tmp/sshd_config" <<CFG
Port $aport
ListenAddress 127.0.0.1
HostKey $tmp/sshd_host
AuthorizedKeysFile $tmp/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
PidFile $tmp/sshd.pid
MaxStartups 1000
CFG
  /usr/sbin/sshd -f "$tmp/sshd_config" -E "$tmp/sshd.log" && sleep 0.5 && anchor="$aport:$(cat "$tmp/sshd.pid")"
  trap 'kill "$srv" 2>/dev/null || true; [ -f "$tmp/sshd.pid" ] && kill "$(cat "$tmp/sshd.pid")" 2>/dev/null; rm -rf "$tmp"' EXIT
fi
python3 - "$srv" "$port" "$tmp/vera" "$rounds" "$per" "$tmp/serve.err" "$anchor" <<'PY'
import fcntl, os, re, select, signal, struct, subprocess, sys, termios, time
pid, port, key, rounds, per, gclog = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
anchor = sys.argv[7]
ssh = ["ssh", "-tt", "-p", port, "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
       "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
       "vera@127.0.0.1"]

def mem():
    st = {}
    for line in open(f"/proc/{pid}/status"):
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM", "Threads"):
            st[k] = v.split()[0]
    gcs = re.findall(r"(\d+)->(\d+)->(\d+) MB", open(gclog).read())
    live = f", live heap at the last GC {gcs[-1][2]} MB" if gcs else ""
    return f"RSS {int(st['VmRSS'])/1024:.1f} MiB, peak {int(st['VmHWM'])/1024:.1f} MiB{live}"

def rss_kib():
    return int(open(f"/proc/{pid}/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

def alive():
    try:
        os.kill(int(pid), 0)
        return True
    except OSError:
        return False

class Term:
    def __init__(self, rows, cols, cmd=None):
        self.master, slave = os.openpty()
        self.resize(rows, cols, slave)
        env = dict(os.environ, TERM="xterm-256color")
        self.p = subprocess.Popen(cmd or ssh, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.buf = b""
    def resize(self, rows, cols, fd=None):
        fcntl.ioctl(self.master if fd is None else fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    def winch(self, rows, cols):
        self.resize(rows, cols)
        self.p.send_signal(signal.SIGWINCH)
    def wait_for(self, text, timeout=60):
        end = time.time() + timeout
        while text.encode() not in self.buf:
            r, _, _ = select.select([self.master], [], [], max(end - time.time(), 0))
            if not r:
                raise SystemExit(f"no {text!r} on the screen within {timeout}s: {self.buf[-300:]!r}")
            try:
                self.buf += os.read(self.master, 65536)
            except OSError:
                raise SystemExit(f"session ended before showing {text!r}: {self.buf[-300:]!r}")
            self.buf = self.buf[-4096:]
    def drain(self):
        while select.select([self.master], [], [], 0)[0]:
            try:
                if not os.read(self.master, 65536):
                    return
            except OSError:
                return
    def quit(self):
        os.write(self.master, b"q")
        self.close()
    def close(self):
        end = time.time() + 30
        while self.p.poll() is None and time.time() < end:
            self.drain()
            time.sleep(0.02)
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        os.close(self.master)
    def drop(self):
        self.p.kill()
        self.p.wait()
        os.close(self.master)

print(f"server started: {mem()}")
t = Term(24, 80); t.wait_for("Audit"); t.quit()
print(f"after one 80x24 session: {mem()}")
c1 = rss_kib()

t = Term(65535, 65535)
t.wait_for("Audit")
print(f"65535x65535 session open: {mem()}")
for i in range(200):
    t.winch(*((65535, 65535) if i % 2 else (1, 1)))
    t.drain()
t.winch(50, 150); t.wait_for("Audit")
print(f"after 200 window changes between 1x1 and 65535x65535: {mem()}, server alive: {alive()}")
t.quit()

base = None
for r in range(rounds):
    terms = [Term(40, 120) for _ in range(per)]
    for x in terms:
        x.wait_for("Audit")
    if r == 0:
        print(f"{per} sessions open at 120x40: {mem()}")
        c50 = rss_kib()
    for i, x in enumerate(terms):
        (x.quit if i % 2 == 0 else x.drop)()
    time.sleep(2)  # measurement script only: let the server notice the drops
    if base is None:
        base = int(open(f"/proc/{pid}/statm").read().split()[1])
        print(f"after round 1 ({per} sessions opened and closed): {mem()}")
rss = int(open(f"/proc/{pid}/statm").read().split()[1])
print(f"after {rounds} rounds ({rounds*per} sessions opened and closed): {mem()}; "
      f"RSS {100*rss/base:.0f}% of the level after round 1")
# With nothing allocating, the Go runtime collects every 2 minutes and then
# hands the freed memory back to the system: wait for that collection.
time.sleep(130)
rss = int(open(f"/proc/{pid}/statm").read().split()[1])
print(f"  no session open, 130s later: {mem()}; RSS {100*rss/base:.0f}% of the level after round 1")
terms = [Term(65535, 65535) for _ in range(per)]
for x in terms:
    x.wait_for("Audit")
print(f"{per} sessions open at 65535x65535 (drawn at the clamp): {mem()}")
for x in terms:
    x.quit()
print(f"server alive at the end: {alive()}")

def pss_tree(root):
    """PSS of root and of its descendants named sshd, in KiB."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                st = open(f"/proc/{d}/stat").read()
                comm = st[st.index("(") + 1:st.rindex(")")]
                ppid = int(st[st.rindex(")") + 2:].split()[1])
                kids.setdefault(ppid, []).append((int(d), comm))
            except OSError:
                pass
    total, todo = 0, [(int(root), "sshd")]
    while todo:
        p, comm = todo.pop()
        todo += kids.get(p, [])
        if comm.startswith("sshd"):
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
    return total

if anchor:
    aport, apid = anchor.split(":")
    assh = ["ssh", "-tt", "-p", aport, "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "root@127.0.0.1", "cat"]
    idle = pss_tree(apid)
    terms = [Term(40, 120, assh) for _ in range(per)]
    time.sleep(3)  # measurement script only: let every sshd session start
    busy = pss_tree(apid)
    ours, theirs = (c50 - c1) / per, (busy - idle) / per
    print(f"OpenSSH anchor: sshd idle {idle/1024:.1f} MiB PSS, with {per} sessions (ssh -tt … cat) {busy/1024:.1f} MiB PSS; "
          f"per session {theirs/1024:.2f} MiB against cieaudit's {ours/1024:.2f} MiB (TUI included): ratio {ours/theirs:.2f}")
    for x in terms:
        x.drop()
PY
