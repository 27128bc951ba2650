# Sourced by the benchmarks that build a C library (sandbox-overhead.sh, build-overhead.sh).
# zlib_tarball <dir>: prints the path of an uncompressed tarball of zlib's source (1.2.13, Debian's
# source package: configure, make, make test), downloaded into <dir> with a private apt source list
# (nothing is changed in /etc/apt); $ZLIB_TARBALL instead, when set.
zlib_tarball() {
  if [ -n "${ZLIB_TARBALL:-}" ]; then
    echo "$ZLIB_TARBALL"
    return
  fi
  local apt_dir="$1/apt" orig
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/sources" "$apt_dir/src"
  cat >"$apt_dir/sources/debian-src.sources" <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  local apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt_dir/sources"
    -o "Dir::State::Lists=$apt_dir/lists" -o APT::Sandbox::User=root)
  apt-get "${apt_opts[@]}" update -qq >&2
  (cd "$apt_dir/src" && apt-get "${apt_opts[@]}" source --download-only -qq zlib 2>/dev/null >&2)
  orig=$(ls "$apt_dir"/src/zlib_*.orig.tar.* | head -1)
  # the builds unpack it with plain tar: give them an uncompressed one
  case "$orig" in
    *.bz2) bunzip2 -c "$orig" >"$1/zlib.tar" ;;
    *.xz) xz -dc "$orig" >"$1/zlib.tar" ;;
    *.gz) gunzip -c "$orig" >"$1/zlib.tar" ;;
  esac
  echo "$1/zlib.tar"
}
