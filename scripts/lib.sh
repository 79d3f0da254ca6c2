# Helpers the set-up scripts share: source it ("source scripts/lib.sh"),
# don't run it.

# sha256_of FILE prints FILE's SHA-256 digest in hex (sha256sum on Linux,
# shasum on macOS); it fails when neither tool is installed.
sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | awk '{print $1}'
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | awk '{print $1}'
	else
		echo "$(basename "$0"): neither sha256sum nor shasum is installed; cannot verify $1" >&2
		return 1
	fi
}
