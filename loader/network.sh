# astcard loader — network sources. Sourced by the init only when the options name `astlinux.source=`, so
# a card-only boot never runs a line of this file. Uses the init's helpers (say, step, rejected, failed,
# note_failure, plan, follow_plan, try_candidate, jump) and its variables (ROOT, MOCK, WORK, CMDLINE).
#
# For each source in order: bring the network up once (bounded link wait, bounded DHCP), fetch the source's
# astlinux.index, turn it into a listing and .sha1 files (plan index), let the same boot plan order the
# candidates, and for each: check there is RAM for it, download it, hash it, ask for the verdict, loop-mount
# it and kexec it, telling the AstLinux kernel where it came from (astlinux.from=<url>). Every failure is one
# line and the next candidate, then the next source, then the card (unless `card=no`). A static address
# (astlinux.ip=) replaces DHCP and is handed on too, so AstLinux can fetch its image again the same way.

NET_STATE=''       # '' not tried yet, up, down
NET_IF=''
NET_LINK_WAIT=${ASTCARD_NET_LINK_WAIT:-5} # seconds for a cable to show carrier
NET_CARD=last      # last: the init tries the card after us; no: `card=no` forbids it; tried: `card` placed it
NET_FROM=''        # the URL of the image being loaded: load_image adds it to the handoff
NET_IMAGE_TIMEOUT=900 # seconds for one image: 100 MB at 1 Mbit/s would not make it, and should not
NFS_MOUNTED=''      # the NFS folders mounted so far, space-separated
NET_MARGIN_KB=32768 # kept free beyond the image: the kernel, the loop mount and kexec need room too
NET_DIR=''         # the source being tried: its download folder and its URL (for net_boot_candidate)
NET_BASE=''

# astlinux.ip=<address>/<prefix>[,<gateway>[,<dns>]], already checked by the boot plan (static-address.ts).
net_static() {
	old_ifs=$IFS
	IFS=,
	# shellcheck disable=SC2086 # split on commas on purpose
	set -- $OPT_IP
	IFS=$old_ifs
	if ! $MOCK ip addr add "$1" dev "$NET_IF" 2>"$WORK/ip.err"; then
		say "network: cannot set $1 on $NET_IF ($(tr '\n' ' ' <"$WORK/ip.err"))"
		return 1
	fi
	[ -n "${2:-}" ] && $MOCK ip route add default via "$2" dev "$NET_IF" 2>/dev/null
	[ -n "${3:-}" ] && echo "nameserver $3" >"$ROOT/etc/resolv.conf"
	say "network: $NET_IF $1${2:+ via $2} (static)"
}

# udhcpc configures nothing itself: it runs a script with the lease in its environment.
net_write_dhcp_script() {
	cat >"$WORK/udhcpc.script" <<'EOF'
#!/bin/sh
case "$1" in
deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
bound | renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	[ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
	[ -n "$dns" ] && for server in $dns; do echo "nameserver $server"; done >"${ASTCARD_RESOLV_CONF:-/etc/resolv.conf}"
	echo "$ip${router:+ via ${router%% *}}" >"${ASTCARD_NET_LEASE:-/run/astcard/lease}"
	;;
esac
exit 0
EOF
	chmod +x "$WORK/udhcpc.script"
}

# The first interface that is not loopback; the NIC drivers came with coldplug, af_packet is for udhcpc.
net_interface() {
	for dev in "$ROOT"/sys/class/net/*; do
		name=${dev##*/}
		[ -e "$dev" ] && [ "$name" != lo ] && { echo "$name"; return 0; }
	done
	return 1
}

