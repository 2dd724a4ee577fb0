#!/usr/bin/env bash
# Builds Terraform VERSION (1.6 or later) from the Go module proxy into OUTPUT:
#
#   tools/build-terraform.sh 1.16.2 .tools/bin/terraform-1.16.2
#
# The module the proxy serves lacks the nested modules its go.mod replaces
# with local directories (nine state backends and internal/legacy), so the
# build runs in a writable copy of the module with those modules' require and
# replace lines dropped from go.mod, and the nine backends dropped from
# internal/backend/init/init.go. The local, remote, http, inmem and cloud
# backends stay; a provider's tests use the local one only. Each edit fails
# loudly when the line it removes is not there, as in a version laid out
# differently.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 VERSION OUTPUT" >&2
	exit 2
fi
version=$1
output=$(realpath -m "$2")
module=github.com/hashicorp/terraform

# The nested modules the module proxy does not ship.
backends=(azure consul cos gcs kubernetes oci oss pg s3)
nested=(internal/legacy)
for backend in "${backends[@]}"; do
	nested+=("internal/backend/remote-state/$backend")
done

# drop FILE REGEX removes the one line of FILE that matches REGEX (an
# extended regular expression), and fails unless exactly one does.
drop() {
	local file=$1 regex=$2 count
	count=$(grep -cE -- "$regex" "$file" || true)
	if [ "$count" -ne 1 ]; then
		echo "$0: expected one line matching '$regex' in $file, found $count" >&2
		exit 1
	fi
	grep -vE -- "$regex" "$file" >"$file.edited"
	mv "$file.edited" "$file"
}

# quote STRING escapes STRING's regular-expression characters.
quote() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

source_dir=$(go mod download -json "$module@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$source_dir" ] || [ ! -d "$source_dir" ]; then
	echo "$0: go mod download did not report the directory of $module@v$version" >&2
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$source_dir" "$work/terraform"
chmod -R u+w "$work/terraform"
cd "$work/terraform"

for path in "${nested[@]}"; do
	full=$(quote "$module/$path")
	drop go.mod "^[[:space:]]*$full v"
	drop go.mod "^replace $full => "
done

init=internal/backend/init/init.go
for backend in "${backends[@]}"; do
	import=$(quote "\"$module/internal/backend/remote-state/$backend\"")
	alias=$(sed -n -E "s/^[[:space:]]*([A-Za-z0-9_]+) $import\$/\1/p" "$init")
	if [ -z "$alias" ]; then
		echo "$0: no import of the $backend backend in $init" >&2
		exit 1
	fi
	drop "$init" "^[[:space:]]*$alias $import\$"
	drop "$init" "^[[:space:]]*\"[^\"]+\": +func\(\) backend\.Backend \{ return $alias\.New\("
done

mkdir -p "$(dirname "$output")"
GOFLAGS=-mod=mod go build -trimpath -ldflags "-X $module/version.dev=no" -o "$output" .
