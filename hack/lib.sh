# hack/lib.sh: helpers shared by the tool installers (install-e2e-deps.sh,
# systems/build-tools.sh). Source it after setting PROG (the prefix of log
# lines) and BIN_DIR (where built tools and their stamps live).

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }

# make_workdir PREFIX: create $WORK, a scratch directory removed on exit.
make_workdir() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	# Copies out of the read-only module cache need u+w before rm.
	trap 'chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT
}

# up_to_date NAME STAMP: true when $BIN_DIR/NAME exists and was built from STAMP.
up_to_date() {
	[[ -x $BIN_DIR/$1 && -f $BIN_DIR/.$1.stamp && $(<"$BIN_DIR/.$1.stamp") == "$2" ]]
}

# mark_built NAME STAMP: record what $BIN_DIR/NAME was built from.
mark_built() { printf '%s\n' "$2" >"$BIN_DIR/.$1.stamp"; }

# place_binary BUILT DST: move the binary the Go linker just wrote at BUILT
# to DST as a plain copy (then an atomic rename, so a running DST is not
# disturbed). Measured with CRI-O (kernel 6.18, ext4): the same bytes, run
# straight from the linker's output, had 15-17 MB more RSS (file-backed
# pages: Pss_File 32.5 against 25.8 MB) than run from a copy, from start-up
# on. The difference is in the page cache the linker's writes leave behind,
# not in the binary; binaries compared in a benchmark must not differ in it.
place_binary() {
	cp "$1" "$2.tmp"
	chmod 0755 "$2.tmp"
	mv -f "$2.tmp" "$2"
	rm -f "$1"
}

# module_source MODULE VERSION: copy the module's source out of the module
# cache into $WORK (writable, without vendor/) and print the copy's path.
module_source() {
	local dir dst
	dir=$(cd "$WORK" && go mod download -json "$1@$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[[ -n $dir && -d $dir ]] || die "go mod download $1@$2 gave no source directory (is the module proxy reachable?)"
	dst=$WORK/src/${1//\//_}
	mkdir -p "$dst"
	cp -a "$dir/." "$dst/"
	chmod -R u+w "$dst"
	rm -rf "$dst/vendor"
	printf '%s\n' "$dst"
}

# install_packages PKG...: apt-get install the Debian packages not yet
# installed (apt-get update runs only when one is missing).
install_packages() {
	local missing=() pkg
	for pkg in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$pkg")
		fi
	done
	if [[ ${#missing[@]} -eq 0 ]]; then
		log "apt: $* already installed"
		return
	fi
	log "apt: installing ${missing[*]}"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# build_local NAME: build hack/NAME (a command of this module) statically
# into $BIN_DIR, unless its sources and go.mod are unchanged since the last
# build. Needs REPO_ROOT.
build_local() {
	local stamp
	stamp=$(cd "$REPO_ROOT" && sha256sum "hack/$1"/*.go go.mod | sha256sum | cut -d' ' -f1)
	if up_to_date "$1" "$stamp"; then
		log "$1 already built"
		return
	fi
	log "building $1"
	(cd "$REPO_ROOT" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$BIN_DIR/$1" "./hack/$1")
	mark_built "$1" "$stamp"
}

# timed NAME CMD...: run a build step and report its wall time. Called as a
# plain command so `set -e` stays in force inside the step; STEP names the
# step for an ERR trap.
timed() {
	local name=$1 start=$SECONDS
	shift
	STEP=$name
	"$@"
	log "$name: done in $((SECONDS - start))s"
}

# installer_args ARGS...: the installers' one option, --print-bin-dir
# (print $BIN_DIR and exit); anything else is an error.
installer_args() {
	if [[ ${1:-} == --print-bin-dir ]]; then
		printf '%s\n' "$BIN_DIR"
		exit 0
	elif [[ $# -gt 0 ]]; then
		die "unknown argument ${1@Q}; usage: $0 [--print-bin-dir]"
	fi
}

# require_root_and_go WHAT: stop unless running as root with go on PATH;
# WHAT says what the tests start, for the message.
require_root_and_go() {
	[[ $(id -u) -eq 0 ]] || die "must run as root (it installs Debian packages and the tests start $1); try: sudo $0"
	command -v go >/dev/null || die "go is not on PATH; install Go $(sed -n 's/^go //p' "$REPO_ROOT/go.mod") or newer first"
}