net_up() {
	[ -n "$NET_STATE" ] && { [ "$NET_STATE" = up ]; return; }
	NET_STATE=down
	step "network"
	$MOCK modprobe -q -a af_packet 2>/dev/null
	coldplug
	if ! NET_IF=$(net_interface); then
		say "network: no network interface (no network card, or no driver for it)"
		return 1
	fi
	$MOCK ip link set "$NET_IF" up
	tries=$((NET_LINK_WAIT * 10))
	while [ "$(cat "$ROOT/sys/class/net/$NET_IF/carrier" 2>/dev/null)" != 1 ]; do
		tries=$((tries - 1))
		if [ "$tries" -le 0 ]; then
			say "network: no link on $NET_IF after ${NET_LINK_WAIT}s (cable unplugged?)"
			return 1
		fi
		sleep 0.1
	done
	if [ -n "$OPT_IP" ]; then
		net_static || return 1
	else
		net_write_dhcp_script
		export ASTCARD_NET_LEASE="$WORK/lease" ASTCARD_RESOLV_CONF="$ROOT/etc/resolv.conf"
		if ! $MOCK udhcpc -i "$NET_IF" -t 5 -T 1 -n -q -s "$WORK/udhcpc.script" >"$WORK/udhcpc.log" 2>&1; then
			say "network: no DHCP lease on $NET_IF (no DHCP server answered)"
			return 1
		fi
		say "network: $NET_IF $(cat "$WORK/lease" 2>/dev/null || echo up)"
	fi
	NET_STATE=up
}

# Fetches <url> into <file> within <seconds>; 0 only when the transfer completed. The bound comes from
# `timeout`, not `wget -T`: Debian's busybox-static 1.35 wget crashes (SIGSEGV) whenever -T is given.
net_fetch() { # <url> <file> <seconds>
	rm -f "$2"
	case "$1" in
	http://* | ftp://*) timeout "$3" wget -q -O "$2" "$1" 2>"$WORK/fetch.err" ;;
	tftp://*)
		rest=${1#tftp://}
		host=${rest%%/*}
		timeout "$3" tftp -g -r "${rest#*/}" -l "$2" "$host" 2>"$WORK/fetch.err"
		;;
	nfs://*) net_nfs_mount "$1" && timeout "$3" cp "$NFS_DIR/${1##*/}" "$2" 2>"$WORK/fetch.err" ;;
	*)
		echo "protocol not supported by this loader" >"$WORK/fetch.err"
		false
		;;
	esac || {
		rm -f "$2"
		return 1
	}
}

