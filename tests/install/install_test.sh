#!/usr/bin/env bash
# The installed tool, as a user gets it: `cmake --install` into a scratch DESTDIR, then the .deb
# that CPack builds, unpacked; each binary is run. Usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
fail() {
  echo "install test: $*" >&2
  exit 1
}

DESTDIR="$scratch/dest" cmake --install "$build" --prefix /usr >/dev/null
root="$scratch/dest/usr"
for f in bin/cora-migrate share/man/man1/cora-migrate.1.gz share/doc/cora-migrate/copyright share/doc/cora-migrate/changelog.gz share/bash-completion/completions/cora-migrate \
  share/zsh/vendor-completions/_cora-migrate share/fish/vendor_completions.d/cora-migrate.fish \
  share/doc/cora-migrate/examples/cora-migrate.toml share/doc/cora-migrate/examples/github-actions.yml \
  share/doc/cora-migrate/README.md share/doc/cora-migrate/CONTRIBUTING.md share/doc/cora-migrate/docs/commands.md \
  share/cora-migrate/checklists/phase-14-session-tracking.toml; do
  [[ -f "$root/$f" ]] || fail "$f was not installed"
done
cli="$root/bin/cora-migrate"
"$cli" --version | grep -q '^cora-migrate [0-9]' || fail "the installed binary's --version"
"$cli" --help | grep -q -- "--completion" || fail "--help does not show --completion"

# The man page is made from the command definitions: every command and a command's option; the
# sections a Debian user looks for; nothing of the machine that built it. Installed compressed.
man_page="$scratch/cora-migrate.1"
gzip -dc "$root/share/man/man1/cora-migrate.1.gz" >"$man_page" || fail "the man page is not gzip-compressed"
for word in migrate history 'dry\\-run' '\\-\\-pending' '\\-\\-completion' '^\.SH "EXIT STATUS"' '^\.SH ENVIRONMENT' '^\.SH FILES' \
  '^\.SH EXAMPLES' 'DATABASE_URL' '^\.B 16$'; do
  grep -q -- "$word" "$man_page" || fail "the man page does not have $word"
done
for machine_specific in "$build" "$(dirname "$build")" "$HOME" "$scratch"; do
  ! grep -qF -- "$machine_specific" "$man_page" || fail "the man page names a path of the machine that built it: $machine_specific"
done

# bash: complete "cora-migrate his" and "cora-migrate migrate --dry".
bash_completion="$root/share/bash-completion/completions/cora-migrate"
bash -n "$bash_completion" || fail "the bash completion has a syntax error"
(
  set +u  # as in an interactive shell
  # shellcheck source=/dev/null
  source "$bash_completion"
  COMP_WORDS=(cora-migrate his)
  COMP_CWORD=1
  _cora_migrate
  [[ " ${COMPREPLY[*]} " == *" history "* ]] || exit 1
  COMP_WORDS=(cora-migrate --config x.toml migrate --dry)
  COMP_CWORD=4
  _cora_migrate
  [[ " ${COMPREPLY[*]} " == *" --dry-run "* ]] || exit 1
) || fail "the bash completion does not complete commands and options"
if command -v zsh >/dev/null; then zsh -n "$root/share/zsh/vendor-completions/_cora-migrate" || fail "zsh syntax"; fi
if command -v fish >/dev/null; then fish -n "$root/share/fish/vendor_completions.d/cora-migrate.fish" || fail "fish syntax"; fi
grep -q -- "-a history" "$root/share/fish/vendor_completions.d/cora-migrate.fish" || fail "fish completion lacks history"

# The installed binary in a new project with the example config: new, then lint.
mkdir "$scratch/project"
cd "$scratch/project"
cp "$root/share/doc/cora-migrate/examples/cora-migrate.toml" cora-migrate.toml
[[ $("$cli" new init) == "migrations/001-init.sql" ]] || fail "new in a fresh project"
echo "CREATE TABLE t (id int PRIMARY KEY);" >>migrations/001-init.sql
"$cli" lint >/dev/null || fail "lint of the new file"
# The shipped checklist is found beside the installed binary (an unknown name lists it; no database needed).
unknown_checklist=$("$cli" checklist phase-0 2>&1 || true)
[[ "$unknown_checklist" == *"shipped with cora-migrate: phase-14-session-tracking"* ]] ||
  fail "checklist does not find the shipped checklists in share/cora-migrate/checklists: $unknown_checklist"

# The .deb: Debian runtime packages as dependencies, and a binary that runs once unpacked.
cpack --config "$build/CPackConfig.cmake" -B "$scratch/deb" >"$scratch/cpack.log" 2>&1 || {
  cat "$scratch/cpack.log" >&2
  fail "cpack failed"
}
deb=$(ls "$scratch"/deb/cora-migrate_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
for needed in libpq5 libfmt9 libyaml-cpp0.7; do
  [[ "$depends" == *"$needed"* ]] || fail "the .deb does not depend on $needed ($depends)"
done
IFS=',' read -ra packages <<<"$depends"
for p in "${packages[@]}"; do
  name=$(echo "$p" | awk '{print $1}')
  dpkg-query -W "$name" >/dev/null 2>&1 || fail "dependency $name is not a Debian package installed here"
done
dpkg-deb -x "$deb" "$scratch/unpacked"
"$scratch/unpacked/usr/bin/cora-migrate" --version | grep -q '^cora-migrate ' || fail "the packaged binary"
[[ -f "$scratch/unpacked/usr/share/man/man1/cora-migrate.1.gz" ]] || fail "the .deb has no compressed man page"
[[ -f "$scratch/unpacked/usr/share/doc/cora-migrate/copyright" ]] || fail "the .deb has no copyright file"
[[ -f "$scratch/unpacked/usr/share/doc/cora-migrate/changelog.gz" ]] || fail "the .deb has no changelog"
maintainer=$(dpkg-deb -f "$deb" Maintainer)
[[ "$maintainer" =~ ^[^\<]+\ \<[^@\ ]+@[^@\ ]+\>$ && "$maintainer" != *example.* ]] ||
  fail "the .deb's Maintainer is not a name and an address: $maintainer"
# lintian (Debian's package checker) finds no error; its warnings are listed, not fatal.
command -v lintian >/dev/null || fail "lintian is not installed (bash scripts/install-deps.sh --test)"
lintian --fail-on error --no-tag-display-limit "$deb" >"$scratch/lintian.log" 2>&1 || {
  cat "$scratch/lintian.log" >&2
  fail "lintian reports errors in the .deb"
}
echo "install test: lintian: no errors, $(grep -c '^W:' "$scratch/lintian.log" || true) warnings"
sed -n 's/^W: /install test: lintian warning: /p' "$scratch/lintian.log"
echo "install test: ok ($(basename "$deb"); Depends: $depends)"
