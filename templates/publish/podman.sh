{% include "publish/header.sh" -%}
#
# How: `podman build --platform ... --manifest` builds every platform into a local manifest list, and
# `podman manifest push --all --rm` pushes the images and the list, then drops the local list.
set -eu
cd "$(dirname "$0")"

image={{ image | sh }}
# Podman 4.3 / buildah 1.28 (Debian 12) do not set BUILDPLATFORM: `FROM --platform=$BUILDPLATFORM` then
# names no platform, the build stage takes each target's platform instead, and with a multi-arch base
# image every compile silently runs under emulation. Passing the build machine's platform prevents it.
# Set BUILDPLATFORM to choose it yourself.
buildplatform=${BUILDPLATFORM:-$(podman info --format '{% raw %}{{.Host.OS}}/{{.Host.Arch}}{% endraw %}')}
digestfile=$(mktemp)
trap 'rm -f "$digestfile"' EXIT
trap 'exit 1' HUP INT TERM

# A list or image of this name from an earlier run would be added to instead of replaced.
podman manifest rm "$image" >/dev/null 2>&1 || true
podman rmi "$image" >/dev/null 2>&1 || true
# Buildah before 2025 may reuse one platform's cached layer for another in a `FROM scratch` stage whose
# step gives the same result on every platform (containers/podman#18723): if an image in the list comes
# out with the wrong platform, run with --no-cache.
podman build --platform {{ platform_list | sh }} --build-arg "BUILDPLATFORM=$buildplatform" \
  --manifest "$image" {% if dockerfile != "Dockerfile" %}--file {{ dockerfile | sh }} {% endif %}"$@" . >&2
podman manifest push --all --rm {% if insecure %}--tls-verify=false {% endif %}--digestfile "$digestfile" "$image" "docker://$image" >&2
digest=$(cat "$digestfile")
{% include "publish/digest.sh" -%}
