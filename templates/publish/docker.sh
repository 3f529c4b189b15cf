{% include "publish/header.sh" -%}
#
# How: `docker build` once per platform, each image pushed under a tag of its own
# ({{ repo }}:{{ platforms.0.tag }}, ...) and named by the digest the push printed; then one list of
# those digests is pushed under {{ image }}, by whichever tool this docker has:
# - `docker buildx imagetools create` when the buildx plugin is installed (`docker buildx version`). It
#   works with both of Docker's image stores: with the containerd image store (the default for new
#   installs since Docker 29) `docker push` pushes an index (the image and its attestations), and
#   imagetools takes the images out of each index into the one list.
# - `docker manifest create/annotate/push` otherwise. It works with the classic image store only, whose
#   push is a plain image; with the containerd store it fails, as a manifest list cannot hold an index.
# The script says on stderr which one it uses; LIST_WITH=imagetools or LIST_WITH=manifest chooses.
{% if insecure -%}
# The registry is plain HTTP or has a self-signed certificate: imagetools reads its registry settings
# from the builder's buildkitd.toml (`[registry."{{ registry }}"] http = true, insecure = true`).
{% endif -%}
set -eu
cd "$(dirname "$0")"

image={{ image | sh }}
repo={{ repo | sh }}
# The Dockerfile's `FROM --platform=$BUILDPLATFORM` stages need BuildKit, the default since Docker 23.
DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-1}
export DOCKER_BUILDKIT

# The tool that makes the list, chosen before anything is built.
if [ -z "${LIST_WITH:-}" ]; then
  if docker buildx version >/dev/null 2>&1; then LIST_WITH=imagetools; else LIST_WITH=manifest; fi
fi
case $LIST_WITH in
  imagetools | manifest) ;;
  *) echo "publish.sh: LIST_WITH must be imagetools or manifest, not $LIST_WITH" >&2; exit 2 ;;
esac

# build_and_push PLATFORM TAG [build options...]: builds and pushes one platform's image, and prints the
# digest the registry knows it by.
build_and_push() {
  platform=$1 tag=$2
  shift 2
  docker build --platform "$platform" --tag "$repo:$tag" {% if dockerfile != "Dockerfile" %}--file {{ dockerfile | sh }} {% endif %}"$@" . >&2
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
case $LIST_WITH in
  imagetools)
    echo "publish.sh: making the list with docker buildx imagetools create" >&2
    docker buildx imagetools create --tag "$image"{% for p in platforms %} \
      "$repo@${{ p.var }}"{% endfor %} >&2
    pushed=$(docker buildx imagetools inspect --format '{% raw %}{{json .Manifest.Digest}}{% endraw %}' "$image")
    printf '%s\n' "$pushed" >&2
    digest=$(printf '%s\n' "$pushed" | grep -o 'sha256:[0-9a-f]\{64\}' | head -n 1) ;;
  manifest)
    echo "publish.sh: making the list with docker manifest (the classic image store only)" >&2
    # A list left from an earlier run would be amended instead of replaced.
    docker manifest rm "$image" >/dev/null 2>&1 || true
    docker manifest create {% if insecure %}--insecure {% endif %}"$image"{% for p in platforms %} \
      "$repo@${{ p.var }}"{% endfor %} >&2
{% for p in platforms %}    docker manifest annotate "$image" "$repo@${{ p.var }}" --os {{ p.os | sh }} --arch {{ p.arch | sh }}{% if p.variant %} --variant {{ p.variant | sh }}{% endif %} >&2
{% endfor %}    pushed=$(docker manifest push {% if insecure %}--insecure {% endif %}--purge "$image")
    printf '%s\n' "$pushed" >&2
    digest=$(printf '%s\n' "$pushed" | grep -x 'sha256:[0-9a-f]\{64\}' | tail -n 1) ;;
esac
{% include "publish/digest.sh" -%}
