#!/usr/bin/env bash
# Creates a CA and a serving certificate for the webhook Service with openssl, stores them as the
# bosun-admission-tls Secret and writes the CA into both webhook configurations' caBundle.
# Usage: deploy/gen-certs.sh [namespace] (default bosun-system). Needs openssl and kubectl.
# Re-run before expiry (365 days); the webhook reloads the mounted files without a restart.
set -euo pipefail
ns="${1:-bosun-system}"
svc=bosun-admission
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
  -keyout "$dir/ca.key" -out "$dir/ca.crt" -subj "/CN=bosun-admission-ca" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$dir/tls.key" -out "$dir/tls.csr" -subj "/CN=$svc.$ns.svc" 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:%s.%s,DNS:%s.%s.svc\n' "$svc" "$svc" "$ns" "$svc" "$ns" > "$dir/ext.cnf"
openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 365 -extfile "$dir/ext.cnf" -out "$dir/tls.crt" 2>/dev/null
kubectl -n "$ns" create secret tls bosun-admission-tls --cert="$dir/tls.crt" --key="$dir/tls.key" \
  --dry-run=client -o yaml | kubectl apply -f -
ca="$(base64 -w0 < "$dir/ca.crt")"
for kind in mutatingwebhookconfiguration validatingwebhookconfiguration; do
  kubectl patch "$kind" bosun-admission --type=json -p "[{\"op\":\"replace\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$ca\"}]"
done
