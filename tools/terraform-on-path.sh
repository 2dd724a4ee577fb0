#!/usr/bin/env bash
# Prints the path of a terraform (1.5 or later) or, failing that, a tofu (1.6
# or later) on PATH, and says on stderr which one it found; exits 1, saying
# what it found instead, when there is neither. make demo runs the one it
# prints and builds OpenTofu only when there is none.
set -euo pipefail

# Machines may export a TF_CLI_CONFIG_FILE that does not exist, which puts a
# warning before OpenTofu's version; an empty configuration avoids it.
config=$(mktemp)
trap 'rm -f "$config"' EXIT
export TF_CLI_CONFIG_FILE=$config CHECKPOINT_DISABLE=1

# version BINARY prints the version BINARY reports, such as 1.11.4, or
# nothing.
version() {
	{ "$1" version -json 2>/dev/null || true; } | sed -n 's/^ *"terraform_version": *"\([^"]*\)".*/\1/p'
}

# at_least VERSION MINOR succeeds when VERSION is 1.MINOR or later.
at_least() {
	local major minor
	IFS=. read -r major minor _ <<<"$1"
	[[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || return 1
	((major > 1 || (major == 1 && minor >= $2)))
}

found=()
for candidate in terraform:Terraform:5 tofu:OpenTofu:6; do
	IFS=: read -r name product minor <<<"$candidate"
	binary=$(command -v "$name" || true)
	[ -n "$binary" ] || continue
	v=$(version "$binary")
	if at_least "$v" "$minor"; then
		echo "==> Using $product $v, the $name on PATH ($binary)." >&2
		echo "$binary"
		exit 0
	fi
	found+=("$binary (${v:-no version reported})")
done

if [ ${#found[@]} -eq 0 ]; then
	echo "==> No terraform or tofu on PATH." >&2
else
	echo "==> No terraform 1.5 or later and no tofu 1.6 or later on PATH; found ${found[*]}." >&2
fi
exit 1
