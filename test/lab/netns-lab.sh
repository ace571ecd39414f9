#!/usr/bin/env bash
# A NAT/SIP-ALG lab in network namespaces: two phones on a LAN, a Linux router
# doing masquerade NAT (and, when asked, the kernel's own SIP ALG), and a real
# Kamailio registrar/proxy on a WAN documentation prefix.
#
#   phone1 192.168.20.100 ─┐                          ┌─ server 203.0.113.10 (Kamailio :5060,
#                          ├─ br-lan 192.168.20.1 ─ router ─ wan0 203.0.113.1 ─ srv0   lab UAs :5070/:5080)
#   phone2 192.168.20.101 ─┘        (LAN capture)        (WAN capture)
#
# Usage (as root):
#   netns-lab.sh check                 exit 0 when everything the lab needs is present, else say what is missing
#   netns-lab.sh up | down             build / tear down namespaces, Kamailio
#   netns-lab.sh alg-on | alg-off      switch the kernel SIP ALG (nf_conntrack_sip + nf_nat_sip)
#   netns-lab.sh run SCENARIO OUTDIR   capture SCENARIO on both router sides → OUTDIR/SCENARIO-{lan,wan}.pcap
#   netns-lab.sh all OUTDIR            up, every scenario, down (always, even on failure)
#   netns-lab.sh mirror-addr           add 203.0.113.20 to the server namespace (for `sipv probe mirror` on :5060 beside Kamailio)
#   netns-lab.sh in ph1|srv|rtr CMD... run CMD in the phone 1, server or router namespace
#   netns-lab.sh udp-timeout S [STREAM] set the router's conntrack UDP timeouts (default 30/120)
# Scenarios: register-off register-on invite-off invite-on norport-off norport-on
#            callid-off callid-on timeout-off samemedia-on onecall-off onecall-on
# LAB_NS (default "sipv") prefixes namespace names so two labs can coexist.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
P="${LAB_NS:-sipv}"
PH1="$P-ph1" PH2="$P-ph2" RTR="$P-rtr" SRV="$P-srv"
RUN="/tmp/$P-lab"
UA=(node "$HERE/ua.mjs")
SRV_IP=203.0.113.10 MIRROR_IP=203.0.113.20 WAN_IP=203.0.113.1 LAN_GW=192.168.20.1 PH1_IP=192.168.20.100 PH2_IP=192.168.20.101

nsx() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }
say() { printf 'lab: %s\n' "$*" >&2; }

