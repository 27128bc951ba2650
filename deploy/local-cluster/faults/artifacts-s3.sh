#!/usr/bin/env bash
# Not a fault: checks that the two api replicas share their artifacts through the S3 store. A run
# stages a 3 MiB artifact (uploaded by a build host through one replica); each replica, asked
# directly, serves it whole and by Range, with the sha256 the run view lists.
#   deploy/local-cluster/faults/artifacts-s3.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
running s3 || die "no S3 store in this cluster (up starts SeaweedFS when weed is installed)"
url=$(make_repo s3-artifacts 'compile:
  - run: head -c 3145728 /dev/urandom > blob.bin
stage:
  artifacts: ["blob.bin"]')
id=$(rebuild "$url")
[ "$(wait_end "$id" 300)" = passed ] || die "run $id did not pass: $(field "$id" .failure_summary)"
listed=$(kc "$API/runs/$id/artifacts")
want=$(jq -r '.artifacts[]? // .[]? | select(.path == "blob.bin") | .sha256' <<<"$listed" | head -1)
[ -n "$want" ] || die "run $id lists no blob.bin: $listed"
echo "run $id staged blob.bin, sha256 $want"
bad=0
for port in "${API_PORTS[@]}"; do
  base="http://$SERVER_IP:$port"
  kc -f -o "$STATE/logs/blob.bin" "$base/runs/$id/artifacts/blob.bin"
  got=$(sha256sum "$STATE/logs/blob.bin" | awk '{print $1}')
  whole=$(od -An -tx1 -j 1048576 -N 16 "$STATE/logs/blob.bin" | tr -d ' \n')
  part=$(kc -f -H 'Range: bytes=1048576-1048591' "$base/runs/$id/artifacts/blob.bin" | od -An -tx1 | tr -d ' \n')
  echo "api on :$port: sha256 $([ "$got" = "$want" ] && echo matches || echo "DIFFERS ($got)"), bytes 1048576-1048591 by Range $([ "$part" = "$whole" ] && echo match || echo DIFFER)"
  [ "$got" = "$want" ] && [ "$part" = "$whole" ] || bad=$((bad + 1))
done
rm -f "$STATE/logs/blob.bin"
echo "objects in the bucket: $(find "$STATE/s3" -type f 2>/dev/null | wc -l) files under $STATE/s3"
[ "$bad" = 0 ]
