#!/bin/sh
# vmtest.sh WORK: the kiosk image's VM test (make image-test). Boots WORK/test.raw under QEMU (UEFI,
# software emulation is fine, only slow) and checks, over the serial console:
#   1. slot A boots, kioskd reports READY and passes its self-test, the slot is marked good;
#      the kiosk is provisioned against a development central server on this machine (reached from
#      the VM at 10.0.2.2), then the update bundle WORK/good.raucb is installed;
#   2. the kiosk reboots into slot B (the update), which is marked good, and the broken bundle
#      WORK/broken.raucb (kioskd fails at start) is installed into slot A;
#      the kiosk is provisioned with --journal-url too, and a systemd-journal-remote on this machine
#      must have received kioskd's start message from it by the end of the first boot;
#   3. slot A fails to come up (kioskd's start limit reboots the kiosk) until GRUB's try counter
#      gives up on it, and the kiosk rolls back to slot B by itself.
# The test drives each boot with a step passed through QEMU's fw_cfg; the test image's agent
# (testdata/agent) reports on the console and carries the step out. Logs: WORK/boot-N.log.
# Environment: BOOT_TIMEOUT seconds per boot (default 1200), QEMU_MEM MiB (default 2048).
set -eu
[ $# -eq 1 ] || {
	echo "usage: vmtest.sh WORK" >&2
	exit 2
}
work=$(cd "$1" && pwd)
timeout=${BOOT_TIMEOUT:-1200}
mem=${QEMU_MEM:-2048}
code=/usr/share/OVMF/OVMF_CODE_4M.fd
vars=/usr/share/OVMF/OVMF_VARS_4M.fd
for f in "$work/test.raw" "$work/good.raucb" "$work/broken.raucb" "$code" "$vars"; do
	[ -f "$f" ] || {
		echo "vmtest.sh: missing $f" >&2
		exit 1
	}
done
start=$(date +%s)
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# The disk under test (a copy: the built image stays pristine), UEFI variables, and the test disk
# holding the bundles.
cp --sparse=always "$work/test.raw" "$work/vm.raw"
cp "$vars" "$work/vars.fd"
rm -rf "$work/testdisk" "$work/testdisk.img"
mkdir -p "$work/testdisk"
ln "$work/good.raucb" "$work/testdisk/good.raucb" 2>/dev/null || cp "$work/good.raucb" "$work/testdisk/"
ln "$work/broken.raucb" "$work/testdisk/broken.raucb" 2>/dev/null || cp "$work/broken.raucb" "$work/testdisk/"

# The development central server on loopback, with TLS: QEMU's user network maps the VM's 10.0.2.2 to
# this machine's 127.0.0.1, so the server certificate (made here, the server loads it) names both; the
# VM gets its CA on the test disk.
server=""
if [ -x "${KIOSKCTL:-}" ]; then
	port=$((20000 + $$ % 10000))
	tlsdir=$work/central-tls
	rm -rf "$tlsdir" "$work/central"
	mkdir -p "$tlsdir" "$work/central"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
		-keyout "$tlsdir/ca-key.pem" -out "$tlsdir/ca.pem" -subj "/O=tramso/CN=tramso VM test central CA" \
		-addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$tlsdir/server-key.pem" -out "$tlsdir/server.csr" -subj "/O=tramso/CN=central" 2>/dev/null
	printf 'subjectAltName=IP:10.0.2.2,IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$tlsdir/ext"
	openssl x509 -req -in "$tlsdir/server.csr" -CA "$tlsdir/ca.pem" -CAkey "$tlsdir/ca-key.pem" -CAcreateserial \
		-days 30 -extfile "$tlsdir/ext" -out "$tlsdir/server.pem" 2>/dev/null
	cp "$tlsdir/ca.pem" "$work/testdisk/central-ca.pem"
	"$KIOSKCTL" central-dev --listen "127.0.0.1:$port" --data "$work/central" --tls-dir "$tlsdir" >"$work/central.log" 2>&1 &
	central=$!
	trap 'kill "$central" 2>/dev/null || true' EXIT
	sleep 2
	if kill -0 "$central" 2>/dev/null; then
		server="https://10.0.2.2:$port"
	else
		echo "vmtest.sh: the development central server did not start (see $work/central.log); no provisioning" >&2
	fi
fi

# The province's log server: a real systemd-journal-remote on loopback with TLS, its certificate from
# the CA the kiosk pins at provisioning; the kiosk is provisioned with --journal-url and its
# systemd-journal-upload sends the journal there (WORK/remote.journal).
journal=""
jremote=""
for d in /lib/systemd /usr/lib/systemd; do
	[ -x "$d/systemd-journal-remote" ] && jremote=$d/systemd-journal-remote && break
