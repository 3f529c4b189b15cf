{% include "publish/header.sh" -%}
#
# How: `docker build` once per platform, each image pushed under a tag of its own
# ({{ repo }}:{{ platforms.0.tag }}, ...), then `docker manifest` lists the pushed
# images by digest and pushes the list under {{ image }}.
# (With Docker's containerd image store, `docker push` pushes an index instead of an image, which a
# manifest list cannot hold: use --engine buildx there.)
set -eu
cd "$(dirname "$0")"

image={{ image | sh }}
repo={{ repo | sh }}
# The Dockerfile's `FROM --platform=$BUILDPLATFORM` stages need BuildKit, the default since Docker 23.
DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-1}
export DOCKER_BUILDKIT

# build_and_push PLATFORM TAG [build options...]: builds and pushes one platform's image, and prints the
# digest the registry knows it by.
build_and_push() {
  platform=$1 tag=$2
  shift 2
  docker build --platform "$platform" --tag "$repo:$tag" "$@" . >&2
  pushed=$(docker push "$repo:$tag")
  printf '%s\n' "$pushed" >&2
  digest=$(printf '%s\n' "$pushed" | sed -n 's/.*digest: \(sha256:[0-9a-f]\{64\}\).*/\1/p' | tail -n 1)
  if [ -z "$digest" ]; then
    echo "publish.sh: docker push $repo:$tag printed no digest" >&2
    exit 1
  fi
  echo "$digest"
}

{% for p in platforms -%}
{{ p.var }}=$(build_and_push {{ p.platform | sh }} {{ p.tag | sh }} "$@")
{% endfor %}
# A list left from an earlier run would be amended instead of replaced.
docker manifest rm "$image" >/dev/null 2>&1 || true
docker manifest create {% if insecure %}--insecure {% endif %}"$image"{% for p in platforms %} \
  "$repo@${{ p.var }}"{% endfor %} >&2
{% for p in platforms -%}
docker manifest annotate "$image" "$repo@${{ p.var }}" --os {{ p.os | sh }} --arch {{ p.arch | sh }}{% if p.variant %} --variant {{ p.variant | sh }}{% endif %} >&2
{% endfor -%}
pushed=$(docker manifest push {% if insecure %}--insecure {% endif %}--purge "$image")
printf '%s\n' "$pushed" >&2
digest=$(printf '%s\n' "$pushed" | grep -x 'sha256:[0-9a-f]\{64\}' | tail -n 1)
{% include "publish/digest.sh" -%}
