{% if host_packages -%}
# Tools that run on the build machine; mab points the compilers at the target.
# Versions come from the build image's Debian release, so they are not pinned here.
# apt's lists and downloaded packages live in cache mounts, kept between builds and shared with the
# target's step below (locked: apt is not safe to run twice at once); docker-clean, which would delete
# the downloads, is removed.
# hadolint ignore=DL3008
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    rm -f /etc/apt/apt.conf.d/docker-clean \
 && apt-get update \
 && apt-get install -y --no-install-recommends{% for p in host_packages %} {{ p | sh }}{% endfor %}
{% endif -%}