check() {
  local missing=()
  [ "$(id -u)" = 0 ] || missing+=("root")
  for c in ip nft conntrack ethtool tcpdump kamailio node; do command -v "$c" >/dev/null || missing+=("$c"); done
  if ((${#missing[@]})); then echo "missing: ${missing[*]}"; return 1; fi
  if ! ip netns add "$P-probe" 2>/dev/null; then echo "missing: network namespaces (ip netns add failed)"; return 1; fi
  # The helper must exist in this kernel (built in or loadable): try to declare one.
  local ok=0
  modprobe nf_nat_sip 2>/dev/null || true
  if ip netns exec "$P-probe" nft -f - <<<'table ip t { ct helper sip { type "sip" protocol udp; l3proto ip; }; }' 2>/dev/null; then ok=1; fi
  ip netns del "$P-probe"
  if [ "$ok" = 0 ]; then echo "missing: kernel SIP conntrack helper (nf_conntrack_sip/nf_nat_sip): nft cannot create ct helper \"sip\""; return 1; fi
  echo "ok"
}

# Checksum offload off: otherwise locally generated packets are captured with
# a partial checksum and every capture tool reports bad UDP checksums.
nooffload() { nsx "$1" ethtool -K "$2" tx off rx off >/dev/null 2>&1 || true; }

up() {
  down 2>/dev/null || true
  mkdir -p "$RUN"
  for ns in "$PH1" "$PH2" "$RTR" "$SRV"; do ip netns add "$ns"; nsx "$ns" ip link set lo up; done
  nsx "$RTR" ip link add br-lan type bridge
  nsx "$RTR" ip addr add "$LAN_GW/24" dev br-lan
  local i=1
  for pair in "$PH1:$PH1_IP" "$PH2:$PH2_IP"; do
    local ns="${pair%%:*}" addr="${pair#*:}"
    ip link add "eth0" netns "$ns" type veth peer name "lan$i" netns "$RTR"
    nsx "$ns" ip addr add "$addr/24" dev eth0
    nsx "$ns" ip link set eth0 up
    nsx "$ns" ip route add default via "$LAN_GW"
    nsx "$RTR" ip link set "lan$i" master br-lan up
    nooffload "$ns" eth0; nooffload "$RTR" "lan$i"
    i=$((i + 1))
  done
  nsx "$RTR" ip link set br-lan up
  nooffload "$RTR" br-lan
  ip link add wan0 netns "$RTR" type veth peer name srv0 netns "$SRV"
  nsx "$RTR" ip addr add "$WAN_IP/24" dev wan0
  nsx "$SRV" ip addr add "$SRV_IP/24" dev srv0
  nsx "$RTR" ip link set wan0 up
  nsx "$SRV" ip link set srv0 up
  nooffload "$RTR" wan0; nooffload "$SRV" srv0
  nsx "$RTR" sysctl -qw net.ipv4.ip_forward=1
  # The server knows only its own /24: a private Contact it is given is unreachable, as on the Internet.
  nsx "$RTR" nft -f - <<EOF
table ip labnat {
  chain post { type nat hook postrouting priority srcnat; policy accept; oifname "wan0" masquerade; }
  # A home router answers nothing on its WAN SIP port: an INVITE to an expired binding just vanishes.
  chain input { type filter hook input priority filter; policy accept; iifname "wan0" udp dport 5060 drop; }
}
EOF
  nsx "$SRV" kamailio -f "$HERE/kamailio.cfg" -P "$RUN/kamailio.pid" -Y "$RUN" -m 32 -M 8 -w "$RUN" \
    >"$RUN/kamailio.log" 2>&1
  for _ in $(seq 50); do [ -s "$RUN/kamailio.pid" ] && break; sleep 0.1; done
  [ -s "$RUN/kamailio.pid" ] || { cat "$RUN/kamailio.log" >&2; say "kamailio did not start"; return 1; }
  sleep 0.3
  say "up: $PH1 $PH2 $RTR $SRV, kamailio pid $(cat "$RUN/kamailio.pid")"
}

down() {
  if [ -s "$RUN/kamailio.pid" ]; then kill "$(cat "$RUN/kamailio.pid")" 2>/dev/null || true; rm -f "$RUN/kamailio.pid"; fi
  for f in "$RUN"/tcpdump-*.pid; do [ -e "$f" ] && { kill "$(cat "$f")" 2>/dev/null || true; rm -f "$f"; }; done
  for ns in "$PH1" "$PH2" "$RTR" "$SRV"; do
    if ip netns list | grep -qw "^$ns"; then
      # Kill whatever still runs inside (our UAs, Kamailio children) before deleting.
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
      ip netns del "$ns"
    fi
  done
}

flush_ct() { nsx "$RTR" conntrack -F >/dev/null 2>&1 || true; nsx "$RTR" conntrack -F expect >/dev/null 2>&1 || true; }

alg_on() {
  modprobe nf_nat_sip 2>/dev/null || true   # built in on many kernels: nothing to load then
  nsx "$RTR" nft delete table ip labalg 2>/dev/null || true
  # Kernels >= 6 no longer attach helpers automatically (nf_conntrack_helper=0 is gone):
  # the helper must be declared and assigned explicitly.
  nsx "$RTR" nft -f - <<'EOF'
table ip labalg {
  ct helper sip { type "sip" protocol udp; l3proto ip; }
  chain pre { type filter hook prerouting priority filter; policy accept; udp dport 5060 ct helper set "sip"; }
}
EOF
  flush_ct
}

alg_off() {
  nsx "$RTR" nft delete table ip labalg 2>/dev/null || true
  flush_ct
}

cap_start() {
  local name="$1" dir="$2" side iface
  for side in lan wan; do
    iface=br-lan; [ "$side" = wan ] && iface=wan0
    rm -f "$dir/$name-$side.pcap"
    # Not through nsx(): `ip netns exec` execs tcpdump, so $! is tcpdump itself.
    ip netns exec "$RTR" tcpdump -i "$iface" -n -s 0 -U --immediate-mode -w "$dir/$name-$side.pcap" udp 2>"$RUN/tcpdump-$side.err" &
    echo $! >"$RUN/tcpdump-$side.pid"
  done
  for side in lan wan; do
    for _ in $(seq 50); do grep -q 'listening on' "$RUN/tcpdump-$side.err" 2>/dev/null && break; sleep 0.1; done
  done
}

cap_stop() {
  sleep 0.3
  for side in lan wan; do
    local f="$RUN/tcpdump-$side.pid"
    [ -e "$f" ] || continue
    # TERM, not INT: background jobs of a non-interactive shell start with SIGINT ignored.
    kill -TERM "$(cat "$f")" 2>/dev/null || true
    wait "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
}

ua() { local ns="$1"; shift; nsx "$ns" "${UA[@]}" "$1" >>"$RUN/ua.log" 2>&1; }

# Phone JSON helpers.
# Each scenario registers its own user (alice-SCENARIO) so Kamailio's location table
# does not carry contacts from one scenario into the next.
ph1() { echo "{\"bind\":\"$PH1_IP:5060\",\"server\":\"$SRV_IP:5060\",\"user\":\"alice\",\"actions\":[${1//alice/alice-$SCN}]}"; }
ph2() { echo "{\"bind\":\"$PH2_IP:5060\",\"server\":\"$SRV_IP:5060\",\"user\":\"carol\",\"actions\":[$1]}"; }
bob() { echo "{\"bind\":\"$SRV_IP:5080\",\"server\":\"$SRV_IP:5060\",\"user\":\"bob\",\"actions\":[$1]}"; }

# Wait (up to 5 s) until the UA log has more than $2 lines matching $1: start-up times of
# node vary under load, so scenarios sequence on what happened, not on fixed sleeps.
log_count() { grep -c -- "$1" "$RUN/ua.log" 2>/dev/null || true; }
wait_log() { for _ in $(seq 100); do [ "$(log_count "$1")" -gt "$2" ] && return 0; sleep 0.05; done; say "timed out waiting for '$1'"; }

# bob (public, on the server) registers, then answers calls for $1 seconds.
bob_answers() {
  local n; n=$(log_count 'register bob: 200')
  ua "$SRV" "$(bob "{\"do\":\"register\",\"user\":\"bob\"},{\"do\":\"answer\",\"seconds\":$1,\"media\":5000}")" &
  BG+=($!)
  wait_log 'register bob: 200' "$n"
}

# Wait only for the scenario's own background UAs (a bare `wait` would wait for tcpdump too).
BG=()
wait_bg() { local p; for p in "${BG[@]}"; do wait "$p" || true; done; BG=(); }

scenario() {
  local s="$1"
  SCN="$s"
  case "$s" in
    register-*)
      ua "$PH1" "$(ph1 '{"do":"register","user":"alice","callId":"reg-lab-1"}')" ;;
    invite-*)
      bob_answers 4
      ua "$PH1" "$(ph1 '{"do":"invite","user":"alice","to":"bob","media":4000,"callId":"inv-lab-1"}')"
      wait_bg ;;
    norport-*)
      ua "$PH1" "$(ph1 '{"do":"register","user":"alice","rport":false,"callId":"norport-lab-1"}')" ;;
    callid-*)
      # An IP-literal Call-ID and three Contacts (two on the phone's address, one elsewhere).
      ua "$PH1" "$(ph1 "{\"do\":\"register\",\"user\":\"alice\",\"callId\":\"a84b4c76e66710@$PH1_IP\",\"contacts\":[\"<sip:alice@$PH1_IP:5060>;q=0.9\",\"<sip:alice@$PH1_IP:5060;transport=udp>;q=0.5\",\"<sip:alice@198.51.100.7:5060>;q=0.1\"]}")" ;;
    timeout-*)
      # The phone announces its public address (as after STUN) and the router forgets the
      # binding after 2 s: Kamailio's INVITE to it is retransmitted unanswered until 408.
      nsx "$RTR" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2 net.netfilter.nf_conntrack_udp_timeout_stream=2
      local n; n=$(log_count 'register alice-timeout-off: 200')
      ua "$PH1" "$(ph1 "{\"do\":\"register\",\"user\":\"alice\",\"callId\":\"timeout-lab-1\",\"contacts\":[\"<sip:alice@$WAN_IP:5060>\"]},{\"do\":\"ignore\",\"seconds\":9}")" &
      BG+=($!)
      wait_log 'register alice-timeout-off: 200' "$n"
      sleep 3
      ua "$SRV" "{\"bind\":\"$SRV_IP:5070\",\"server\":\"$SRV_IP:5060\",\"user\":\"dave\",\"actions\":[{\"do\":\"invite\",\"user\":\"dave\",\"to\":\"alice-$SCN\",\"media\":6000,\"callId\":\"timeout-lab-call\",\"timeoutMs\":7000}]}"
      wait_bg
      nsx "$RTR" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=30 net.netfilter.nf_conntrack_udp_timeout_stream=120 ;;
    samemedia-*)
      # Both phones offer RTP on port 4000: the ALG must map two private 4000s onto one public
      # address. Carol calls once alice's call is up; alice hangs up after 1.5 s.
      bob_answers 7
      local n; n=$(log_count 'invite bob: 200')
      ua "$PH1" "$(ph1 '{"do":"invite","user":"alice","to":"bob","media":4000,"holdMs":1500,"callId":"same-lab-1"}')" &
      BG+=($!)
      wait_log 'invite bob: 200' "$n"
      ua "$PH2" "$(ph2 '{"do":"invite","user":"carol","to":"bob","media":4000,"callId":"same-lab-2"}')"
      wait_bg ;;
    onecall-*)
      # REGISTER and then INVITE on one Call-ID (CSeq 1 REGISTER, 2 INVITE, 3 BYE), as some
      # phones do: one conversation for sipv, both transactions rewritten by the ALG.
      bob_answers 4
      ua "$PH1" "$(ph1 '{"do":"register","user":"alice","callId":"one-lab-1","cseq":1},{"do":"invite","user":"alice","to":"bob","media":4000,"callId":"one-lab-1","cseq":2}')"
      wait_bg ;;
    *) say "unknown scenario $s"; return 2 ;;
  esac
}