# nfs://<address>[:<port>]/<path>/<file>: NFSv4 over TCP, one port and no portmapper, so it passes
# firewalls and NAT. The folder is mounted read-only once and files are copied into RAM from it, so what
# is verified is what boots even if the server's copy changes meanwhile. Sets NFS_DIR.
net_nfs_mount() { # <url>
	rest=${1#nfs://}
	server=${rest%%/*}
	folder=/${rest#*/}
	folder=${folder%/*}
	address=${server%%:*}
	port=2049
	[ "$server" != "$address" ] && port=${server#*:}
	NFS_DIR="$WORK/nfs/$(echo "$server$folder" | tr -c 'A-Za-z0-9.\n' _)"
	case " $NFS_MOUNTED " in *" $NFS_DIR "*) return 0 ;; esac
	mkdir -p "$NFS_DIR"
	case "$address" in
	*[!0-9.]*)
		echo "name the NFS server by its IP address (this loader does not resolve names)" >"$WORK/fetch.err"
		return 1
		;;
	esac
	$MOCK modprobe -q nfsv4
	# soft + timeo: a server that goes away fails the copy instead of hanging the boot.
	timeout 20 $MOCK mount -t nfs4 -o "ro,soft,timeo=50,retrans=2,port=$port,addr=$address" \
		"$address:$folder" "$NFS_DIR" 2>"$WORK/fetch.err" || return 1
	NFS_MOUNTED="$NFS_MOUNTED $NFS_DIR"
}

net_fetch_error() {
	tr '\n' ' ' <"$WORK/fetch.err" 2>/dev/null | sed 's/ *$//'
}

# MemAvailable in kB, or nothing when the kernel does not say.
net_mem_available_kb() {
	while read -r key value _; do
		[ "$key" = MemAvailable: ] && { echo "$value"; return 0; }
	done <"$ROOT/proc/meminfo"
}

# Downloads, checks and loads one candidate; 0 when its kernel is loaded and ready for kexec -e.
net_try_candidate() { # <dir> <base> <name> <algo> <size|->
	dir=$1 base=$2 name=$3 algo=$4 size=$5
	if [ "$size" != - ]; then
		avail=$(net_mem_available_kb)
		need=$(((size + 1023) / 1024 + NET_MARGIN_KB))
		if [ -n "$avail" ] && [ "$avail" -lt "$need" ]; then
			failed "$name" no-memory "needs ${need} kB of RAM to download, ${avail} kB available"
			return 1
		fi
	fi
	say "download $base$name"
	if ! net_fetch "$base$name" "$dir/$name" "$NET_IMAGE_TIMEOUT"; then
		failed "$name" download-failed "cannot download $base$name ($(net_fetch_error))"
		return 1
	fi
	got=$(stat -c %s "$dir/$name")
	if [ "$size" != - ] && [ "$got" != "$size" ]; then
		rm -f "$dir/$name"
		failed "$name" truncated "downloaded $got of $size bytes"
		return 1
	fi
	NET_FROM="$base$name"
	try_candidate "$dir" "$dir/listing" "$name" "$algo"
	status=$?
	if [ "$status" != 0 ]; then
		NET_FROM=''
		rm -f "$dir/$name"
	fi
	return "$status"
}

# One source: index, plan, candidates in order. Returns only when nothing from it booted.
net_try_source() { # <url> <n>
	base="${1%/}/"
	dir="$WORK/net$2"
	rm -rf "$dir"
	mkdir -p "$dir"
	step "source $base"
	case "$base" in
	http://* | ftp://* | tftp://* | nfs://*) ;;
	*)
		say "source $base: this loader cannot fetch ${base%%:*} sources, skipping"
		note_failure "$base (unsupported)"
		return 1
		;;
	esac
	net_up || {
		note_failure "$base (no network)"
		return 1
	}
	if ! net_fetch "${base}astlinux.index" "$dir/index" 20; then
		say "source $base: cannot fetch astlinux.index ($(net_fetch_error)), skipping"
		note_failure "$base (no index)"
		return 1
	fi
	if ! plan index "$dir/index" >"$dir/entries"; then
		say "source $base: astlinux.index is not usable ($(sed 's/^bad //' "$dir/entries")), skipping"
		note_failure "$base (bad index)"
		return 1
	fi
	# The plan judges a listing and sidecars; sizes the index leaves out are unknown, not empty.
	: >"$dir/listing"
	while read -r _ name size sha1; do
		printf '%s  %s\n' "$sha1" "$name" >"$dir/$name.sha1"
		[ "$size" = - ] && listed=1 || listed=$size
		printf '%s %s\n%s %s.sha1\n' "$listed" "$name" "$(stat -c %s "$dir/$name.sha1")" "$name" >>"$dir/listing"
	done <"$dir/entries"
	if ! plan plan "$dir" "$dir/listing" "$CMDLINE" >"$dir/plan"; then
		note_failure "$base (boot plan failed)"
		return 1
	fi
	NET_DIR=$dir NET_BASE=$base
	follow_plan "$dir/plan" net_boot_candidate
	return 1
}

# One candidate of the source being tried (NET_DIR, NET_BASE): downloaded, checked, loaded, started.
net_boot_candidate() { # <name> <algo>
	size=$(grep " $1 " "$NET_DIR/entries" | { read -r _ _ s _ && echo "$s"; })
	net_try_candidate "$NET_DIR" "$NET_BASE" "$1" "$2" "${size:--}" || return 1
	jump "$1" "$NET_FROM"
	NET_FROM=''
	return 1
}

# The hook the init calls before the card's images: <sources> is the comma list from the options.
boot_from_network() { # <comma-separated sources>
	n=0
	old_ifs=$IFS
	IFS=,
	# shellcheck disable=SC2086 # split on commas on purpose
	set -- $1
	IFS=$old_ifs
	for source in "$@"; do
		case "$source" in
		card)
			# The card where the list places it; the sources after it are the fallback.
			list_card
			boot_newest_good_image
			NET_CARD=tried
			continue
			;;
		card=no)
			NET_CARD=no
			continue
			;;
		esac
		n=$((n + 1))
		net_try_source "$source" "$n"
	done
	return 1
}