done
if [ -n "$server" ] && [ -n "$jremote" ]; then
	jport=$((port + 1))
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$tlsdir/logs-key.pem" -out "$tlsdir/logs.csr" -subj "/O=tramso/CN=logs" 2>/dev/null
	openssl x509 -req -in "$tlsdir/logs.csr" -CA "$tlsdir/ca.pem" -CAkey "$tlsdir/ca-key.pem" -CAcreateserial \
		-days 30 -extfile "$tlsdir/ext" -out "$tlsdir/logs.pem" 2>/dev/null
	rm -f "$work/remote.journal"
	"$jremote" --listen-https="127.0.0.1:$jport" --key="$tlsdir/logs-key.pem" --cert="$tlsdir/logs.pem" \
		--split-mode=none --output="$work/remote.journal" >"$work/journal-remote.log" 2>&1 &
	jr=$!
	trap 'kill "$central" "$jr" 2>/dev/null || true' EXIT
	sleep 1
	if kill -0 "$jr" 2>/dev/null; then
		journal="https://10.0.2.2:$jport"
	else
		echo "vmtest.sh: systemd-journal-remote did not start (see $work/journal-remote.log); remote logs not tested" >&2
	fi
elif [ -n "$server" ]; then
	echo "vmtest.sh: no systemd-journal-remote on this machine (apt-get install systemd-journal-remote); remote logs not tested" >&2
fi

mb=$(du -sm "$work/testdisk" | cut -f1)
mkfs.ext4 -q -F -L TRAMSOTEST -d "$work/testdisk" "$work/testdisk.img" "$((mb + 64))M"

n=0
# boot STEP: boots the VM once (until it reboots or powers off: -no-reboot) with STEP for the agent.
boot() {
	step=$1
	n=$((n + 1))
	log=$work/boot-$n.log
	set -- -machine q35 -m "$mem" -smp 2 -nodefaults -display none \
		-drive if=pflash,format=raw,readonly=on,file="$code" \
		-drive if=pflash,format=raw,file="$work/vars.fd" \
		-drive if=virtio,format=raw,file="$work/vm.raw" \
		-drive if=virtio,format=raw,readonly=on,file="$work/testdisk.img" \
		-netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
		-device i6300esb -action watchdog=reset \
		-serial "file:$log" -no-reboot \
		-fw_cfg name=opt/tramso/step,string="$step"
	if [ -n "$server" ]; then
		set -- "$@" -fw_cfg name=opt/tramso/server,string="$server"
	fi
	if [ -n "$journal" ]; then
		set -- "$@" -fw_cfg name=opt/tramso/journal,string="$journal"
	fi
	t0=$(date +%s)
	echo "boot $n (step $step)..."
	if ! timeout "$timeout" qemu-system-x86_64 "$@"; then
		fail "boot $n did not finish within ${timeout}s (log $log)"
	fi
	report=$(grep -a 'TRAMSO-TEST booted=' "$log" | tail -n 1 | tr -d '\r' || true)
	echo "boot $n: $(($(date +%s) - t0))s: ${report:-no report}"
}

boot install:good.raucb
case $report in
*"booted=A "*"markgood=active"*) ;;
*) fail "first boot: slot A not confirmed: $report" ;;
esac
if [ -n "$server" ]; then
	case $(grep -a 'TRAMSO-TEST provision=' "$log" | tr -d '\r') in
	*"provision=ok"*) echo "ok: provisioned against the development central server" ;;
	*"provision=unavailable"*) echo "note: kioskctl has no provision command; provisioning not tested" ;;
	*) fail "provisioning failed (log $log)" ;;
	esac
fi
grep -aq 'TRAMSO-TEST installed=good.raucb' "$log" || fail "update bundle not installed (log $log)"
if [ -n "$journal" ]; then
	grep -a 'TRAMSO-TEST journal-upload' "$log" | tr -d '\r' || true
	# The kiosk's journal, uploaded over TLS, holds kioskd's start message.
	if journalctl --file="$work/remote.journal" --no-pager -o cat _SYSTEMD_UNIT=kioskd.service 2>/dev/null | grep -aq 'kioskd ready'; then
		echo "ok: the host's systemd-journal-remote received kioskd's start message from the kiosk"
	else
		fail "kioskd's start message did not reach the host's systemd-journal-remote (logs $log, $work/journal-remote.log)"
	fi
fi

boot install:broken.raucb
case $report in
*"booted=B "*"markgood=active"*) echo "ok: the update booted from slot B and was confirmed" ;;
*) fail "after the update: not booted from a confirmed slot B: $report" ;;
esac
grep -aq 'TRAMSO-TEST installed=broken.raucb' "$log" || fail "broken bundle not installed (log $log)"

tries=0
while :; do
	boot none
	case $report in
	*"booted=A "*)
		tries=$((tries + 1))
		case $report in *"markgood=active"*) fail "the broken slot A was confirmed" ;; esac
		[ "$tries" -le 3 ] || fail "slot A booted $tries times; GRUB should give up after 3"
		;;
	*"booted=B "*"markgood=active"*)
		[ "$tries" -ge 1 ] || fail "slot A (broken) was never tried"
		echo "ok: rolled back to slot B after $tries failed boots of the broken slot A"
		break
		;;
	*) fail "unexpected boot: $report (log $log)" ;;
	esac
done
echo "PASS: image test in $(($(date +%s) - start))s"