run() {
  local s="$1" dir="$2"
  mkdir -p "$dir"
  case "$s" in *-on) alg_on ;; *) alg_off ;; esac
  echo "=== $s" >>"$RUN/ua.log"
  cap_start "$s" "$dir"
  local rc=0
  scenario "$s" || rc=$?
  cap_stop
  nsx "$RTR" conntrack -L 2>/dev/null >"$dir/$s-conntrack.txt" || true
  nsx "$RTR" conntrack -L expect 2>/dev/null >>"$dir/$s-conntrack.txt" || true
  say "$s: $(ls -1 "$dir/$s"-*.pcap | tr '\n' ' ')"
  return "$rc"
}

SCENARIOS=(register-off register-on invite-off invite-on norport-off norport-on callid-off callid-on timeout-off samemedia-on onecall-off onecall-on)

all() {
  local dir="$1"
  trap 'down' EXIT
  up
  : >"$RUN/ua.log"
  for s in "${SCENARIOS[@]}"; do run "$s" "$dir"; done
  cp "$RUN/ua.log" "$dir/ua.log"
  cp "$RUN/kamailio.log" "$dir/kamailio.log" 2>/dev/null || true
}

case "${1:-}" in
  check) check ;;
  up) up ;;
  down) down ;;
  alg-on) alg_on ;;
  alg-off) alg_off ;;
  run) run "$2" "$3" ;;
  all) all "$2" ;;
  mirror-addr) nsx "$SRV" ip addr replace "$MIRROR_IP/24" dev srv0 ;;
  in)
    case "${2:-}" in ph1) ns="$PH1" ;; srv) ns="$SRV" ;; rtr) ns="$RTR" ;; *) say "in: ph1, srv or rtr, not '${2:-}'"; exit 2 ;; esac
    shift 2; nsx "$ns" "$@" ;;
  udp-timeout) nsx "$RTR" sysctl -qw "net.netfilter.nf_conntrack_udp_timeout=$2" "net.netfilter.nf_conntrack_udp_timeout_stream=${3:-120}"; flush_ct ;;
  *) sed -n '2,21p' "$0" >&2; exit 2 ;;
esac
