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
