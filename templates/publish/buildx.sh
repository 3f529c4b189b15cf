{% include "publish/header.sh" -%}
#
# How: `docker buildx build --platform ... --push` builds every platform and pushes the images and the
# list in one go. It needs a builder that can build several platforms (`docker buildx create --use`
# once, or Docker's containerd image store).
{% if insecure -%}
# The registry is plain HTTP or has a self-signed certificate: the builder (BuildKit) pushes, so its
# buildkitd.toml must allow that registry, e.g.
#   [registry."{{ registry }}"]
#     http = true
#     insecure = true
# and `docker buildx create --use --config buildkitd.toml`.
{% endif -%}
set -eu
cd "$(dirname "$0")"

image={{ image | sh }}
metadata=$(mktemp)
trap 'rm -f "$metadata"' EXIT
trap 'exit 1' HUP INT TERM

docker buildx build --platform {{ platform_list | sh }} --tag "$image" --push \
  --metadata-file "$metadata" {% if dockerfile != "Dockerfile" %}--file {{ dockerfile | sh }} {% endif %}"$@" . >&2
digest=$(sed -n 's/.*"containerimage.digest": *"\(sha256:[0-9a-f]\{64\}\)".*/\1/p' "$metadata" | head -n 1)
{% include "publish/digest.sh" -%}
